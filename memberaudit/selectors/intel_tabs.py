"""The intel tabs: killmails, notifications, contact notifications, calendar."""

from django.db.models import (
    Count,
    Prefetch,
    Q,
)

from ..models import (
    Character,
)

TOP_KILLMAIL_ROWS = 5


def killmails_tab(character: Character) -> dict:
    """How many kills and losses are stored and wait for details, the ships the character
    flew on its kills and the systems it fought in most (three queries)."""
    from ..models import KillmailAttacker

    counts = character.killmails.aggregate(
        kills=Count("pk", filter=Q(is_loss=False)),
        losses=Count("pk", filter=Q(is_loss=True)),
        waiting=Count("pk", filter=Q(is_loss__isnull=True)),
    )
    ships = (
        KillmailAttacker.objects.filter(
            killmail__characters__character=character,
            character_id=character.eve_character.character_id,
            ship_type__isnull=False,
        )
        .values("ship_type__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "ship_type__name")[:TOP_KILLMAIL_ROWS]
    )
    systems = (
        character.killmails.filter(is_loss__isnull=False, killmail__solar_system__isnull=False)
        .values("killmail__solar_system__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "killmail__solar_system__name")[:TOP_KILLMAIL_ROWS]
    )
    return {
        **counts,
        "ships": [(row["ship_type__name"], row["count"]) for row in ships],
        "systems": [(row["killmail__solar_system__name"], row["count"]) for row in systems],
    }


def notifications_tab(character: Character) -> dict:
    """The groups of notification types with their counts, and the unread count (2 queries)."""
    from ..notification_texts import Group

    counts = dict(
        character.notifications.values_list("group").annotate(count=Count("pk")).order_by()
    )
    groups = [
        {"key": key, "title": title, "count": counts[key]}
        for key, title in Group.TITLES.items()
        if counts.get(key)
    ]
    return {
        "groups": groups,
        "total": sum(counts.values()),
        "unread": character.notifications.filter(is_read=False).count(),
    }


MAX_CONTACT_NOTIFICATIONS_SHOWN = 200


def contact_notifications_tab(character: Character) -> dict:
    """The newest contact notifications with their senders (one query)."""
    rows = character.contact_notifications.select_related("sender").order_by(
        "-send_date", "-notification_id"
    )[:MAX_CONTACT_NOTIFICATIONS_SHOWN]
    return {"notifications": list(rows)}


def calendar_tab(character: Character) -> dict:
    """The character's events, soonest first (one query)."""
    return {"events": list(character.calendar_events.order_by("event_date", "event_id"))}


def character_killmail(character: Character, killmail_id: int):
    """One killmail of the character with its attackers and items; None when the character
    has no such killmail or its details are not stored yet (three queries)."""
    from ..models import KillmailAttacker, KillmailItem

    link = (
        character.killmails.filter(killmail_id=killmail_id, is_loss__isnull=False)
        .select_related(
            "killmail__solar_system",
            "killmail__victim_character",
            "killmail__victim_corporation",
            "killmail__victim_alliance",
            "killmail__victim_faction",
            "killmail__victim_ship_type",
        )
        .prefetch_related(
            Prefetch(
                "killmail__attackers",
                queryset=KillmailAttacker.objects.select_related(
                    "character", "corporation", "alliance", "faction", "ship_type", "weapon_type"
                ).order_by("-is_final_blow", "-damage_done", "pk"),
            ),
            Prefetch(
                "killmail__items",
                queryset=KillmailItem.objects.select_related("item_type").order_by("position"),
            ),
        )
        .first()
    )
    return link
