import json
from io import StringIO

import pytest

from django.core.checks import Tags, run_checks
from django.core.management import ManagementUtility, call_command, load_command_class
from django.core.management.base import CommandError, SystemCheckError

from memberaudit import tasks
from memberaudit.character_data import character_data_models, delete_character_data
from memberaudit.management.commands import memberaudit_load_eve
from memberaudit.models import (
    Character,
    CharacterContact,
    CharacterWalletJournalEntry,
    Location,
    SectionUpdateStatus,
)
from memberaudit.sections import registry

from .factories import create_character, mark_sections
from .section_data import create_section_data, stored_rows

pytestmark = pytest.mark.django_db


def run(name: str, *args, answer: str | None = None, monkeypatch=None) -> str:
    """Run a command and return what it wrote; ``answer`` is typed at its question."""
    if answer is not None:
        monkeypatch.setattr("builtins.input", lambda question: answer)
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def queued(monkeypatch):
    """Record the tasks queued instead of running them."""
    calls = []

    def apply_async(args=None, kwargs=None, **options):
        calls.append((kwargs, options))

    monkeypatch.setattr(tasks.update_character, "apply_async", apply_async)
    return calls


@pytest.fixture
def no_input(monkeypatch):
    """Fail the test if a command asks anything."""

    def refuse(question):
        raise AssertionError(f"Unexpected question: {question}")

    monkeypatch.setattr("builtins.input", refuse)


# memberaudit_update_characters


def test_should_queue_forced_update_of_all_enabled_characters_at_user_priority(queued, no_input):
    first, second = create_character(), create_character()
    Character.objects.filter(pk=create_character().pk).update(is_disabled=True)

    out = run("memberaudit_update_characters", "--noinput")

    assert sorted(kwargs["character_pk"] for kwargs, _ in queued) == [first.pk, second.pk]
    for kwargs, options in queued:
        assert kwargs["force"] is True
        assert kwargs["sections"] is None
        assert kwargs["priority"] == tasks.USER_TASK_PRIORITY
        assert options["priority"] == tasks.USER_TASK_PRIORITY
    assert "Queued 2/2" in out


def test_should_restrict_update_to_the_sections_given(queued, no_input):
    create_character()

    run(
        "memberaudit_update_characters",
        "--section",
        "skills",
        "--section",
        "wallet_balance",
        "--section",
        "skills",
        "--noinput",
    )

    assert [kwargs["sections"] for kwargs, _ in queued] == [["skills", "wallet_balance"]]


def test_should_refuse_unknown_section_and_queue_nothing(queued, no_input):
    create_character()

    with pytest.raises(CommandError, match="invalid choice"):
        run("memberaudit_update_characters", "--section", "no_such_section", "--noinput")

    assert queued == []


def test_should_refuse_unknown_section_given_as_option_value(queued, no_input):
    create_character()

    with pytest.raises(CommandError, match="Unknown section: bogus"):
        call_command("memberaudit_update_characters", sections=["bogus"], interactive=False)

    assert queued == []


def test_should_queue_nothing_without_confirmation(queued, monkeypatch):
    create_character()

    out = run("memberaudit_update_characters", answer="n", monkeypatch=monkeypatch)

    assert queued == []
    assert "Aborted" in out


def test_should_queue_updates_when_confirmed(queued, monkeypatch):
    create_character()

    run("memberaudit_update_characters", answer="yes", monkeypatch=monkeypatch)

    assert len(queued) == 1


def test_should_report_progress_about_ten_times_for_many_characters(queued, no_input):
    for _ in range(25):
        create_character()

    out = run("memberaudit_update_characters", "--noinput")

    progress = [line for line in out.splitlines() if line.startswith("Queued ") and "/" in line]
    assert progress[-1] == "Queued 25/25"
    assert 5 <= len(progress) <= 13


def test_should_say_so_when_there_is_no_character_to_update(queued, no_input):
    out = run("memberaudit_update_characters", "--noinput")

    assert "no enabled characters" in out
    assert queued == []


def test_should_list_every_section_in_update_help():
    command = load_command_class("memberaudit", "memberaudit_update_characters")
    parser = command.create_parser("manage.py", "memberaudit_update_characters")

    help_text = parser.format_help()

    assert "--section" in help_text
    assert "--noinput" in help_text
    assert "ESI" in help_text


# memberaudit_reset_characters


def test_should_find_every_model_pointing_at_a_character():
    models = {model for model, _ in character_data_models()}

    assert SectionUpdateStatus in models
    assert CharacterWalletJournalEntry in models
    assert CharacterContact in models
    assert Character not in models
    assert Location not in models


def test_should_delete_all_character_data_but_keep_the_characters(no_input):
    first, second = create_character(), create_character()
    create_section_data(first)
    create_section_data(second)

    out = run("memberaudit_reset_characters", "--noinput")

    assert set(Character.objects.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert stored_rows(first) == 0
    assert stored_rows(second) == 0
    assert "Deleted 10 rows of memberaudit.CharacterWalletJournalEntry" in out
    assert f"Deleted {2 * len(registry)} rows of memberaudit.SectionUpdateStatus" in out
    assert "Kept 2 characters" in out


def test_should_delete_nothing_without_confirmation(monkeypatch):
    character = create_character()
    create_section_data(character)
    rows_before = stored_rows(character)

    out = run("memberaudit_reset_characters", answer="", monkeypatch=monkeypatch)

    assert stored_rows(character) == rows_before
    assert "Aborted" in out


def test_should_delete_data_in_batches(no_input):
    character = create_character()
    create_section_data(character, journal_entries=7)

    deleted = delete_character_data(batch_size=3)

    assert deleted["memberaudit.CharacterWalletJournalEntry"] == 7
    assert stored_rows(character) == 0


def test_should_delete_only_the_data_of_the_given_character():
    kept, removed = create_character(), create_character()
    create_section_data(kept)
    create_section_data(removed)
    rows_kept = stored_rows(kept)

    delete_character_data(removed)

    assert stored_rows(removed) == 0
    assert stored_rows(kept) == rows_kept


# memberaudit_statistics


def test_should_print_current_statistics_as_json():
    character = create_character()
    mark_sections(character, esi_requests=3)

    data = json.loads(run("memberaudit_statistics"))

    assert data["characters"]["total"] == 1
    skills = data["update_durations"][f"ring_{registry.get('skills').ring}"]["skills"]
    assert skills["esi_requests"] == 3
    assert skills["max"] == pytest.approx(2.0)


def test_should_print_statistics_with_an_indent_of_four():
    out = run("memberaudit_statistics")

    assert out.startswith('{\n    "')


# memberaudit_load_eve


@pytest.fixture
def eveuniverse_queued(monkeypatch):
    calls = []

    def recorder(name):
        def delay(**kwargs):
            calls.append((name, kwargs))

        return delay

    eve_tasks = memberaudit_load_eve.eveuniverse_tasks
    monkeypatch.setattr(eve_tasks.load_eve_types, "delay", recorder("load_eve_types"))
    monkeypatch.setattr(eve_tasks.load_eve_object, "delay", recorder("load_eve_object"))
    return calls


def test_should_queue_loading_of_skill_and_ship_types_with_dogma(eveuniverse_queued, no_input):
    out = run("memberaudit_load_eve", "--noinput")

    type_loads = [kwargs for name, kwargs in eveuniverse_queued if name == "load_eve_types"]
    assert type_loads == [{"category_ids": [16, 6], "force_loading_dogma": True}]
    attributes = {
        kwargs["id"]
        for name, kwargs in eveuniverse_queued
        if name == "load_eve_object" and kwargs["model_name"] == "EveDogmaAttribute"
    }
    assert attributes == {182, 183, 184, 1285, 1289, 1290, 277, 278, 279, 1286, 1287, 1288}
    assert "Queued 12 dogma attributes" in out
    assert "Loading has started" in out


def test_should_load_nothing_without_confirmation(eveuniverse_queued, monkeypatch):
    out = run("memberaudit_load_eve", answer="no", monkeypatch=monkeypatch)

    assert eveuniverse_queued == []
    assert "Aborted" in out


@pytest.mark.parametrize(
    "command",
    [
        "memberaudit_load_eve",
        "memberaudit_reset_characters",
        "memberaudit_statistics",
        "memberaudit_update_characters",
    ],
)
def test_should_refuse_unknown_arguments(command):
    with pytest.raises(CommandError):
        call_command(command, "--no-such-option")


@pytest.mark.parametrize(
    ("command", "explanations"),
    [
        (
            "memberaudit_load_eve",
            ["skill types", "ship types", "dogma attributes", "EFT import", "Celery", "--noinput"],
        ),
        (
            "memberaudit_reset_characters",
            ["Delete all character data", "keep the registered characters", "Celery", "--noinput"],
        ),
        ("memberaudit_statistics", ["statistics", "JSON", "ESI requests", "section"]),
    ],
)
def test_should_explain_itself_with_help(command, explanations, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", command, "--help"]).execute()

    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert help_text.startswith(f"usage: manage.py {command}")
    for explanation in explanations:
        assert explanation in help_text


# system checks (manage.py check)

# Member Audit's checks are tagged "compatibility". Alliance Auth's untagged checks ask Redis
# for its version, which the fake Redis of the tests cannot answer.
CHECK_TAGS = [Tags.compatibility]


def test_should_report_a_bad_setting_through_the_registered_system_checks(settings):
    settings.MEMBERAUDIT_MAX_MAILS = "many"

    errors = [m for m in run_checks(tags=CHECK_TAGS) if m.id == "memberaudit.E001"]

    assert len(errors) == 1
    assert "MEMBERAUDIT_MAX_MAILS" in errors[0].msg
    with pytest.raises(SystemCheckError, match="memberaudit.E001"):
        call_command("check", "--tag", Tags.compatibility, stdout=StringIO(), stderr=StringIO())


def test_should_pass_the_system_checks_with_valid_settings():
    assert [m for m in run_checks(tags=CHECK_TAGS) if m.id == "memberaudit.E001"] == []
