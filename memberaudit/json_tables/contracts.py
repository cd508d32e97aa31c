"""The contracts table."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from ..models import (
    Character,
    CharacterContract,
)
from ..models.locations import Location
from ..tables import Column, ServerSideTable
from .common import entity_name, iso, name_contains, number, place_name


def contracts(character: Character) -> ServerSideTable:
    """The character's contracts, newest first. A search finds the few parties and places
    whose names match first, so that it reads no other table row by row."""
    rows = CharacterContract.objects.select_related(
        "issuer", "assignee", "acceptor", "start_location", "end_location"
    )
    return ServerSideTable(
        character.contracts.all(),
        [
            Column(
                "date_issued",
                lambda row: iso(row.date_issued),
                order_by="date_issued",
                title=_("Issued"),
                render="datetime",
                priority=1,
            ),
            Column(
                "type",
                lambda row: row.get_contract_type_display(),
                order_by="contract_type",
                search="contract_type",
                title=_("Type"),
                priority=3,
            ),
            Column(
                "status",
                lambda row: row.get_status_display(),
                "status",
                "status",
                title=_("Status"),
                priority=2,
            ),
            Column(
                "title",
                lambda row: row.title or gettext("(no title)"),
                "title",
                "title",
                title=_("Title"),
                priority=1,
            ),
            Column(
                "issuer",
                lambda row: entity_name(row.issuer),
                "issuer__name",
                name_contains("issuer", EveEntity),
                related="issuer",
                title=_("Issuer"),
                priority=4,
            ),
            Column(
                "assignee",
                lambda row: entity_name(row.assignee),
                "assignee__name",
                name_contains("assignee", EveEntity),
                related="assignee",
                title=_("Assignee"),
                priority=6,
            ),
            Column(
                "acceptor",
                lambda row: entity_name(row.acceptor),
                "acceptor__name",
                name_contains("acceptor", EveEntity),
                related="acceptor",
                title=_("Acceptor"),
                priority=7,
            ),
            Column(
                "price",
                lambda row: number(row.price),
                order_by="price",
                title=_("Price"),
                render="isk",
                priority=2,
            ),
            Column(
                "reward",
                lambda row: number(row.reward),
                order_by="reward",
                title=_("Reward"),
                render="isk",
                priority=4,
            ),
            Column(
                "date_expired",
                lambda row: iso(row.date_expired),
                order_by="date_expired",
                title=_("Expires"),
                render="datetime",
                priority=3,
            ),
            Column(
                "date_completed",
                lambda row: iso(row.date_completed),
                order_by="date_completed",
                title=_("Completed"),
                render="datetime",
                details=True,
            ),
            Column(
                "start_location",
                lambda row: place_name(row.start_location),
                "start_location__name",
                name_contains("start_location", Location),
                related="start_location",
                title=_("From"),
                priority=6,
            ),
            Column(
                "end_location",
                lambda row: place_name(row.end_location),
                "end_location__name",
                name_contains("end_location", Location),
                related="end_location",
                title=_("To"),
                details=True,
            ),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_contract", args=[character.pk, row.pk]),
            ),
        ],
        default_order="-date_issued",
        keys_first=True,
        unscoped=rows,
    )
