"""Corporation roles: the four role lists, kept in sync role by role."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import updater
from memberaudit.models import CharacterCorporationRole
from memberaudit.sections import corporation_roles

from .helpers import FakeGateway, create_character, writes_to
from .sheet_helpers import install_sheet_esi

OPERATION = "GetCharactersCharacterIdRoles"
TABLE = CharacterCorporationRole._meta.db_table
ROLES = ["Director", "Accountant", "Station_Manager", "Hangar_Take_1", "Config_Equipment"]


@pytest.fixture
def character(db):
    return create_character(91_100_002)


def stored_roles(character) -> set[tuple[str, str]]:
    return set(character.corporation_roles.values_list("scope", "role"))


def test_should_store_each_list_under_its_scope(character, monkeypatch):
    install_sheet_esi(
        monkeypatch,
        **{
            OPERATION: {
                "roles": ["Director", "Accountant"],
                "roles_at_hq": ["Hangar_Take_1"],
                "roles_at_base": ["Factory_Manager"],
                "roles_at_other": ["Container_Take_1"],
            }
        },
    )

    outcome = updater.update_section(character, "corporation_roles")

    assert outcome.is_success, outcome.message
    assert stored_roles(character) == {
        ("general", "Director"),
        ("general", "Accountant"),
        ("hq", "Hangar_Take_1"),
        ("base", "Factory_Manager"),
        ("other", "Container_Take_1"),
    }


def test_should_delete_only_roles_taken_away(character, monkeypatch):
    esi = install_sheet_esi(monkeypatch, **{OPERATION: {"roles": ["Director", "Accountant"]}})
    updater.update_section(character, "corporation_roles")
    kept = character.corporation_roles.get(role="Accountant").pk
    esi[OPERATION] = {"roles": ["Accountant"]}

    with CaptureQueriesContext(connection) as context:
        updater.update_section(character, "corporation_roles")

    assert stored_roles(character) == {("general", "Accountant")}
    assert character.corporation_roles.get().pk == kept
    assert len(writes_to(context.captured_queries, TABLE)) == 1  # one delete


def test_should_store_roles_esi_added_after_our_spec(character, monkeypatch):
    install_sheet_esi(monkeypatch, **{OPERATION: {"roles": ["Skyhook_Manager"]}})

    updater.update_section(character, "corporation_roles")

    assert stored_roles(character) == {("general", "Skyhook_Manager")}


def test_should_show_roles_as_the_game_names_them():
    role = CharacterCorporationRole(scope="general", role="Account_Take_1")

    assert role.role_name == "Account Take 1"
    assert not role.is_key_role
    assert CharacterCorporationRole(scope="hq", role="Director").is_key_role


role_lists = st.fixed_dictionaries(
    {field: st.lists(st.sampled_from(ROLES)) for field in corporation_roles.ROLE_LISTS}
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=role_lists, second=role_lists)
def test_should_hold_exactly_the_roles_of_the_last_answer(character, first, second):
    for answer in (first, second):
        data = corporation_roles.fetch(character, FakeGateway({OPERATION: answer}))
        corporation_roles.store(character, data)

    expected = {
        (str(scope), role)
        for field, scope in corporation_roles.ROLE_LISTS.items()
        for role in second[field]
    }
    assert stored_roles(character) == expected
