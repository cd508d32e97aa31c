"""Helpers shared by the skill section tests: skill types and ESI answers without HTTP."""

import re

from eveuniverse.models import EveCategory, EveGroup, EveType

SKILL_CATEGORY_ID = 16
FIRST_SKILL_ID = 900_000  # outside the ids of real skills


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


WRITE_STATEMENT = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[`\"]?(\w+)", re.I)


def writes_to(queries, table: str) -> list[str]:
    """The INSERT, UPDATE and DELETE statements among ``queries`` that write to ``table``."""
    return [
        query["sql"]
        for query in queries
        if (match := WRITE_STATEMENT.match(query["sql"])) and match.group(1) == table
    ]
