"""Places where characters, clones, assets and contracts are: stations, structures, systems."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveSolarSystem, EveType

__all__ = ["Location"]

STATION_IDS = range(60_000_000, 64_000_000)
SOLAR_SYSTEM_IDS = range(30_000_000, 33_000_000)
ASSET_SAFETY_ID = 2004
STRUCTURE_MIN_ID = 1_000_000_000_000


class Location(models.Model):
    """A station, a player structure or a solar system, by its EVE id (64 bit)."""

    class Kind(models.TextChoices):
        STATION = "station", _("station")
        STRUCTURE = "structure", _("structure")
        SOLAR_SYSTEM = "solar_system", _("solar system")
        ASSET_SAFETY = "asset_safety", _("asset safety")
        UNKNOWN = "unknown", _("unknown")

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=200, blank=True, default="")
    eve_solar_system = models.ForeignKey(
        EveSolarSystem, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    eve_type = models.ForeignKey(
        EveType, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    owner = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    updated_at = models.DateTimeField(
        null=True, default=None, help_text=_("When the details were last fetched from ESI")
    )
    retry_after = models.DateTimeField(
        null=True,
        default=None,
        help_text=_("No new lookup before this time (e.g. no docking rights)"),
    )
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.display_name

    @property
    def kind(self) -> str:
        return kind_of_location_id(self.id)

    @property
    def is_placeholder(self) -> bool:
        """True while nothing is known about the place but its id."""
        return not self.name and self.eve_solar_system_id is None

    @property
    def is_unknown(self) -> bool:
        """True for a place whose name ESI does not tell, e.g. a structure without docking
        rights (asset safety has no name either, but is known)."""
        return is_unknown_place(self.id, self.name)

    @property
    def display_name(self) -> str:
        """The name; for an unknown place what it is, with its solar system when known.

        The system is used only when already loaded (``select_related``): never a query.
        """
        if self.name:
            return self.name
        system = None
        if self.eve_solar_system_id and self._meta.get_field("eve_solar_system").is_cached(self):
            system = self.eve_solar_system.name
        return unknown_place_name(self.id, system)


def is_unknown_place(location_id: int, name: str) -> bool:
    return not name and kind_of_location_id(location_id) != Location.Kind.ASSET_SAFETY


def unknown_place_name(location_id: int, solar_system_name: str | None = None) -> str:
    """How a place without a name is shown: asset safety, or an unknown structure or place
    (with its solar system when known, e.g. from a character docked there)."""
    kind = kind_of_location_id(location_id)
    if kind == Location.Kind.ASSET_SAFETY:
        return str(_("Asset Safety"))
    if kind == Location.Kind.STRUCTURE:
        if solar_system_name:
            return str(
                _("Unknown structure in %(system)s (#%(id)s)")
                % {"system": solar_system_name, "id": location_id}
            )
        return str(_("Unknown structure #%(id)s") % {"id": location_id})
    if solar_system_name:
        return str(
            _("Unknown location in %(system)s (#%(id)s)")
            % {"system": solar_system_name, "id": location_id}
        )
    return str(_("Unknown location #%(id)s") % {"id": location_id})


def kind_of_location_id(location_id: int) -> str:
    """Tell from an id alone which kind of place it is."""
    if location_id in STATION_IDS:
        return Location.Kind.STATION
    if location_id in SOLAR_SYSTEM_IDS:
        return Location.Kind.SOLAR_SYSTEM
    if location_id == ASSET_SAFETY_ID:
        return Location.Kind.ASSET_SAFETY
    if location_id >= STRUCTURE_MIN_ID:
        return Location.Kind.STRUCTURE
    return Location.Kind.UNKNOWN
