import pytest
from celery import states
from celery.result import EagerResult

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.eveonline.models import EveCharacter
from allianceauth.notifications.models import Notification

from memberaudit import tasks
from memberaudit.models import Character, SectionUpdateStatus
from memberaudit.sections import registry

from .factories import create_character, create_user, mark_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Record what the tasks queue instead of running it."""
    calls = []

    def recorder(task_name):
        def apply_async(args=None, kwargs=None, **options):
            calls.append((task_name, kwargs, options))
            return EagerResult(f"task-{len(calls)}", None, states.SUCCESS)

        return apply_async

    monkeypatch.setattr(tasks.update_character, "apply_async", recorder("update_character"))
    monkeypatch.setattr(tasks.update_section, "apply_async", recorder("update_section"))
    # The hourly run's housekeeping (compliance, share notices, export purge) is queued as
    # tasks of its own: not run here, and not counted among the character updates.
    for housekeeping in (
        tasks.update_compliance_groups_for_all,
        tasks.notify_expiring_shares,
        tasks.purge_data_exports,
    ):
        monkeypatch.setattr(housekeeping, "apply_async", lambda *args, **kwargs: None)
    return calls


def create_many_fresh_characters(count: int) -> None:
    """Characters owned by a few users, all sections updated a minute ago, in bulk."""
    users = [create_user() for _ in range(10)]
    eve_characters = EveCharacter.objects.bulk_create(
        EveCharacter(
            character_id=90_100_000 + number,
            character_name=f"Bulk {number}",
            corporation_id=98_000_001,
            corporation_name="Demo Corp",
            corporation_ticker="DEMO",
        )
        for number in range(count)
    )
    CharacterOwnership.objects.bulk_create(
        CharacterOwnership(
            character=eve_character, user=users[number % 10], owner_hash=f"h{number}"
        )
        for number, eve_character in enumerate(eve_characters)
    )
    characters = Character.objects.bulk_create(
        Character(eve_character=eve_character) for eve_character in eve_characters
    )
    now = tasks.updater.timezone.now()
    SectionUpdateStatus.objects.bulk_create(
        [
            SectionUpdateStatus(
                character=character,
                section=section.name,
                is_success=True,
                started_at=now,
                finished_at=now,
            )
            for character in characters
            for section in registry
        ],
        batch_size=2000,
    )


def test_should_queue_nothing_for_1000_fresh_characters_in_constant_queries(
    queued, django_assert_max_num_queries
):
    create_many_fresh_characters(1000)
    with django_assert_max_num_queries(2):
        assert tasks.run_regular_updates() == 0
    assert queued == []


def test_should_queue_only_characters_with_stale_sections(queued):
    fresh = create_character()
    mark_sections(fresh, minutes_ago=5)
    stale = create_character()
    mark_sections(stale, minutes_ago=5)
    stale.update_status_set.filter(section="wallet_balance").update(is_success=False)

    assert tasks.run_regular_updates() == 1
    assert [(name, kwargs["character_pk"]) for name, kwargs, _ in queued] == [
        ("update_character", stale.pk)
    ]
    assert queued[0][2]["priority"] == tasks.DEFAULT_TASK_PRIORITY


def test_should_queue_only_stale_sections_of_a_character(queued):
    character = create_character()
    mark_sections(character, minutes_ago=5)
    character.update_status_set.filter(section="wallet_balance").update(is_success=False)

    tasks.update_character(character.pk)

    assert [(name, kwargs["section"]) for name, kwargs, _ in queued] == [
        ("update_section", "wallet_balance")
    ]


def test_should_queue_every_section_at_user_priority_when_forced(queued):
    character = create_character()
    mark_sections(character, minutes_ago=5)

    tasks.update_character(character.pk, force=True, priority=tasks.USER_TASK_PRIORITY)

    assert sorted(kwargs["section"] for _, kwargs, _ in queued) == sorted(registry.names())
    assert {options["priority"] for _, _, options in queued} == {tasks.USER_TASK_PRIORITY}
    assert all(kwargs["force"] for _, kwargs, _ in queued)


def test_should_run_user_triggered_updates_before_periodic_ones():
    assert tasks.USER_TASK_PRIORITY < tasks.DEFAULT_TASK_PRIORITY  # 0 is Celery's highest


def test_should_disable_orphaned_character_and_queue_nothing(queued):
    character = create_character()
    mark_sections(character, minutes_ago=500)
    CharacterOwnership.objects.filter(character=character.eve_character).delete()

    assert tasks.update_character(character.pk) == []

    character = Character.objects.get(pk=character.pk)
    assert character.is_orphan and character.is_disabled
    assert character.update_status_set.count() == len(registry)
    assert queued == []


def test_should_tell_the_last_owner_once_that_the_character_became_an_orphan(queued):
    owner = create_user()
    character = create_character(owner)
    CharacterOwnership.objects.filter(character=character.eve_character).delete()

    tasks.update_character(character.pk)
    tasks.update_character(character.pk, force=True)

    assert Notification.objects.filter(user=owner).count() == 1


def test_should_skip_sections_of_a_disabled_character_unless_forced():
    character = create_character()
    Character.objects.filter(pk=character.pk).update(is_disabled=True)

    assert tasks.update_section(character.pk, "skill_sets") is False
    assert not SectionUpdateStatus.objects.filter(character=character).exists()
    assert tasks.update_section(character.pk, "skill_sets", force=True) is True


def test_should_skip_even_forced_sections_once_the_token_stopped_working(queued):
    character = create_character()
    Character.objects.filter(pk=character.pk).update(
        is_disabled=True, token_error_notified_at=tasks.updater.timezone.now()
    )

    assert tasks.update_character(character.pk, force=True) == []
    assert tasks.update_section(character.pk, "skill_sets", force=True) is False
    assert not SectionUpdateStatus.objects.filter(character=character).exists()
    assert queued == []


def test_should_not_update_disabled_character_unless_forced(queued):
    character = create_character()
    Character.objects.filter(pk=character.pk).update(is_disabled=True)
    assert tasks.update_character(character.pk) == []
    assert queued == []


def test_should_never_queue_the_same_section_twice_at_once():
    character = create_character()
    key = tasks.update_section.get_key(
        kwargs={"character_pk": character.pk, "section": "wallet_balance", "force": False}
    )
    tasks.update_section.once_backend.raise_or_lock(key, timeout=60)  # already queued

    result = tasks.update_section.apply_async(
        kwargs={"character_pk": character.pk, "section": "wallet_balance", "force": True}
    )

    assert result.state == "REJECTED"
    assert not SectionUpdateStatus.objects.filter(character=character).exists()


def test_should_not_drop_a_forced_update_while_a_periodic_one_is_queued(monkeypatch):
    sections = []
    monkeypatch.setattr(
        tasks.update_section, "apply_async", lambda kwargs=None, **options: sections.append(kwargs)
    )
    character = create_character()
    periodic = tasks.update_character.get_key(kwargs={"character_pk": character.pk})
    tasks.update_character.once_backend.raise_or_lock(periodic, timeout=60)  # still queued

    tasks.update_character_now(character)

    assert sections and all(kwargs["force"] for kwargs in sections)
    again = tasks.update_character.apply_async(kwargs={"character_pk": character.pk})
    assert again.state == "REJECTED"  # a second periodic one is still dropped


def test_should_apply_time_limit_setting_to_all_tasks():
    for task in (tasks.run_regular_updates, tasks.update_character, tasks.update_section):
        assert task.time_limit == 7200


def test_should_log_durations_of_previous_run_when_enabled(settings, caplog, queued):
    settings.MEMBERAUDIT_LOG_UPDATE_STATS = True
    mark_sections(create_character(), minutes_ago=5)
    with caplog.at_level("INFO", logger="memberaudit.statistics"):
        tasks.run_regular_updates()
    lines = [r.getMessage() for r in caplog.records if r.name == "memberaudit.statistics"]
    assert any(
        "ring_2 wallet_balance: max 2.000 s, avg 2.000 s, min 2.000 s" in line for line in lines
    )


def test_should_not_log_durations_when_disabled(caplog, queued):
    mark_sections(create_character(), minutes_ago=5)
    with caplog.at_level("INFO", logger="memberaudit.statistics"):
        tasks.run_regular_updates()
    assert not [r for r in caplog.records if r.name == "memberaudit.statistics"]


def test_should_unlock_skill_set_checks_when_they_start():
    assert tasks.update_skill_set_checks.once["unlock_before_run"] is True


def test_should_run_a_skill_set_recheck_asked_for_while_one_runs(monkeypatch):
    """An edit saved while a recheck runs must get its own recheck, not be dropped."""
    skill_set_id = 42
    runs = []

    def recheck(skill_set_ids):
        runs.append(skill_set_ids)
        if len(runs) == 1:  # the skill set is edited while the first recheck runs
            result = tasks.update_skill_set_checks.apply_async(
                kwargs={"skill_set_id": skill_set_id}
            )
            assert result.state != "REJECTED"

    monkeypatch.setattr("memberaudit.skill_set_checks.update_checks_for_skill_sets", recheck)

    tasks.update_skill_set_checks.apply_async(kwargs={"skill_set_id": skill_set_id})

    assert runs == [[skill_set_id], [skill_set_id]]
