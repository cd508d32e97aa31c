"""Notifications: every in-game notification of a character, kept as history.

- ESI lists only recent notifications; those it stops listing are kept here.
- New notifications are parsed once (:mod:`memberaudit.notification_texts`): the YAML text
  becomes fields with resolved names, so the tab can show one sentence per notification.
  Stored ones only follow their read flag: a notification never changes otherwise.
- A notification that cannot be parsed (an unknown type, broken YAML, missing fields) is
  stored with its raw text and shown as such; it never blocks the others.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import app_settings, change_events, json_tables, notification_texts, selectors
from ..entities import resolve_entities
from ..models import CharacterNotification
from .base import NavGroup, Section, ViewerTab, registry

NOTIFICATIONS = "GetCharactersCharacterIdNotifications"
SENDER_TYPES = {"character", "corporation", "alliance", "faction"}
MAX_TEXT = 100_000


def fetch(character, gateway) -> dict:
    rows = gateway.get(NOTIFICATIONS, character_id=character.character_id)
    notifications = {}
    for row in rows or []:
        notification = _clean(row)
        if notification is not None:
            notifications[notification["notification_id"]] = notification
    stored = set(character.notifications.values_list("notification_id", flat=True))
    new = [item for key, item in notifications.items() if key not in stored]
    for item in new:
        parsed = notification_texts.parse(item["type"], item["text"], item["sender_id"])
        item.update(group=parsed.group, details=parsed.details, is_parsed=parsed.is_parsed)
    _resolve_names(new, gateway)
    return {"notifications": [notifications[key] for key in sorted(notifications)]}


def _clean(row) -> dict | None:
    if not isinstance(row, dict) or not row.get("notification_id"):
        return None
    timestamp = row.get("timestamp")
    if isinstance(timestamp, str):
        timestamp = parse_datetime(timestamp)
    if timestamp is None:
        return None
    sender_type = getattr(row.get("sender_type"), "value", row.get("sender_type"))
    notification_type = getattr(row.get("type"), "value", row.get("type"))
    sender_id = row.get("sender_id")
    return {
        "notification_id": int(row["notification_id"]),
        "sender_id": int(sender_id) if isinstance(sender_id, int) and sender_id > 0 else None,
        "sender_type": str(sender_type or "")[:16],
        "type": str(notification_type or "")[:100],
        "timestamp": timestamp.isoformat(),
        "is_read": bool(row.get("is_read")),
        "text": str(row.get("text") or "")[:MAX_TEXT],
    }


def _resolve_names(new: list[dict], gateway) -> None:
    """Name the senders and the ids in the parsed fields of new notifications."""
    ids = {item["sender_id"] for item in new if item["sender_type"] in SENDER_TYPES}
    for item in new:
        ids |= notification_texts.entity_ids(item["details"])
    entities = resolve_entities(ids, gateway)
    names = {key: (entity.name, entity.category) for key, entity in entities.items()}
    for item in new:
        item["details"] = notification_texts.add_names(item["details"], names)
        if item["sender_type"] not in SENDER_TYPES or item["sender_id"] not in entities:
            item["known_sender"] = False
        else:
            item["known_sender"] = True


def store(character, data: dict) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {item["notification_id"]: item for item in data["notifications"]}
    read_flags = dict(character.notifications.values_list("notification_id", "is_read"))
    flips = [
        key
        for key, item in wanted.items()
        if key in read_flags and read_flags[key] != item["is_read"]
    ]
    for is_read in (True, False):
        ids = [key for key in flips if wanted[key]["is_read"] is is_read]
        for start in range(0, len(ids), batch_size):
            character.notifications.filter(
                notification_id__in=ids[start : start + batch_size]
            ).update(is_read=is_read)
    new = [item for key, item in wanted.items() if key not in read_flags]
    senders = set(
        EveEntity.objects.filter(
            id__in=[item["sender_id"] for item in new if item.get("known_sender")]
        ).values_list("id", flat=True)
    )
    created = CharacterNotification.objects.bulk_create(
        [
            CharacterNotification(
                character=character,
                notification_id=item["notification_id"],
                sender_id=item["sender_id"] if item["sender_id"] in senders else None,
                sender_id_raw=item["sender_id"],
                sender_type=item["sender_type"],
                type=item["type"],
                group=item.get("group") or notification_texts.Group.OTHER,
                timestamp=parse_datetime(item["timestamp"]),
                is_read=item["is_read"],
                text=item["text"],
                details=item.get("details") or {},
                is_parsed=bool(item.get("is_parsed")),
            )
            for item in new
        ],
        batch_size=batch_size,
    )
    change_events.report(created=created)
    return bool(flips or new)


registry.register(
    Section(
        name="notifications",
        title=_("notifications"),
        ring=2,
        scopes=("esi-characters.read_notifications.v1",),
        operations=(NOTIFICATIONS,),
        fetch=fetch,
        store=store,
        events=change_events.notifications,
        tab=ViewerTab(
            group=NavGroup.INTEL,
            title=_("Notifications"),
            template="memberaudit/tabs/notifications.html",
            context=selectors.notifications_tab,
            tables={"notifications": json_tables.notifications},
        ),
    )
)
