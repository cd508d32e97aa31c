"""Contact notifications: who added the character as a contact, with standing and message.

ESI lists the recent ones; those it stops listing are kept, as with notifications. Messages
are EVE markup written by other players: stored as sent, shown sanitized.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .. import app_settings, selectors
from ..entities import resolve_entities
from ..models import CharacterContactNotification
from .base import NavGroup, Section, ViewerTab, registry

CONTACT_NOTIFICATIONS = "GetCharactersCharacterIdNotificationsContacts"
MAX_MESSAGE = 10_000


def fetch(character, gateway) -> dict:
    rows = gateway.get(CONTACT_NOTIFICATIONS, character_id=character.character_id)
    items = {}
    for row in rows or []:
        item = _clean(row)
        if item is not None:
            items[item["notification_id"]] = item
    stored = set(character.contact_notifications.values_list("notification_id", flat=True))
    known = resolve_entities(
        {item["sender_character_id"] for key, item in items.items() if key not in stored},
        gateway,
    )
    for item in items.values():
        item["is_named"] = item["sender_character_id"] in known
    return {"notifications": [items[key] for key in sorted(items)]}


def _clean(row) -> dict | None:
    if not isinstance(row, dict) or not row.get("notification_id"):
        return None
    sender = row.get("sender_character_id")
    send_date = row.get("send_date")
    if isinstance(send_date, str):
        send_date = parse_datetime(send_date)
    if not isinstance(sender, int) or sender <= 0 or send_date is None:
        return None
    try:
        standing = float(row.get("standing_level") or 0.0)
    except (TypeError, ValueError):
        standing = 0.0
    return {
        "notification_id": int(row["notification_id"]),
        "sender_character_id": sender,
        "standing_level": max(-10.0, min(10.0, standing)),
        "message": str(row.get("message") or "")[:MAX_MESSAGE],
        "send_date": send_date.isoformat(),
    }


def store(character, data: dict) -> bool:
    stored = set(character.contact_notifications.values_list("notification_id", flat=True))
    new = [item for item in data["notifications"] if item["notification_id"] not in stored]
    CharacterContactNotification.objects.bulk_create(
        [
            CharacterContactNotification(
                character=character,
                notification_id=item["notification_id"],
                sender_id=item["sender_character_id"] if item["is_named"] else None,
                sender_character_id=item["sender_character_id"],
                standing_level=item["standing_level"],
                message=item["message"],
                send_date=parse_datetime(item["send_date"]),
            )
            for item in new
        ],
        batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE,
    )
    return bool(new)


registry.register(
    Section(
        name="contact_notifications",
        title=_("contact notifications"),
        ring=2,
        scopes=("esi-characters.read_notifications.v1",),
        operations=(CONTACT_NOTIFICATIONS,),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.INTEL,
            title=_("Added as contact"),
            template="memberaudit/tabs/contact_notifications.html",
            context=selectors.contact_notifications_tab,
        ),
    )
)
