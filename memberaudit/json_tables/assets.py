"""The assets tables: places, items at a place, every item and a container's contents."""

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from .. import images, query_params
from ..models import (
    Character,
    CharacterAsset,
)
from ..models.locations import ASSET_SAFETY_ID, Location, unknown_place_name
from ..tables import Column, ServerSideTable
from .common import name_contains, place_name


def asset_locations(character: Character) -> ServerSideTable:
    """The places where the character has items, with the number of top-level items at each,
    as counted when the assets were stored (see :mod:`.sections.asset_places`).

    Places ESI does not name (structures without docking rights) always come last, labelled
    as unknown with their solar system when it is known. ``items_url`` lists the items there.
    """
    queryset = (
        character.asset_places.filter(items__gt=0)
        .values(
            "location_id",
            "location__name",
            "location__eve_solar_system__name",
            "location__eve_solar_system__security_status",
            "items",
        )
        .annotate(
            is_unknown=Case(
                When(
                    Q(location__name="") & ~Q(location_id=ASSET_SAFETY_ID),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    items_url = reverse("memberaudit:character_data", args=[character.pk, "asset_items"])
    return ServerSideTable(
        queryset,
        [
            Column(
                "location",
                lambda row: (
                    row["location__name"]
                    or unknown_place_name(
                        row["location_id"], row["location__eve_solar_system__name"]
                    )
                ),
                order_by="location__name",
                search="location__name",
                title=_("Place"),
                render="place",
                priority=1,
            ),
            Column(
                "solar_system",
                lambda row: row["location__eve_solar_system__name"] or "",
                order_by="location__eve_solar_system__name",
                search="location__eve_solar_system__name",
                title=_("Solar system"),
                priority=2,
            ),
            Column(
                "security_status",
                lambda row: row["location__eve_solar_system__security_status"],
            ),
            Column(
                "items",
                lambda row: row["items"],
                order_by="items",
                title=_("Items"),
                render="number",
                priority=1,
            ),
            Column("location_id", lambda row: row["location_id"]),
            Column("is_unknown", lambda row: row["is_unknown"]),
            Column("items_url", lambda row: f"{items_url}?location={row['location_id']}"),
        ],
        default_order="location__name",
        tiebreaker="location_id",
        leading_order=("is_unknown",),
    )


def assets(character: Character) -> ServerSideTable:
    """All the character's items, searchable by name, type and place; ``location`` narrows
    them to the top-level items at one place."""
    return _asset_table(
        character, character.assets.all(), filters={"location": _top_level_at_location}
    )


def asset_items(character: Character) -> ServerSideTable:
    """The top-level items at one place (``location``), as the drill-down below the places
    shows them: the columns of :func:`assets` without the place and the container, which are
    the same for every row there."""
    return _asset_table(
        character,
        character.assets.filter(parent__isnull=True),
        filters={"location": _top_level_at_location},
        without=AT_ONE_PLACE,
    )


def asset_children(character: Character, item: CharacterAsset) -> ServerSideTable:
    """The items inside ``item`` (a ship, container or office) of ``character``: the same
    columns as :func:`assets` (the page shows those of :func:`asset_items`)."""
    return _asset_table(character, character.assets.filter(parent=item))


def _top_level_at_location(queryset: QuerySet, value: str) -> QuerySet:
    location_id = query_params.identifier_or_none(value)
    if location_id is None:
        return queryset.none()
    return queryset.filter(location_id=location_id, parent__isnull=True)


# Asset columns that tell nothing in a list of items at one place or in one container.
AT_ONE_PLACE = ("location", "container")


def _asset_table(
    character: Character, queryset: QuerySet, filters=None, without: tuple[str, ...] = ()
) -> ServerSideTable:
    has_children = CharacterAsset.objects.filter(character=character, parent=OuterRef("pk"))
    rows = CharacterAsset.objects.select_related(
        "eve_type__eve_group", "place__eve_solar_system", "parent__eve_type"
    ).annotate(has_children=Exists(has_children))
    columns = [
        Column(
            "name",
            lambda row: row.display_name,
            order_by="sort_name",
            search="sort_name",
            title=_("Name"),
            render="asset",
            priority=1,
        ),
        Column(
            "type",
            lambda row: row.eve_type.name,
            "eve_type__name",
            name_contains("eve_type", EveType),
            title=_("Type"),
            priority=1,
            related="eve_type",
        ),
        Column(
            "group",
            lambda row: row.eve_type.eve_group.name if row.eve_type.eve_group else "",
            "eve_type__eve_group__name",
            title=_("Group"),
            priority=4,
            related="eve_type",
        ),
        Column(
            "quantity",
            lambda row: row.quantity,
            order_by="quantity",
            title=_("Quantity"),
            render="number",
            priority=2,
        ),
        # where the item is, however deep inside ships and containers
        Column(
            "location",
            lambda row: place_name(row.place),
            "place__name",
            name_contains("place", Location),
            title=_("Place"),
            priority=3,
            related="place",
        ),
        Column(
            "container",
            lambda row: row.parent.display_name if row.parent else "",
            # by the name shown, as stored on each item: read on the index the search of the
            # other columns walks, not found by a second pass over every item's name
            search="container_name",
            title=_("Inside"),
            priority=5,
        ),
        Column("type_id", lambda row: row.eve_type_id),
        Column("icon_url", lambda row: images.type_icon_url(row.eve_type_id)),
        Column(
            "children_url",
            lambda row: (
                reverse("memberaudit:character_asset", args=[character.pk, row.pk])
                if row.has_children
                else None
            ),
        ),
    ]
    return ServerSideTable(
        queryset,
        [column for column in columns if column.name not in without],
        default_order="eve_type__name",
        filters=filters,
        keys_first=True,
        unscoped=rows,
    )
