"""Calendar events of characters: the list (50 at a time, ``from_event`` cursor) and details.

Scenario field of a character: ``calendar_events``: ``[{event_id, event_date, title,
importance, event_response, duration, owner_id, owner_name, owner_type, text}]``.
"""

from __future__ import annotations

from ..messages import EsiError
from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import CHAR_SOCIAL, rate

routes = RouteTable()

CALENDAR_SCOPE = "esi-calendar.read_calendar_events.v1"
EVENTS_PER_CALL = 50
RESPONSES = ("declined", "not_responded", "accepted", "tentative")
OWNER_TYPES = ("eve_server", "corporation", "faction", "character", "alliance")

CHARACTER_FIELDS = {
    "calendar_events": list_of(
        obj(
            {
                "event_id": req("int"),
                "event_date": req("datetime"),
                "title": req("str"),
                "importance": opt("int"),
                "event_response": opt("str", choices=RESPONSES),
                "duration": opt("int"),
                "owner_id": opt("int"),
                "owner_name": opt("str"),
                "owner_type": opt("str", choices=OWNER_TYPES),
                "text": opt("str"),
            }
        )
    ),
}


def _events(ctx) -> list[dict]:
    return sorted(ctx.character().get("calendar_events", []), key=lambda e: e["event_id"])


@routes.get(
    "/characters/{character_id}/calendar",
    "GetCharactersCharacterIdCalendar",
    scope=CALENDAR_SCOPE,
    cache_seconds=5,
    **rate(CHAR_SOCIAL),
)
def calendar(ctx):
    events = _events(ctx)
    from_event = ctx.request.arg("from_event")
    if from_event:
        try:
            after = int(from_event)
        except ValueError as exc:
            raise EsiError(400, "failed to coerce value into type integer for from_event") from exc
        events = [event for event in events if event["event_id"] > after]
    return [
        {
            "event_date": event["event_date"],
            "event_id": event["event_id"],
            "event_response": event.get("event_response", "not_responded"),
            "importance": event.get("importance", 0),
            "title": event["title"],
        }
        for event in events[:EVENTS_PER_CALL]
    ]


@routes.get(
    "/characters/{character_id}/calendar/{event_id}",
    "GetCharactersCharacterIdCalendarEventId",
    scope=CALENDAR_SCOPE,
    cache_seconds=5,
    **rate(CHAR_SOCIAL),
)
def calendar_event(ctx):
    for event in _events(ctx):
        if event["event_id"] == ctx.params["event_id"]:
            return {
                "date": event["event_date"],
                "duration": event.get("duration", 60),
                "event_id": event["event_id"],
                "importance": event.get("importance", 0),
                "owner_id": event.get("owner_id", 1),
                "owner_name": event.get("owner_name", "EVE System"),
                "owner_type": event.get("owner_type", "eve_server"),
                "response": event.get("event_response", "not_responded"),
                "text": event.get("text", ""),
                "title": event["title"],
            }
    raise EsiError(404, "Event not found")
