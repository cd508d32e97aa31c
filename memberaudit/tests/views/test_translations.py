"""What users read is in their language: the texts of DataTables' own controls (search,
paging, "processing") come from Alliance Auth's translation for the user's language, and the
messages made in Python that reach a page go through gettext."""

import json
import re
from types import SimpleNamespace

import pytest

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from eveuniverse.models import EveType

from memberaudit import registration, updater
from memberaudit.esi_gateway import EsiError, EsiUnavailable
from memberaudit.sections import assets, contracts, ship, skills

from ..factories import create_character, create_eve_character, create_user

pytestmark = pytest.mark.django_db

PAGES_WITH_TABLES = ("finder", "reports", "character_viewer")
TEXTS_ELEMENT = re.compile(
    r'<div id="memberaudit-table-texts"[^>]*\sdata-datatables-language="([^"]*)"'
)


def page(client, name: str, language: str) -> str:
    user = create_user(
        permissions=(
            "memberaudit.basic_access",
            "memberaudit.finder_access",
            "memberaudit.reports_access",
        )
    )
    character = create_character(user=user)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    args = [character.pk] if name == "character_viewer" else []
    response = client.get(reverse(f"memberaudit:{name}", args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert "memberaudit/js/server-tables.js" in html
    return html


def datatables_language(html: str) -> str:
    match = TEXTS_ELEMENT.search(html)
    assert match, "the page gives its tables no texts"
    return match[1]


@pytest.mark.parametrize("name", PAGES_WITH_TABLES)
def test_should_give_the_tables_alliance_auths_translation_of_datatables(name, client):
    url = datatables_language(page(client, name, "de"))

    assert url.startswith(settings.STATIC_URL)
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, f"{url} is not a static file of this site"
    with open(path, encoding="utf-8") as file:
        texts = json.load(file)
    assert texts["search"] == "Suche:"


@pytest.mark.parametrize("name", PAGES_WITH_TABLES)
def test_should_keep_datatables_own_english_for_english(name, client):
    assert datatables_language(page(client, name, "en")) == ""


@pytest.fixture
def made_up_language(monkeypatch):
    """Every gettext call answers in a made-up language: the English text after "[xx] "."""
    english = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"[xx] {english(message)}")


def failing(*args, **kwargs):
    raise RuntimeError("ESI is down")


def refused_registration(monkeypatch):
    eve_character = create_eve_character(character_name="Somebody Else")
    token = SimpleNamespace(character_id=eve_character.character_id)
    registration.register_character(create_user(), token)


# A gateway that answers no request of a batch: the types are left to eveuniverse.
NO_ANSWERS = SimpleNamespace(get_each=lambda operation, calls, **options: [])


def contract_types_that_fail_to_load(monkeypatch):
    monkeypatch.setattr(EveType.objects, "bulk_get_or_create_esi", failing)
    contracts._load_types({587}, NO_ANSWERS)


def contract_types_that_stay_unknown(monkeypatch):
    monkeypatch.setattr(
        EveType.objects, "bulk_get_or_create_esi", lambda ids: EveType.objects.none()
    )
    contracts._load_types({587}, NO_ANSWERS)


def asset_types_that_fail_to_load(monkeypatch):
    monkeypatch.setattr(EveType.objects, "bulk_get_or_create_esi", failing)
    assets._load_types({587}, NO_ANSWERS)


def skill_types_that_fail_to_load(monkeypatch):
    monkeypatch.setattr(EveType.objects, "bulk_get_or_create_esi", failing)
    skills.ensure_skill_types({3300})


def ship_type_that_fails_to_load(monkeypatch):
    monkeypatch.setattr(EveType.objects, "bulk_get_or_create_esi", failing)
    answer = {"ship_type_id": 587, "ship_item_id": 1_000_000_000_001, "ship_name": "Rifter"}
    gateway = SimpleNamespace(
        get=lambda operation, **parameters: answer, get_each=NO_ANSWERS.get_each
    )
    ship.fetch(SimpleNamespace(character_id=90000001), gateway)


# What causes an error that users read (on the launcher, in a tab's status), and its text.
ERRORS_USERS_READ = [
    (
        refused_registration,
        registration.RegistrationError,
        "[xx] Somebody Else is not owned by you in Auth",
    ),
    (
        contract_types_that_fail_to_load,
        updater.SectionDataError,
        "[xx] Could not load item types of contracts: RuntimeError",
    ),
    (
        contract_types_that_stay_unknown,
        updater.SectionDataError,
        "[xx] Unknown item types in contracts: [587]",
    ),
    (
        asset_types_that_fail_to_load,
        EsiUnavailable,
        "[xx] 1 asset types could not be loaded from ESI: 587",
    ),
    (
        skill_types_that_fail_to_load,
        EsiError,
        "[xx] Could not load skill types from ESI: RuntimeError",
    ),
    (
        ship_type_that_fails_to_load,
        EsiUnavailable,
        "[xx] The ship type 587 could not be loaded: RuntimeError",
    ),
]


@pytest.mark.parametrize(
    "cause, error_class, message",
    ERRORS_USERS_READ,
    ids=[cause.__name__ for cause, _, _ in ERRORS_USERS_READ],
)
def test_should_translate_errors_users_read(
    cause, error_class, message, made_up_language, monkeypatch
):
    with pytest.raises(error_class, match=f"^{re.escape(message)}"):
        cause(monkeypatch)
