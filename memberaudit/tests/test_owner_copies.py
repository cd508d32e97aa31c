"""The finder sorts by the owner's main and state as copied onto each character: the copies
follow every change of what they copy, each change in one update, and a migration fills them
for characters registered before."""

import importlib

import pytest

from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allianceauth.authentication.models import CharacterOwnership, State
from allianceauth.eveonline.models import EveCharacter

from memberaudit.models import Character

from .factories import create_character, create_orphan_character, create_user

pytestmark = pytest.mark.django_db

owner_copies_migration = importlib.import_module("memberaudit.migrations.0020_owner_copies")


def copies(character: Character) -> tuple[str, str]:
    return tuple(
        Character.objects.filter(pk=character.pk).values_list(
            "owner_main_name", "owner_state_name"
        )[0]
    )


def live(character: Character) -> tuple[str, str]:
    """The owner's main and state as they are now ("" for none)."""
    owner = Character.objects.get(pk=character.pk).owner
    if owner is None:
        return "", ""
    profile = owner.profile
    main = profile.main_character.character_name if profile.main_character else ""
    return main, profile.state.name if profile.state else ""


class UpdatesOfCharacters:
    """The updates of the character table that a block of code makes."""

    def __enter__(self):
        self.captured = CaptureQueriesContext(connection).__enter__()
        return self

    def __exit__(self, *exc):
        self.captured.__exit__(*exc)

    @property
    def count(self) -> int:
        table = connection.ops.quote_name("memberaudit_character")
        return sum(
            query["sql"].startswith(f"UPDATE {table}") for query in self.captured.captured_queries
        )


def public_state(name: str, priority: int) -> State:
    """A state open to every user with a main: Auth moves them into it at once."""
    return State.objects.create(name=name, priority=priority, public=True)


@pytest.fixture
def owner():
    """A user with a main and an alt, both registered, in the state ``Pilots``."""
    user = create_user()
    main = create_character(user, character_name="Main Pilot")
    alt = create_character(user, character_name="Alt Pilot")
    public_state("Pilots", 150)
    user = User.objects.get(pk=user.pk)  # with the profile Auth changed
    user.main, user.alt = main, alt
    return user


def test_should_copy_the_owners_main_and_state_onto_a_new_character(owner):
    assert copies(owner.main) == copies(owner.alt) == ("Main Pilot", "Pilots")


def test_should_copy_nothing_for_a_character_without_owner():
    orphan = create_orphan_character()

    assert copies(orphan) == ("", "")


def test_should_copy_no_main_for_a_user_without_one(owner):
    owner.profile.main_character = None
    owner.profile.save()  # Auth moves a user without a main to the guests' state

    assert copies(owner.alt) == ("", "Guest") == live(owner.alt)


def test_should_follow_a_new_main_in_one_update(owner):
    owner.profile.main_character = owner.alt.eve_character

    with UpdatesOfCharacters() as updates:
        owner.profile.save(update_fields=["main_character"])

    assert copies(owner.main) == copies(owner.alt) == ("Alt Pilot", "Pilots")
    assert updates.count == 1


def test_should_follow_a_renamed_main_in_one_update(owner):
    other = create_character(character_name="Bystander")
    main = EveCharacter.objects.get(pk=owner.main.eve_character_id)
    main.character_name = "Main Renamed"

    with UpdatesOfCharacters() as updates:
        main.save()

    assert copies(owner.main)[0] == copies(owner.alt)[0] == "Main Renamed"
    assert copies(other)[0] == "Bystander"
    assert updates.count == 1


def test_should_follow_a_new_state_in_one_update(owner):
    members = State.objects.create(name="Members", priority=140)

    with UpdatesOfCharacters() as updates:
        owner.profile.assign_state(state=members)

    assert copies(owner.main) == copies(owner.alt) == ("Main Pilot", "Members")
    assert updates.count == 1


def test_should_follow_a_renamed_state_in_one_update(owner):
    guest = create_character(user=create_user())
    guest.owner.profile.main_character = None
    guest.owner.profile.save()
    pilots = State.objects.get(name="Pilots")
    pilots.name = "Veterans"

    with UpdatesOfCharacters() as updates:
        pilots.save()

    assert copies(owner.main) == copies(owner.alt) == ("Main Pilot", "Veterans")
    assert copies(guest) == live(guest) == ("", "Guest")
    assert updates.count == 1


def test_should_follow_an_ownership_moved_to_another_user(owner):
    newcomer = create_user()
    create_character(newcomer, character_name="Newcomer Main")
    ownership = CharacterOwnership.objects.get(character=owner.alt.eve_character)
    ownership.user = newcomer

    with UpdatesOfCharacters() as updates:
        ownership.save()

    assert copies(owner.alt) == live(owner.alt)
    assert copies(owner.alt)[0] == "Newcomer Main"
    assert copies(owner.main) == ("Main Pilot", "Pilots")
    assert updates.count == 1


def test_should_follow_a_new_owner_after_the_old_ownership_is_deleted(owner):
    newcomer = create_user()
    create_character(newcomer, character_name="Newcomer Main")
    eve_character = owner.alt.eve_character

    CharacterOwnership.objects.filter(character=eve_character).delete()
    assert copies(owner.alt) == ("", "")

    CharacterOwnership.objects.create(character=eve_character, user=newcomer, owner_hash="moved")
    assert copies(owner.alt)[0] == "Newcomer Main"
    assert copies(owner.alt) == live(owner.alt)


def test_should_copy_nothing_once_the_ownership_is_deleted_in_one_update(owner):
    ownership = CharacterOwnership.objects.get(character=owner.alt.eve_character)

    with UpdatesOfCharacters() as updates:
        ownership.delete()

    assert copies(owner.alt) == ("", "")
    assert updates.count == 1


def test_should_follow_a_main_whose_ownership_is_deleted(owner):
    """Auth then clears the user's main: their other characters show no main."""
    CharacterOwnership.objects.filter(character=owner.main.eve_character).delete()

    assert copies(owner.main) == ("", "")
    assert copies(owner.alt) == live(owner.alt) == ("", "Guest")


def test_should_keep_the_copies_of_a_character_saved_from_an_older_instance(owner):
    stale = Character.objects.get(pk=owner.alt.pk)
    renamed = owner.main.eve_character
    renamed.character_name = "Main Renamed"
    renamed.save()

    stale.save()

    assert copies(owner.alt)[0] == "Main Renamed"


def test_should_save_an_existing_character_without_writing_its_copies(owner):
    stale = Character.objects.get(pk=owner.alt.pk)
    Character.objects.filter(pk=stale.pk).update(owner_main_name="Copied Later")
    stale.is_disabled = True

    with CaptureQueriesContext(connection) as queries:
        stale.save()

    assert len(queries) == 1
    assert "owner_main_name" not in queries[0]["sql"]
    saved = Character.objects.get(pk=stale.pk)
    assert saved.is_disabled
    assert saved.owner_main_name == "Copied Later"


@pytest.mark.parametrize("models", ["app", "historical"])
def test_should_fill_the_copies_of_existing_characters_when_migrating(owner, models):
    from django.db.migrations.executor import MigrationExecutor

    orphan = create_orphan_character()
    filled = {c.pk: copies(c) for c in (owner.main, owner.alt, orphan)}
    Character.objects.update(owner_main_name="", owner_state_name="")
    if models == "app":
        registry = apps
    else:
        state = MigrationExecutor(connection).loader.project_state(
            ("memberaudit", "0020_owner_copies")
        )
        registry = state.apps

    owner_copies_migration.fill_owner_copies(registry, None)

    assert {c.pk: copies(c) for c in (owner.main, owner.alt, orphan)} == filled
    assert filled[owner.alt.pk] == ("Main Pilot", "Pilots")
