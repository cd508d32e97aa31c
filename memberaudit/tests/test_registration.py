"""Registering characters from the launcher through EVE SSO (the fake SSO over HTTP)."""

import pytest

from django.urls import reverse

from allianceauth.authentication.models import CharacterOwnership
from esi.models import Token

from fake_eve.sso_flow import follow_sso
from memberaudit import tasks, updater
from memberaudit.models import Character, CharacterSkill, CharacterWalletBalance
from memberaudit.scopes import REGISTRATION_SCOPES

from .factories import create_user_with_main, is_shared, share_with_all_recruiters

pytestmark = pytest.mark.django_db(transaction=True)

ARIA = 90000001


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(
        tasks.update_character,
        "apply_async",
        lambda args=None, kwargs=None, **options: calls.append((kwargs, options)),
    )
    return calls


@pytest.fixture
def pilot(client):
    user = create_user_with_main("pilot")
    client.force_login(user)
    return user


def register(client, character_id=ARIA):
    return follow_sso(client, reverse("memberaudit:register_character"), character_id)


def section_data(character) -> dict:
    return {
        "wallet": list(CharacterWalletBalance.objects.filter(character=character).values()),
        "skills": list(CharacterSkill.objects.filter(character=character).order_by("pk").values()),
    }


def test_should_register_character_with_all_scopes_and_queue_forced_update(
    client, pilot, fake_eve, queued
):
    response = register(client)

    assert response.status_code == 200
    character = Character.objects.get(eve_character__character_id=ARIA)
    assert character.owner == pilot
    token = Token.objects.get(user=pilot, character_id=ARIA)
    assert set(token.scopes.values_list("name", flat=True)) == set(REGISTRATION_SCOPES)
    assert [kwargs for kwargs, _ in queued] == [
        {
            "character_pk": character.pk,
            "force": True,
            "sections": None,
            "priority": tasks.USER_TASK_PRIORITY,
        }
    ]
    assert queued[0][1]["priority"] == tasks.USER_TASK_PRIORITY
    assert "has been registered" in response.content.decode()


def test_should_keep_one_character_per_eve_character(client, pilot, fake_eve, queued):
    register(client)
    register(client)
    assert Character.objects.filter(eve_character__character_id=ARIA).count() == 1
    assert len(queued) == 2


def test_should_revive_orphaned_character_with_its_data(client, pilot, fake_eve, queued):
    register(client)
    character = Character.objects.get(eve_character__character_id=ARIA)
    share_with_all_recruiters(character)
    for section in ("wallet_balance", "skills"):
        assert updater.update_section(character, section).is_success
    stored = section_data(character)
    assert stored["wallet"] and stored["skills"]
    CharacterOwnership.objects.filter(character=character.eve_character).delete()

    assert tasks.update_character(character.pk) == []  # the update finds the orphan

    character = Character.objects.get(pk=character.pk)
    assert character.is_orphan and character.is_disabled
    assert section_data(character) == stored

    register(client)

    character = Character.objects.get(pk=character.pk)
    assert character.owner == pilot
    assert not character.is_disabled
    assert is_shared(character)
    assert section_data(character) == stored


def test_should_follow_new_owner_and_use_their_token(client, fake_eve, queued, db):
    first_owner = create_user_with_main("first")
    client.force_login(first_owner)
    register(client)
    character = Character.objects.get(eve_character__character_id=ARIA)

    new_owner = create_user_with_main("second")
    CharacterOwnership.objects.filter(character=character.eve_character).update(user=new_owner)
    client.force_login(new_owner)
    register(client)

    character = Character.objects.get(pk=character.pk)
    assert character.owner == new_owner
    from memberaudit.sections import registry
    from memberaudit.updater import find_token

    token = find_token(character, registry.get("wallet_balance"))
    assert token.user == new_owner


def test_should_refuse_registration_without_basic_access(client, fake_eve, db):
    user = create_user_with_main("nobody")
    user.user_permissions.clear()
    client.force_login(user)

    response = client.get(reverse("memberaudit:register_character"))

    assert response.status_code == 403
    assert fake_eve.log.count(route="sso_authorize") == 0
    assert not Character.objects.exists()
