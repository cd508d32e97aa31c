"""The killmails and notifications tables."""

from django.db.models import (
    Prefetch,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import notification_texts
from ..models import (
    Character,
    KillmailAttacker,
)
from ..tables import Column, ServerSideTable
from .common import entity_name, iso, labels_of, name_column


def killmails(character: Character) -> ServerSideTable:
    """The character's kills and losses with stored details, newest first; ``kind`` narrows
    them to ``kills`` or ``losses``."""
    attackers = KillmailAttacker.objects.select_related("character").order_by(
        "-is_final_blow", "-damage_done", "pk"
    )
    queryset = (
        character.killmails.filter(is_loss__isnull=False)
        .select_related(
            "killmail__solar_system",
            "killmail__victim_character",
            "killmail__victim_corporation",
            "killmail__victim_alliance",
            "killmail__victim_ship_type",
        )
        .prefetch_related(Prefetch("killmail__attackers", queryset=attackers))
        # sorted as shown: the victim's name, else its corporation's (structures)
        .annotate(
            victim_sort=Coalesce(
                NullIf("killmail__victim_character__name", Value("")),
                "killmail__victim_corporation__name",
            )
        )
    )
    ours = _our_organisations(character)
    return ServerSideTable(
        queryset,
        [
            Column(
                "time",
                lambda row: iso(row.killmail.time),
                order_by="killmail__time",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            Column(
                "is_loss",
                lambda row: row.is_loss,
                order_by="is_loss",
                title=_("Kill or loss"),
                render="loss",
                priority=1,
            ),
            Column(
                "ship",
                lambda row: entity_name(row.killmail.victim_ship_type),
                "killmail__victim_ship_type__name",
                "killmail__victim_ship_type__name",
                title=_("Ship"),
                priority=2,
            ),
            Column(
                "victim",
                lambda row: (
                    entity_name(row.killmail.victim_character)
                    or entity_name(row.killmail.victim_corporation)
                ),
                order_by="victim_sort",
                search="victim_sort",
                title=_("Victim"),
                priority=1,
            ),
            Column(
                "victim_corporation",
                lambda row: entity_name(row.killmail.victim_corporation),
                "killmail__victim_corporation__name",
                "killmail__victim_corporation__name",
                title=_("Corporation"),
                priority=4,
            ),
            Column(
                "solar_system",
                lambda row: entity_name(row.killmail.solar_system),
                "killmail__solar_system__name",
                "killmail__solar_system__name",
                title=_("System"),
                priority=3,
            ),
            Column(
                "final_blow",
                lambda row: _final_blow(row.killmail),
                title=_("Final blow"),
                priority=5,
            ),
            Column(
                "attacker_count",
                lambda row: row.killmail.attacker_count,
                order_by="killmail__attacker_count",
                title=_("Attackers"),
                render="number",
                priority=3,
            ),
            Column(
                "co_attackers",
                lambda row: _co_attackers(row.killmail, character.character_id, ours),
                title=_("Co-attackers"),
                render="pilots",
                priority=2,
            ),
            Column(
                "killboard_url",
                lambda row: row.killmail.killboard_url,
                title=_("Killboard"),
                render="killboard",
                priority=2,
            ),
            Column(
                "detail_url",
                lambda row: reverse(
                    "memberaudit:character_killmail", args=[character.pk, row.killmail_id]
                ),
            ),
        ],
        default_order="-killmail__time",
        filters={"kind": _killmail_kind},
    )


MAX_CO_ATTACKERS = 10


def _our_organisations(character: Character) -> set[int]:
    """Our corporation and alliance, to mark co-attackers who belong to them."""
    eve_character = character.eve_character
    return {eve_character.corporation_id, eve_character.alliance_id} - {None}


def _final_blow(killmail) -> str:
    for attacker in killmail.attackers.all():
        if attacker.is_final_blow:
            return entity_name(attacker.character) or gettext("(NPC or structure)")
    return ""


def _co_attackers(killmail, character_id: int, ours: set[int]) -> list[dict]:
    """The player attackers other than the character, strongest first, each marked when
    they belong to our corporation or alliance."""
    rows = [
        {
            "name": entity_name(attacker.character) or f"#{attacker.character_id}",
            "ours": bool({attacker.corporation_id, attacker.alliance_id} & ours),
        }
        for attacker in killmail.attackers.all()
        if attacker.character_id and attacker.character_id != character_id
    ]
    return rows[:MAX_CO_ATTACKERS]


def _killmail_kind(queryset: QuerySet, value: str) -> QuerySet:
    if value == "kills":
        return queryset.filter(is_loss=False)
    if value == "losses":
        return queryset.filter(is_loss=True)
    return queryset.none()


MAX_RAW_TEXT_SHOWN = 2000


def notifications(character: Character) -> ServerSideTable:
    """The character's notifications, newest first; ``group`` narrows them to one group of
    types. A parsed notification's ``message`` is its sentence as parts (text and links),
    any other's the raw text: both are data, escaped by the browser."""
    queryset = character.notifications.select_related("sender").annotate(
        # sorted as shown: by the group's title in the viewer's language
        group_sort=labels_of("group", notification_texts.Group.TITLES.items())
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "timestamp",
                lambda row: iso(row.timestamp),
                order_by="timestamp",
                title=_("Date"),
                render="datetime",
                priority=1,
            ),
            Column(
                "group",
                lambda row: str(notification_texts.Group.TITLES.get(row.group, row.group)),
                order_by="group_sort",
                title=_("Group"),
                priority=4,
            ),
            name_column("type", "type", "type", title=_("Type"), priority=3),
            Column(
                "sender",
                lambda row: (
                    entity_name(row.sender)
                    or (f"#{row.sender_id_raw}" if row.sender_id_raw else "")
                ),
                "sender__name",
                "sender__name",
                title=_("Sender"),
                priority=2,
            ),
            Column(
                "message",
                lambda row: (
                    (notification_texts.segments(row.type, row.details) if row.is_parsed else None)
                    or row.text[:MAX_RAW_TEXT_SHOWN]
                ),
                search="text",
                title=_("Message"),
                render="sentence",
                priority=1,
            ),
            Column(
                "is_read",
                lambda row: row.is_read,
                order_by="is_read",
                title=_("Read"),
                render="bool",
                priority=5,
            ),
        ],
        default_order="-timestamp",
        filters={"group": _notification_group},
    )


def _notification_group(queryset: QuerySet, value: str) -> QuerySet:
    if value not in notification_texts.Group.TITLES:
        return queryset.none()
    return queryset.filter(group=value)
