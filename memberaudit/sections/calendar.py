"""Calendar: a character's upcoming events, each with its details.

- The list comes 50 events at a time; later ones are asked for with the ``from_event``
  cursor.
- When the list changed, every listed event's details are fetched (owner, duration, text):
  they can change without the list showing it. When any detail fails, nothing is stored.
- Events ESI no longer lists (past, or deleted in game) are removed: the tab shows what is
  coming. Texts are EVE markup written by players: stored as sent, shown sanitized.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..models import CharacterCalendarEvent
from .base import NavGroup, Section, ViewerTab, registry

EVENTS = "GetCharactersCharacterIdCalendar"
EVENT = "GetCharactersCharacterIdCalendarEventId"
EVENTS_PER_CALL = 50
MAX_EVENTS = 500
Response = CharacterCalendarEvent.Response
FIELDS = (
    "title",
    "event_date",
    "duration",
    "importance",
    "response",
    "owner_id_raw",
    "owner_name",
    "owner_type",
    "text",
)


def fetch(character, gateway) -> dict:
    character_id = character.character_id
    page = gateway.get(EVENTS, character_id=character_id) or []
    use_etag = gateway.use_etag
    gateway.use_etag = False  # something changed: later pages and details are needed in full
    try:
        rows = list(page)
        while len(page) >= EVENTS_PER_CALL and len(rows) < MAX_EVENTS:
            cursor = max((row.get("event_id") or 0) for row in page)
            page = gateway.get(EVENTS, character_id=character_id, from_event=cursor) or []
            page = [row for row in page if (row.get("event_id") or 0) > cursor]
            rows.extend(page)
        events = {}
        for row in rows:
            event_id = row.get("event_id")
            if not event_id or event_id in events:
                continue
            detail = gateway.get(EVENT, character_id=character_id, event_id=event_id)
            event = _clean(row, detail or {})
            if event is not None:
                events[event_id] = event
    finally:
        gateway.use_etag = use_etag
    return {"events": [events[key] for key in sorted(events)]}


def _clean(row: dict, detail: dict) -> dict | None:
    date = detail.get("date") or row.get("event_date")
    if isinstance(date, str):
        date = parse_datetime(date)
    if date is None:
        return None
    response = getattr(row.get("event_response"), "value", row.get("event_response"))
    response = response or detail.get("response")
    owner_type = getattr(detail.get("owner_type"), "value", detail.get("owner_type"))
    owner_id = detail.get("owner_id")
    return {
        "event_id": int(row["event_id"]),
        "title": str(detail.get("title") or row.get("title") or "")[:500],
        "event_date": date.isoformat(),
        "duration": _whole(detail.get("duration")),
        "importance": _whole(detail.get("importance", row.get("importance"))),
        "response": response if response in Response.values else Response.UNKNOWN,
        "owner_id_raw": owner_id if isinstance(owner_id, int) and owner_id > 0 else None,
        "owner_name": str(detail.get("owner_name") or "")[:254],
        "owner_type": str(owner_type or "")[:16],
        "text": str(detail.get("text") or ""),
    }


def _whole(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def store(character, data: dict) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {event["event_id"]: event for event in data["events"]}
    for event in wanted.values():
        event["event_date"] = parse_datetime(event["event_date"])
    stored = {event.event_id: event for event in character.calendar_events.all()}
    gone = [event.pk for key, event in stored.items() if key not in wanted]
    changed = []
    for key, event in stored.items():
        values = wanted.get(key)
        if values and any(getattr(event, name) != values[name] for name in FIELDS):
            for name in FIELDS:
                setattr(event, name, values[name])
            changed.append(event)
    new = [
        CharacterCalendarEvent(character=character, event_id=key, **{n: v[n] for n in FIELDS})
        for key, v in wanted.items()
        if key not in stored
    ]
    if gone:
        CharacterCalendarEvent.objects.filter(pk__in=gone).delete()
    if changed:
        CharacterCalendarEvent.objects.bulk_update(changed, fields=FIELDS, batch_size=batch_size)
    if new:
        CharacterCalendarEvent.objects.bulk_create(new, batch_size=batch_size)
    return bool(gone or changed or new)


registry.register(
    Section(
        name="calendar",
        stored=("calendar_events",),
        title=_("calendar"),
        ring=2,
        scopes=("esi-calendar.read_calendar_events.v1",),
        operations=(EVENTS, EVENT),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.INTEL,
            title=_("Calendar"),
            template="memberaudit/tabs/calendar.html",
            context=selectors.calendar_tab,
        ),
    )
)
