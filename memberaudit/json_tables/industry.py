"""The industry jobs and blueprints tables."""

from django.db.models import (
    Case,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from ..models import (
    Character,
    CharacterIndustryJob,
)
from ..models.locations import Location
from ..tables import Column, ServerSideTable
from .common import iso, labels_of, name_column, name_contains, number, place_name, place_sort


def industry_jobs(character: Character) -> ServerSideTable:
    """Jobs, latest end first; active jobs carry their end for the remaining time. Searches
    and sorts by a type or facility start from the character's own jobs (see
    :func:`name_contains` and :attr:`memberaudit.tables.Column.related`)."""
    rows = CharacterIndustryJob.objects.select_related(
        "blueprint_type", "product_type", "facility", "installer"
    )
    now = timezone.now()
    return ServerSideTable(
        character.industry_jobs.all(),
        [
            Column(
                "start_date",
                lambda row: iso(row.start_date),
                order_by="start_date",
                title=_("Started"),
                render="datetime",
                priority=4,
            ),
            Column(
                "end_date",
                lambda row: iso(row.end_date),
                order_by="end_date",
                title=_("Ends"),
                render="datetime",
                priority=1,
            ),
            Column(
                "remaining",
                lambda row: _seconds_left(row, now),
                title=_("Remaining"),
                render="duration",
                priority=2,
            ),
            Column(
                "activity",
                lambda row: row.get_activity_id_display(),
                order_by="activity_sort",
                title=_("Activity"),
                priority=2,
            ),
            Column(
                "blueprint",
                lambda row: row.blueprint_type.name,
                "blueprint_type__name",
                name_contains("blueprint_type", EveType),
                title=_("Blueprint"),
                priority=1,
                related="blueprint_type",
            ),
            Column(
                "product",
                lambda row: row.product_type.name if row.product_type else "",
                "product_type__name",
                name_contains("product_type", EveType),
                title=_("Product"),
                priority=3,
                related="product_type",
            ),
            Column(
                "runs",
                lambda row: row.runs,
                order_by="runs",
                title=_("Runs"),
                render="number",
                priority=4,
            ),
            Column(
                "status",
                lambda row: row.get_status_display(),
                order_by="status_sort",
                search="status",
                title=_("Status"),
                priority=2,
            ),
            Column(
                "facility",
                lambda row: place_name(row.facility),
                order_by="facility_sort",
                search=name_contains("facility", Location),
                title=_("Facility"),
                priority=5,
            ),
            Column(
                "cost",
                lambda row: number(row.cost),
                order_by="cost",
                title=_("Cost"),
                render="isk",
                details=True,
            ),
        ],
        default_order="-end_date",
        sort_keys={
            "activity_sort": labels_of("activity_id", CharacterIndustryJob.Activity.choices),
            "status_sort": labels_of("status", CharacterIndustryJob.Status.choices),
            "facility_sort": place_sort("facility"),
        },
        keys_first=True,
        unscoped=rows,
    )


def _seconds_left(job: CharacterIndustryJob, now) -> int | None:
    """Seconds until an active job ends; None for any other job."""
    if job.status != CharacterIndustryJob.Status.ACTIVE:
        return None
    return max(0, int((job.end_date - now).total_seconds()))


def blueprints(character: Character) -> ServerSideTable:
    original, copy = gettext("original"), gettext("copy")
    queryset = character.blueprints.select_related("eve_type", "location").annotate(
        # ESI's quantity is -2 for a copy, -1 for a single original, else a stack of originals
        kind_sort=Case(When(quantity=-2, then=Value(copy)), default=Value(original)),
        location_sort=place_sort("location"),
    )
    return ServerSideTable(
        queryset,
        [
            Column(
                "type",
                lambda row: row.eve_type.name,
                "eve_type__name",
                "eve_type__name",
                title=_("Blueprint"),
                priority=1,
            ),
            Column(
                "kind",
                lambda row: copy if row.is_copy else original,
                order_by="kind_sort",
                title=_("Original/copy"),
                priority=2,
            ),
            Column(
                "quantity",
                lambda row: row.quantity if row.quantity > 0 else 1,
                order_by="quantity",
                title=_("Quantity"),
                render="number",
                priority=3,
            ),
            Column(
                "material_efficiency",
                lambda row: row.material_efficiency,
                order_by="material_efficiency",
                title=_("ME"),
                render="number",
                priority=2,
            ),
            Column(
                "time_efficiency",
                lambda row: row.time_efficiency,
                order_by="time_efficiency",
                title=_("TE"),
                render="number",
                priority=2,
            ),
            Column(
                "runs",
                lambda row: row.runs if row.runs >= 0 else None,
                order_by="runs",
                title=_("Runs"),
                render="number",
                priority=3,
            ),
            Column(
                "location",
                lambda row: place_name(row.location),
                order_by="location_sort",
                search="location__name",
                title=_("Location"),
                priority=4,
            ),
            name_column(
                "container", "container_name", "container_name", title=_("Container"), priority=5
            ),
        ],
        default_order="eve_type__name",
    )
