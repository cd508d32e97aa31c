import pytest

from django.utils import timezone

from memberaudit.models import Character
from memberaudit.sections import registry

from .factories import create_character, create_orphan_character, mark_sections

pytestmark = pytest.mark.django_db


def needing_update() -> set[int]:
    return set(Character.objects.needing_update().values_list("pk", flat=True))


def test_should_need_update_when_never_updated():
    character = create_character()
    assert needing_update() == {character.pk}


def test_should_not_need_update_when_all_sections_fresh():
    mark_sections(create_character(), minutes_ago=10)
    assert needing_update() == set()


RING_DEFAULTS = {1: 55, 2: 235, 3: 475}


@pytest.mark.parametrize(
    ("ring", "setting"),
    [(ring, minutes) for ring, minutes in RING_DEFAULTS.items() if registry.in_ring(ring)],
)
def test_should_need_update_when_a_ring_is_older_than_its_stale_minutes(ring, setting):
    character = create_character()
    mark_sections(character, minutes_ago=10)
    names = [section.name for section in registry.in_ring(ring)]
    character.update_status_set.filter(section__in=names).update(
        finished_at=timezone.now() - timezone.timedelta(minutes=setting + 1)
    )
    assert needing_update() == {character.pk}


def test_should_honour_changed_stale_minutes(settings):
    character = create_character()
    mark_sections(character, minutes_ago=30)
    assert needing_update() == set()
    settings.MEMBERAUDIT_UPDATE_STALE_RING_1 = 20
    assert needing_update() == {character.pk}


def test_should_need_update_when_last_run_failed():
    character = create_character()
    mark_sections(character, minutes_ago=1)
    character.update_status_set.filter(section="wallet_balance").update(is_success=False)
    assert needing_update() == {character.pk}


def test_should_not_retry_sections_blocked_by_missing_scopes_before_they_are_stale():
    character = create_character()
    mark_sections(character, minutes_ago=1)
    character.update_status_set.filter(section="wallet_balance").update(
        is_success=False, error_kind="token_limited"
    )
    assert needing_update() == set()


def test_should_ignore_disabled_characters():
    character = create_character()
    Character.objects.filter(pk=character.pk).update(is_disabled=True)
    assert needing_update() == set()


def test_should_decide_staleness_of_many_characters_in_one_query(django_assert_num_queries):
    for _ in range(30):
        mark_sections(create_character(), minutes_ago=5)
    stale = create_orphan_character()
    with django_assert_num_queries(1):
        assert needing_update() == {stale.pk}
