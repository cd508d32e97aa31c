"""What a newcomer sees first: the README's numbers, the first role's character with data in
every section, the showcase character, and what ``make demo`` prints."""

import re
import socket
from pathlib import Path

import demo
import pytest

from demo_data import world
from fake_eve.scenario import SCENARIO_DIR, Scenario
from memberaudit import app_settings
from memberaudit.sections import registry

README = Path(__file__).resolve().parents[3] / "README.md"
SHOWCASE = 2112000002  # Gwen Halcyon, the heavy character


@pytest.fixture(scope="module")
def demo_scenario() -> Scenario:
    return Scenario.load(SCENARIO_DIR / world.SCENARIO_FILE)


def readme_start_table() -> list[tuple[str, ...]]:
    """The rows of the README's table of roles, below its heading row."""
    rows = [line for line in README.read_text().splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| Role")
    return [tuple(cell.strip() for cell in row.strip("|").split(" | ")) for row in rows[1:]]


def test_readme_table_of_roles_is_what_make_demo_prints():
    printed = [
        (role, login.removeprefix("pick "), look_at) for role, login, look_at in world.start_table()
    ]

    assert [
        (role, login.replace("`", ""), look_at) for role, login, look_at in readme_start_table()
    ] == printed
    assert readme_start_table()[0][:2] == (world.USERS[0].role, world.USERS[0].main.name)


def test_showcase_character_has_skills_isk_and_a_last_login(demo_scenario):
    character = demo_scenario.character(SHOWCASE)

    assert character["skills"] and character["total_sp"] > 1_000_000
    assert character["wallet_balance"] > 1_000_000_000
    assert character["online"]["last_login"]
    assert any(entry.get("finish_date") for entry in character["skillqueue"])


def test_first_role_character_has_a_pilots_skills_and_a_training_queue(demo_scenario):
    """The README sends people to the first character's skills: a page of them, not three."""
    character = demo_scenario.character(world.USERS[0].main.character_id)

    assert len(character["skills"]) >= 12
    assert character["total_sp"] > 1_000_000
    assert [entry["queue_position"] for entry in character["skillqueue"]] == [0, 1]


def test_readme_numbers_match_what_the_demo_shows(demo_scenario):
    character = demo_scenario.character(SHOWCASE)
    text = " ".join(README.read_text().split())
    match = re.search(r"with ([\d,]+) assets, ([\d,]+) mails and ([\d,]+) contracts", text)
    assert match, "the README no longer gives the showcase character's numbers"

    assets, mails, contracts = (int(value.replace(",", "")) for value in match.groups())

    assert character["name"] in text[max(0, match.start() - 40) : match.start()]
    assert assets == len(character["assets"])
    # Member Audit keeps the newest MEMBERAUDIT_MAX_MAILS mails
    assert mails == min(len(character["mails"]), app_settings.MEMBERAUDIT_MAX_MAILS)
    assert contracts == len(character["contracts"])
    assert f"{character['name']} has {assets:,} assets" in text


def test_readme_counts_the_registered_characters():
    text = " ".join(README.read_text().split())
    assert f"with {len(world.registered_characters())} registered characters" in text


def test_a_port_in_use_names_the_variable_that_changes_it(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setattr(demo, "PORTS", ((port, "the site", "DEMO_PORT"),))
        monkeypatch.setattr(demo.signal, "signal", lambda *args: None)

        with pytest.raises(SystemExit) as stopped:
            demo.main()

    message = str(stopped.value)
    assert f"Port {port} for the site is in use" in message
    assert f"DEMO_PORT={port + 1} make demo" in message


@pytest.mark.parametrize(("port", "what", "variable"), demo.PORTS)
def test_every_port_of_the_demo_has_its_variable(port, what, variable):
    assert variable in demo.port_in_use_message(port, what, variable)
    assert variable in Path(demo.__file__).read_text()


def test_demo_logs_go_where_the_settings_keep_their_files(monkeypatch, tmp_path):
    """``TESTAUTH_RUN_DIR`` moves the database and Redis files; the worker's and the site's
    logs follow them."""
    import importlib

    monkeypatch.setenv("TESTAUTH_RUN_DIR", str(tmp_path))
    try:
        reloaded = importlib.reload(demo)
        assert str(reloaded.RUN_DIR) == str(tmp_path)
    finally:
        monkeypatch.delenv("TESTAUTH_RUN_DIR")
        importlib.reload(demo)


@pytest.fixture
def demo_server(fake_eve_server, settings):
    """The demo's fake EVE server; django-esi points back at the session's server after."""
    from fake_eve import FakeEveServer
    from fake_eve.__main__ import find_spec_file
    from fake_eve.wiring import point_esi_at

    with FakeEveServer(SCENARIO_DIR / world.SCENARIO_FILE, spec_file=find_spec_file()) as server:
        point_esi_at(server.base_url)
        settings.FAKE_EVE_URL = server.base_url
        try:
            yield server
        finally:
            point_esi_at(fake_eve_server.base_url)


def load_every_section(server, character_id: int, skill_sets: bool = False):
    """The demo character after one update of every section, as the demo's first run does;
    with ``skill_sets`` the demo's skill sets exist first, to check the character against."""
    from django.contrib.auth.models import User

    from allianceauth.eveonline.models import EveCharacter

    from demo_data.skill_sets import seed_skill_sets
    from fake_eve.tokens import create_token
    from memberaudit import updater
    from memberaudit.models import Character
    from memberaudit.scopes import REGISTRATION_SCOPES

    if skill_sets:
        seed_skill_sets()
    user = User.objects.create_user(f"demo_{character_id}")
    create_token(server, character_id, user, list(REGISTRATION_SCOPES))
    character = Character.objects.create(
        eve_character=EveCharacter.objects.get(character_id=character_id)
    )
    failed = {
        name: outcome.message
        for name in registry.names()
        if not (outcome := updater.update_section(character, name)).is_success
    }
    assert failed == {}
    return character


def stored_rows(character, section) -> int:
    """Rows the section stored for the character; a one-to-one row counts only when it holds
    more than defaults (a "never enlisted" faction warfare row is no data to show)."""
    from django.db.models import Model

    from memberaudit.api_datasets import stored_relations

    relations = stored_relations(section)
    assert relations, f"section {section.name} names no stored relation (Section.stored)"
    rows = 0
    for relation in relations:
        value = getattr(character, relation, None)  # a missing one-to-one row: None
        if isinstance(value, Model):
            rows += any(
                getattr(value, field.attname) not in (None, "", 0, False)
                for field in value._meta.concrete_fields
                if not field.primary_key and field.related_model is not type(character)
            )
        elif value is not None:
            rows += value.count()
    return rows


@pytest.mark.django_db(transaction=True)
def test_first_role_character_has_stored_data_in_every_section(demo_server):
    character = load_every_section(demo_server, world.USERS[0].main.character_id, skill_sets=True)

    rows = {section.name: stored_rows(character, section) for section in registry}

    empty = sorted(name for name, count in rows.items() if not count)
    assert not empty, (
        f"{character.name}, the first role's character of the README, has no data for "
        f"{empty}: give that character some in the demo scenario"
    )


@pytest.mark.django_db(transaction=True)
def test_showcase_character_loads_with_the_readmes_numbers(demo_server):
    character = load_every_section(demo_server, SHOWCASE)
    text = " ".join(README.read_text().split())

    assert (
        f"{character.name}, with {character.assets.count():,} assets, "
        f"{character.mails.count():,} mails and {character.contracts.count():,} contracts"
    ) in text
    assert character.skills.exists() and character.wallet_balance.total > 1_000_000_000
    assert character.online_status.last_login


@pytest.mark.django_db
def test_update_summary_tells_intended_failures_from_unexpected_ones():
    from io import StringIO

    from django.utils import timezone

    from demo_data.management.commands.demo_update import Command
    from memberaudit.models import SectionUpdateStatus
    from memberaudit.tests.factories import create_character

    started = timezone.now()
    limited = create_character(character_name="Hiro Tanaka")
    broken = create_character(character_name="Mira Quell")
    for character, section, kind, message in (
        (limited, "location", SectionUpdateStatus.ErrorKind.TOKEN_LIMITED, "no scope"),
        (broken, "assets", SectionUpdateStatus.ErrorKind.ESI, "ESI answered 502"),
    ):
        SectionUpdateStatus.objects.create(
            character=character,
            section=section,
            is_success=False,
            error_kind=kind,
            error_message=message,
            finished_at=timezone.now(),
        )
    command = Command(stdout=StringIO())

    command._report_failures(started, {(limited.pk, "location"), (broken.pk, "assets")})

    output = command.stdout.getvalue()
    assert "As intended, 1 sections of Hiro Tanaka were not updated" in output
    assert "1 sections failed unexpectedly, e.g. Mira Quell: assets: ESI answered 502" in output
