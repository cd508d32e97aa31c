import pytest

from django.utils import timezone

from memberaudit.managers import CharacterStatus
from memberaudit.models import Character, SectionUpdateStatus
from memberaudit.sections import registry

from .factories import create_character, mark_sections

pytestmark = pytest.mark.django_db


def status_of(character) -> str:
    return Character.objects.with_status().get(pk=character.pk).total_status


def test_should_be_incomplete_without_any_update():
    assert status_of(create_character()) == CharacterStatus.INCOMPLETE


def test_should_be_ok_when_all_sections_succeeded():
    character = create_character()
    mark_sections(character)
    assert status_of(character) == CharacterStatus.OK


def test_should_be_incomplete_when_a_section_never_ran():
    character = create_character()
    mark_sections(character)
    character.update_status_set.filter(section=registry.names()[0]).delete()
    assert status_of(character) == CharacterStatus.INCOMPLETE


def test_should_be_error_when_a_section_failed():
    character = create_character()
    mark_sections(character)
    character.update_status_set.filter(section=registry.names()[-1]).update(
        is_success=False, error_kind="esi", error_message="ESI answered 502"
    )
    assert status_of(character) == CharacterStatus.ERROR


def test_should_be_limited_token_when_only_scopes_are_missing():
    character = create_character()
    mark_sections(character)
    character.update_status_set.filter(section=registry.names()[-1]).update(
        is_success=False, error_kind="token_limited"
    )
    assert status_of(character) == CharacterStatus.LIMITED_TOKEN


def test_should_be_in_progress_while_a_section_runs():
    character = create_character()
    mark_sections(character)
    character.update_status_set.filter(section=registry.names()[0]).update(
        started_at=timezone.now()
    )
    assert status_of(character) == CharacterStatus.IN_PROGRESS


def test_should_be_disabled_whatever_the_sections_say():
    character = create_character()
    mark_sections(character, is_success=False, error_kind="esi")
    Character.objects.filter(pk=character.pk).update(is_disabled=True)
    assert status_of(character) == CharacterStatus.DISABLED


def test_should_compute_status_of_a_whole_list_in_one_query(django_assert_num_queries):
    for number in range(20):
        character = create_character()
        if number % 2:
            mark_sections(character)
    with django_assert_num_queries(1):
        statuses = [c.total_status for c in Character.objects.with_status()]
    assert statuses.count(CharacterStatus.OK) == 10
    assert statuses.count(CharacterStatus.INCOMPLETE) == 10


def test_status_rows_are_unique_per_character_and_section():
    character = create_character()
    SectionUpdateStatus.objects.create(character=character, section="skills")
    with pytest.raises(Exception):  # noqa: B017  IntegrityError differs per backend
        SectionUpdateStatus.objects.create(character=character, section="skills")


def test_should_decide_the_status_without_grouping_the_characters():
    # a join grouped by character makes every other subquery of a listing (unread mails,
    # skill in training, ...) run once per status row instead of once per character
    assert Character.objects.with_status().query.group_by is None


def test_should_give_each_character_its_own_status_in_one_listing():
    failed, complete, disabled = create_character(), create_character(), create_character()
    for character in (failed, complete, disabled):
        mark_sections(character)
    failed.update_status_set.filter(section=registry.names()[0]).update(
        is_success=False, error_kind="esi"
    )
    Character.objects.filter(pk=disabled.pk).update(is_disabled=True)
    statuses = dict(Character.objects.with_status().values_list("pk", "total_status"))
    assert statuses == {
        failed.pk: CharacterStatus.ERROR,
        complete.pk: CharacterStatus.OK,
        disabled.pk: CharacterStatus.DISABLED,
    }
