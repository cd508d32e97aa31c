"""The alliance benchmark (``benchmarks/alliance.py``) at a thousandth of its scale, so that
it cannot rot: its data is made on this database, it finds every route and table column of
the app, and every endpoint it measures answers."""

import dataclasses
import sys
from pathlib import Path

import pytest

from django.db import connection

from memberaudit import urls

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import alliance  # noqa: E402
import alliance_data  # noqa: E402
import alliance_endpoints  # noqa: E402

from memberaudit.json_tables import wallet_journal  # noqa: E402

TINY = alliance_data.Scale(0.001)


@pytest.fixture
def tiny_alliance(db):
    # ANALYZE TABLE would commit the test's transaction on MariaDB
    alliance_data.fill(TINY, analyze=connection.vendor != "mysql")
    return alliance.heavy_character()


def test_should_make_the_tiny_alliance(tiny_alliance):
    from django.contrib.auth.models import User

    from memberaudit.models import Character, CharacterSkillSetCheck

    assert tiny_alliance.assets.count() == TINY.assets
    assert tiny_alliance.assets.filter(parent__isnull=False).exists()
    assert tiny_alliance.wallet_journal.count() == TINY.journal
    assert tiny_alliance.mails.count() == TINY.mails
    assert tiny_alliance.contracts.count() == TINY.contracts
    assert Character.objects.count() == TINY.characters + 2  # and the viewers' mains
    assert CharacterSkillSetCheck.objects.count() == TINY.characters * TINY.skill_sets
    pilot = tiny_alliance.eve_character.character_ownership.user
    assert pilot.character_ownerships.count() == TINY.pilot_characters
    assert User.objects.get(username="bench_viewer_0").is_superuser
    # what the finder sorts owners by is copied, as when the app saves a character
    assert not Character.objects.filter(owner_main_name="").exists()
    assert not Character.objects.filter(owner_state_name="").exists()


def test_should_measure_every_route_or_say_why_not(tiny_alliance):
    endpoints, _ = alliance_endpoints.discover(tiny_alliance)
    measured = {endpoint.route for endpoint in endpoints}
    routes = {pattern.name for pattern in urls.urlpatterns}
    assert measured.isdisjoint(alliance_endpoints.NOT_MEASURED)
    assert routes == measured | set(alliance_endpoints.NOT_MEASURED)


def test_should_sort_by_each_sortable_column_read_from_the_table(tiny_alliance):
    endpoints, _ = alliance_endpoints.discover(tiny_alliance)
    names = {endpoint.name for endpoint in endpoints}
    columns = wallet_journal(tiny_alliance).columns
    sortable = [column.name for column in columns if column.is_shown and column.order_by]
    assert sortable
    for column in sortable:
        assert f"table wallet_journal: sort {column}" in names
    assert "table wallet_journal: last page" in names
    # searched for a few texts and for texts nearly every name or about half of them hold
    assert len(alliance_endpoints.SEARCH_TEXTS) >= 4
    for text in alliance_endpoints.SEARCH_TEXTS:
        assert f"table wallet_journal: search '{text}'" in names
        assert f"report skill_sets: search '{text}'" in names
    # searched as the browser does once it knows the table's total, and once without it
    by_name = {endpoint.name: endpoint for endpoint in endpoints}
    assert by_name["report skill_sets: search '1'"].params["total_known"] == "1"
    counted = by_name["report skill_sets: search '1', total counted"]
    assert "total_known" not in counted.params
    assert "table mails: folder inbox" in names


def test_every_endpoint_should_answer_for_the_viewers(tiny_alliance):
    endpoints, _ = alliance_endpoints.discover(tiny_alliance)
    # each kind of request once, as the superuser: every page, and of each table its last
    # page (after its first), its search, a filter and a sort (the other sorts and filters
    # differ only in a parameter); the recruiter opens the character's page
    sample, seen = [], set()
    for endpoint in endpoints:
        table, _, kind = endpoint.name.partition(": ")
        kind = kind.split(" ")[0]
        if (table, kind) not in seen and kind != "first":
            seen.add((table, kind))
            recruiter = endpoint.route == "character_viewer"
            viewers = ("superuser", "recruiter") if recruiter else ("superuser",)
            sample.append(dataclasses.replace(endpoint, viewers=viewers))

    results = alliance.measure(sample, repeat=0, clients=alliance.viewers())

    failed = [(r.viewer, r.endpoint.name, r.status) for r in results if r.status != 200]
    assert not failed
    assert len(results) == len(sample) + 1
    assert all(result.queries > 0 for result in results)
    journal = next(r for r in results if r.endpoint.name == "table wallet_journal: last page")
    assert journal.rows == TINY.journal
    csv = next(r for r in results if r.endpoint.name == "report skill_sets CSV")
    assert csv.rows == TINY.characters * TINY.skill_sets


def test_should_count_the_full_collections_of_each_timed_run():
    import gc

    import gc_pauses

    with gc_pauses.FullCollections() as collections:
        gc.collect(0)  # a young collection is not counted
        collections.mark()
        gc.collect()
        gc.collect()
        assert len(collections.since_mark()) == 2
        collections.mark()
        assert collections.since_mark() == []
    gc.collect()  # no longer watched

    assert len(collections.durations_ms) == 2
    assert all(duration >= 0 for duration in collections.durations_ms)


def test_should_freeze_what_the_started_process_holds():
    import gc

    import gc_pauses

    before = len(gc.get_objects())
    try:
        frozen = gc_pauses.freeze_startup_objects()
        # what is frozen is out of the collector's reach: it no longer walks those objects
        # (a frozen object may still be freed meanwhile, by another thread of the process)
        assert frozen > 1000
        assert len(gc.get_objects()) < before - 1000
    finally:
        gc.unfreeze()


def _on_event(sender, **kwargs):
    """A receiver that lives as long as the process, as Django's own do."""
    _on_event.calls += 1


_on_event.calls = 0


def test_should_leave_one_finalizer_per_signal_and_receiver():
    import gc_pauses

    from django.dispatch import Signal

    def finalizers_of(signal):
        return [
            info
            for info in gc_pauses.registered_finalizers().values()
            if getattr(info.func, "__self__", None) is signal
        ]

    signal, other = Signal(), Signal()
    for _ in range(5):  # as the test client reconnects its receivers on every request
        signal.disconnect(_on_event)
        signal.connect(_on_event)
    other.connect(_on_event)
    assert len(finalizers_of(signal)) == 5

    gc_pauses.drop_repeated_signal_finalizers()

    assert len(finalizers_of(signal)) == 1
    assert len(finalizers_of(other)) == 1  # another signal's receiver is its own
    signal.send(sender=None)
    assert _on_event.calls == 1  # still connected
    assert gc_pauses.drop_repeated_signal_finalizers() == 0
