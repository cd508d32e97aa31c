"""The demo's seeding against the fake EVE server over HTTP, as ``make demo`` runs it."""

import logging
import re
from io import StringIO

import pytest

from django.core.management import call_command

from demo_data import world
from demo_data.skill_sets import seed_skill_sets, skill_set_name
from fake_eve import FakeEveServer
from fake_eve.__main__ import find_spec_file
from fake_eve.scenario import SCENARIO_DIR
from fake_eve.wiring import point_esi_at
from memberaudit.models import (
    Character,
    CharacterShare,
    CharacterSkillSetCheck,
    SkillSet,
    SkillSetGroup,
    SkillSetSkill,
)

pytestmark = pytest.mark.django_db(transaction=True)


def demo_skill_set_names() -> set[str]:
    return {
        skill_set_name(skill_set)
        for group in world.SKILL_SET_GROUPS
        for skill_set in group.skill_sets
    }


@pytest.fixture
def demo_eve(fake_eve_server, settings):
    """A fake EVE server with the demo's scenario, as ``make demo`` starts it.

    django-esi points at it during the test and at the session's server again afterwards.
    """
    with FakeEveServer(SCENARIO_DIR / world.SCENARIO_FILE, spec_file=find_spec_file()) as server:
        point_esi_at(server.base_url)
        settings.FAKE_EVE_URL = server.base_url
        try:
            yield server
        finally:
            point_esi_at(fake_eve_server.base_url)


def test_should_name_each_demo_skill_set_after_its_fitting():
    names = demo_skill_set_names()

    assert names == {"Doctrine Caracal", "Doctrine Drake", "Tackle Rifter", "Starter Merlin"}


def test_should_seed_groups_of_skill_sets_from_fittings_with_real_types(fake_eve):
    created = seed_skill_sets()

    assert {skill_set.name for skill_set in created} == demo_skill_set_names()
    doctrine = SkillSetGroup.objects.get(name="Northern Lights Doctrine")
    assert doctrine.is_doctrine
    assert {s.name for s in doctrine.skill_sets.all()} == {"Doctrine Caracal", "Doctrine Drake"}
    drake = SkillSet.objects.get(name="Doctrine Drake")
    assert drake.ship_type.name == "Drake"
    levels = {
        skill.eve_type.name: (skill.required_level, skill.recommended_level)
        for skill in drake.skills.select_related("eve_type")
    }
    assert levels["Caldari Battlecruiser"] == (1, 3)
    assert levels["Caldari Cruiser"] == (3, None)
    assert levels["Light Drone Operation"] == (1, None)
    assert levels["Drones"] == (1, None)


def test_should_seed_skill_sets_only_once(fake_eve):
    seed_skill_sets()
    skills = SkillSetSkill.objects.count()
    fake_eve.log.clear()

    assert seed_skill_sets() == []

    assert SkillSet.objects.count() == len(demo_skill_set_names())
    assert SkillSetSkill.objects.count() == skills
    assert SkillSetGroup.objects.count() == len(world.SKILL_SET_GROUPS)
    assert fake_eve.log.count() == 0


def test_should_keep_skill_sets_an_admin_changed(fake_eve):
    seed_skill_sets()
    SkillSet.objects.filter(name="Tackle Rifter").update(description="Edited", is_active=False)
    SkillSetGroup.objects.get(name="Tackle").skill_sets.clear()

    seed_skill_sets()

    rifter = SkillSet.objects.get(name="Tackle Rifter")
    assert (rifter.description, rifter.is_active) == ("Edited", False)
    assert rifter.groups.filter(name="Tackle").exists()  # a missing membership is restored


def test_demo_seed_should_create_the_world_with_skill_sets_and_run_again(demo_eve, caplog):
    caplog.set_level(logging.WARNING)
    first = StringIO()
    call_command("demo_seed", stdout=first, stderr=first)
    second = StringIO()
    call_command("demo_seed", stdout=second, stderr=second)

    # nothing a newcomer would worry about: no warnings, no tracebacks
    assert [record.getMessage() for record in caplog.records] == []
    assert not re.search(r"warn|error|traceback", first.getvalue() + second.getvalue(), re.I)

    assert "4 skill sets (4 new)" in first.getvalue()
    assert "4 skill sets (0 new)" in second.getvalue()
    assert SkillSet.objects.count() == 4
    characters = Character.objects.count()
    assert characters == len(world.registered_characters())
    assert CharacterSkillSetCheck.objects.count() == characters * 4
    shared = {
        character.name
        for user in world.USERS
        for character in user.characters
        if character.shared and character.registered
    }
    shares = CharacterShare.objects.filter(user=None, group=None, expires_at=None)
    assert set(shares.values_list("character__eve_character__character_name", flat=True)) == shared
    assert shares.count() == len(shared)  # seeding again adds no second share


SPY = 2112000015  # Nils Quell, see fake_eve/scenarios/spy_demo.json


def test_should_show_the_planted_spys_red_flags_to_the_alliance_auditor(demo_eve, client):
    import json

    from django.contrib.auth.models import User
    from django.urls import reverse

    from memberaudit import updater
    from memberaudit.models import ChangeEvent

    call_command("demo_seed", stdout=StringIO())
    spy = Character.objects.get(eve_character__character_id=SPY)
    for section in ("corporation_history", "contacts", "mails", "wallet_journal"):
        assert updater.update_section(spy, section).is_success, section

    client.force_login(User.objects.get(username="alliance_auditor"))
    assert client.get(reverse("memberaudit:red_flags")).status_code == 200
    rows = json.loads(client.get(reverse("memberaudit:red_flags_data")).content)["data"]

    assert {row["character"] for row in rows} == {"Nils Quell"}
    sections = {row["url"].rsplit("#tab-", 1)[1] for row in rows}
    assert sections == {"corporation_history", "contacts", "mails", "wallet_journal"}
    assert all(row["severity"]["tone"] == "danger" for row in rows)
    assert ChangeEvent.objects.exclude(character=spy).count() == 0
