"""Helpers shared by the section tests: characters, canned ESI and the writes a store makes."""

import copy
import re
from contextlib import contextmanager

from django.core.cache import cache

from allianceauth.eveonline.models import EveCharacter
from eveuniverse.models import EveCategory, EveGroup, EveType

from memberaudit import esi_gateway, eve_types, updater
from memberaudit.esi_gateway import EsiGateway
from memberaudit.models import Character, SectionUpdateStatus

SKILL_CATEGORY_ID = 16
FIRST_SKILL_ID = 900_000  # outside the ids of real skills


def create_character(
    character_id: int, corporation_name: str = "Demo Corp", corporation_ticker: str = "DEMO"
) -> Character:
    """A character without token or owner, for tests that answer ESI themselves."""
    eve_character = EveCharacter.objects.create(
        character_id=character_id,
        character_name=f"Pilot {character_id}",
        corporation_id=98_000_001,
        corporation_name=corporation_name,
        corporation_ticker=corporation_ticker,
    )
    return Character.objects.create(eve_character=eve_character)


def create_skill_types(count: int, first_id: int = FIRST_SKILL_ID) -> list[int]:
    """Create ``count`` skill types in eveuniverse and return their ids."""
    category, _ = EveCategory.objects.get_or_create(
        id=SKILL_CATEGORY_ID, defaults={"name": "Skill", "published": True}
    )
    group, _ = EveGroup.objects.get_or_create(
        id=255, defaults={"name": "Gunnery", "eve_category": category, "published": True}
    )
    ids = list(range(first_id, first_id + count))
    EveType.objects.bulk_create(
        [
            EveType(id=type_id, name=f"Skill {type_id}", eve_group=group, published=True)
            for type_id in ids
        ],
        ignore_conflicts=True,
    )
    return ids


class FakeGateway:
    """Answers ``get`` with canned data, to test fetch without HTTP."""

    def __init__(self, answers: dict):
        self.answers = answers
        self.calls = []

    def get(self, operation_id, **params):
        self.calls.append((operation_id, params))
        return self.answers[operation_id]


# EVE data the sections ask for together before eveuniverse loads it (memberaudit.eve_types)
EVE_DATA = {
    eve_types.TYPE,
    eve_types.GROUP,
    eve_types.CATEGORY,
    eve_types.SYSTEM,
    eve_types.CONSTELLATION,
    eve_types.REGION,
}


def install_canned_esi(monkeypatch, answers: dict) -> dict:
    """Let the updater's gateway answer from ``answers`` instead of HTTP; returns ``answers``.

    ``answers`` maps operation ids to data; an exception as answer is raised and a callable
    is called with the request's params. Every call is recorded in ``answers["calls"]`` as
    ``(operation_id, params, kwargs)``.
    """
    calls = []

    class CannedGateway(EsiGateway):
        def _call(self, operation_id, params, **kwargs):
            calls.append((operation_id, copy.deepcopy(params), kwargs))
            if operation_id in EVE_DATA and operation_id not in answers:
                # not canned: left to eveuniverse, as when ESI does not know the id
                raise esi_gateway.EsiNotFound(f"{operation_id} not canned", 404)
            answer = answers[operation_id]
            if isinstance(answer, Exception):
                raise answer
            if callable(answer):
                return answer(params)
            return copy.deepcopy(answer)

    monkeypatch.setattr(updater, "EsiGateway", CannedGateway)
    monkeypatch.setattr(updater, "find_token", lambda character, section: None)
    answers["calls"] = calls
    return answers


def expire_esi_cache():
    """Forget cached ESI answers, as if their cache time had passed (ETags too)."""
    cache.clear()


def status_of(character, section: str) -> SectionUpdateStatus:
    """The stored update status of ``section`` for ``character``."""
    return SectionUpdateStatus.objects.get(character=character, section=section)


WRITE_STATEMENT = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+|IGNORE\s+)?INTO|UPDATE|DELETE\s+FROM)\s+[`\"]?(\w+)",
    re.I,
)


def writes_to(queries, *tables: str) -> list[str]:
    """The INSERT (also OR IGNORE), UPDATE and DELETE statements in ``queries`` on ``tables``."""
    return [
        query["sql"]
        for query in queries
        if (match := WRITE_STATEMENT.match(query["sql"])) and match.group(1) in tables
    ]


def forget_cached_esi_answers():
    """The cached ESI answers and their ETags are gone: the next update fetches in full."""
    cache.delete_pattern("esi_*")


@contextmanager
def esi_read_timeout(seconds: float):
    """ESI requests give up after ``seconds`` without an answer, and are not retried."""
    from esi import app_settings as esi_settings

    saved = esi_settings.ESI_REQUESTS_READ_TIMEOUT, esi_settings.ESI_SERVER_ERROR_MAX_RETRIES
    esi_settings.ESI_REQUESTS_READ_TIMEOUT, esi_settings.ESI_SERVER_ERROR_MAX_RETRIES = seconds, 1
    esi_gateway.provider()._client = None  # rebuild the client with the short timeout
    try:
        yield
    finally:
        esi_settings.ESI_REQUESTS_READ_TIMEOUT, esi_settings.ESI_SERVER_ERROR_MAX_RETRIES = saved
        esi_gateway.provider()._client = None
