"""The calendar section against the fake EVE server."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import updater
from memberaudit.models import CharacterCalendarEvent

from .helpers import forget_cached_esi_answers, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001
EVENTS = "GetCharactersCharacterIdCalendar"
EVENT = "GetCharactersCharacterIdCalendarEventId"
TABLE = "memberaudit_charactercalendarevent"


def snapshot(character) -> list:
    return list(
        character.calendar_events.order_by("event_id").values_list(
            "event_id", "title", "duration", "response", "owner_name", "text"
        )
    )


def test_should_store_events_with_their_details(make_character):
    character = make_character(ARIA)

    outcome = updater.update_section(character, "calendar")

    assert outcome.is_success and outcome.changed, outcome.message
    events = {event.event_id: event for event in character.calendar_events.all()}
    assert set(events) == {5100001, 5100002, 5100003}
    fleet = events[5100001]
    assert fleet.title == "Home defense fleet" and fleet.duration == 120
    assert fleet.importance == 1 and fleet.response == CharacterCalendarEvent.Response.ACCEPTED
    assert fleet.owner_name == "Eclipse Shipyards" and fleet.owner_type == "corporation"
    assert "showinfo:5//30002813" in fleet.text


def test_should_show_hostile_event_text_only_sanitized(make_character):
    character = make_character(ARIA)

    updater.update_section(character, "calendar")

    html = character.calendar_events.get(event_id=5100002).text_html
    assert "<script" not in html and "onerror" not in html and "alert(" not in html
    assert "Bring barges" in html


def test_should_follow_the_from_event_cursor_past_fifty_events(make_character, fake_eve):
    events = [
        {"event_id": 6000000 + n, "event_date": "now+1d", "title": f"Op {n}"} for n in range(120)
    ]
    fake_eve.scenario.update_character(ARIA, {"calendar_events": events})
    character = make_character(ARIA)

    outcome = updater.update_section(character, "calendar")

    assert outcome.is_success, outcome.message
    assert character.calendar_events.count() == 120
    assert fake_eve.log.count(route=EVENTS) == 3


def test_should_remove_events_esi_no_longer_lists_and_update_changed_ones(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "calendar")
    events = [dict(event) for event in fake_eve.scenario.character(ARIA)["calendar_events"]]
    events = [event for event in events if event["event_id"] != 5100003]
    events[0]["text"] = "Changed plans"
    fake_eve.scenario.update_character(ARIA, {"calendar_events": events})
    forget_cached_esi_answers()

    outcome = updater.update_section(character, "calendar")

    assert outcome.is_success, outcome.message
    assert set(character.calendar_events.values_list("event_id", flat=True)) == {
        5100001,
        5100002,
    }
    assert character.calendar_events.get(event_id=5100001).text == "Changed plans"


@pytest.mark.parametrize("route", [EVENTS, EVENT])
@pytest.mark.parametrize(
    "fault",
    [{"status": 403}, {"status": 404}, {"status": 429}, {"status": 500}, {"status": 503}]
    + [{"malformed": True}],
)
def test_should_keep_stored_events_when_esi_fails(make_character, fake_eve, route, fault):
    character = make_character(ARIA)
    updater.update_section(character, "calendar")
    before = snapshot(character)
    fake_eve.scenario.update_character(ARIA, {"calendar_events": []})  # would remove all
    forget_cached_esi_answers()
    if route == EVENT:
        fake_eve.scenario.reset()
    fake_eve.faults.add(route=route, **fault)

    outcome = updater.update_section(character, "calendar", force=True)

    assert not outcome.is_success
    assert snapshot(character) == before


def test_should_write_nothing_when_nothing_changed(make_character, fake_eve):
    character = make_character(ARIA)
    updater.update_section(character, "calendar")
    forget_cached_esi_answers()

    with CaptureQueriesContext(connection) as not_modified:
        assert updater.update_section(character, "calendar").is_success
    with CaptureQueriesContext(connection) as forced:
        assert updater.update_section(character, "calendar", force=True).is_success

    assert writes_to(not_modified.captured_queries, TABLE) == []
    assert writes_to(forced.captured_queries, TABLE) == []
    assert fake_eve.log.count(route=EVENTS, status=304) == 1
