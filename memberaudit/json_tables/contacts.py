"""The contacts and standings tables."""

from django.utils.translation import gettext_lazy as _

from ..models import (
    Character,
    CharacterStanding,
)
from ..tables import Column, ServerSideTable
from .common import entity_name, labels_of


def contacts(character: Character) -> ServerSideTable:
    queryset = character.contacts.select_related("eve_entity").prefetch_related("labels")
    return ServerSideTable(
        queryset,
        [
            Column(
                "name",
                lambda row: entity_name(row.eve_entity),
                "eve_entity__name",
                "eve_entity__name",
                title=_("Name"),
                priority=1,
            ),
            Column("eve_id", lambda row: row.eve_entity_id),
            Column(
                "category",
                lambda row: row.eve_entity.category or "",
                "eve_entity__category",
                "eve_entity__category",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "standing",
                lambda row: row.standing,
                order_by="standing",
                title=_("Standing"),
                render="standing",
                priority=1,
            ),
            Column(
                "labels",
                lambda row: sorted(label.name for label in row.labels.all()),
                title=_("Labels"),
                render="list",
                priority=4,
            ),
            Column(
                "is_watched",
                lambda row: row.is_watched,
                order_by="is_watched",
                title=_("Watched"),
                render="bool",
                priority=5,
            ),
            Column(
                "is_blocked",
                lambda row: row.is_blocked,
                order_by="is_blocked",
                title=_("Blocked"),
                render="bool",
                priority=5,
            ),
        ],
        default_order="-standing",
    )


def standings(character: Character) -> ServerSideTable:
    """NPC standings towards the character, best first."""
    queryset = character.standings.select_related("eve_entity").annotate(
        kind_sort=labels_of("kind", CharacterStanding.Kind.choices)
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "name",
                lambda row: entity_name(row.eve_entity),
                "eve_entity__name",
                "eve_entity__name",
                title=_("Name"),
                priority=1,
            ),
            Column("eve_id", lambda row: row.eve_entity_id),
            Column(
                "kind",
                lambda row: str(row.get_kind_display()),
                order_by="kind_sort",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "standing",
                lambda row: row.standing,
                order_by="standing",
                title=_("Standing"),
                render="standing",
                priority=1,
            ),
        ],
        default_order="-standing",
    )
