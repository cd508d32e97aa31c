"""Loading item types: a database lock conflict is left to the updater, which tries again."""

from types import SimpleNamespace
from unittest import mock

import pytest

from django.db import OperationalError

from memberaudit import updater
from memberaudit.sections import contracts, esi_values

DEADLOCK = OperationalError(1213, "Deadlock found when trying to get lock")
LOADER = "eveuniverse.models.EveType.objects.bulk_get_or_create_esi"
# A gateway that answers no request of a batch: the types are left to eveuniverse.
NO_ANSWERS = SimpleNamespace(get_each=lambda operation, calls, **options: [])
LOADS = [
    lambda: esi_values.load_types({587}, "jobs", NO_ANSWERS),
    lambda: contracts._load_types({587}, NO_ANSWERS),
]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("load", LOADS)
def test_should_leave_a_deadlock_to_the_updater_instead_of_calling_it_bad_data(load):
    with mock.patch(LOADER, side_effect=DEADLOCK), pytest.raises(OperationalError) as caught:
        load()

    assert updater.is_lock_conflict(caught.value)


@pytest.mark.parametrize("load", LOADS)
def test_should_fail_the_run_with_a_message_when_esi_cannot_give_the_types(load):
    with (
        mock.patch(LOADER, side_effect=RuntimeError("ESI down")),
        pytest.raises(updater.SectionDataError, match="Could not load item types"),
    ):
        load()
