"""Turn ESI location ids into :class:`~memberaudit.models.Location` rows.

Every section that meets a location id (location, jump clones, assets, contracts) calls
:func:`resolve_locations`. It keeps ESI calls to a minimum:

- a location fetched less than ``MEMBERAUDIT_LOCATION_STALE_HOURS`` ago is not fetched again;
- a structure lookup that failed (401/403 without docking rights, or any other error) is not
  tried again before ``retry_after``, which grows with every failure (1 h, 2 h, 4 h ... 1 week):
  each such error counts against ESI's error limit;
- asset safety and ids of no known kind become placeholders without any call, and so do
  structures when the token lacks ``esi-universe.read_structures.v1``.

A failed lookup never fails the caller: the place is kept as a placeholder (id only), or with
the details known from an earlier lookup.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from eveuniverse.models import EveSolarSystem, EveType

from . import app_settings
from .bulk import bulk_upsert
from .entities import resolve_entities
from .esi_gateway import EsiErrorLimitReached, EsiGateway, EsiRateLimited, EsiTokenError
from .eve_types import ask_for_solar_systems, ask_for_types
from .models import Location

logger = logging.getLogger(__name__)

STRUCTURES_SCOPE = "esi-universe.read_structures.v1"
FIRST_RETRY_DELAY = timedelta(hours=1)
MAX_RETRY_DELAY = timedelta(weeks=1)
_WRITTEN_FIELDS = (
    "name",
    "eve_solar_system",
    "eve_type",
    "owner",
    "updated_at",
    "retry_after",
    "failed_attempts",
)

Kind = Location.Kind
STATION = "GetUniverseStationsStationId"
STRUCTURE = "GetUniverseStructuresStructureId"


def resolve_locations(
    location_ids: Iterable[int | None], gateway: EsiGateway
) -> dict[int, Location]:
    """Return a ``Location`` for every id, fetching from ESI only what is missing or stale.

    Ids that cannot be resolved come back as placeholders (``Location.is_placeholder``).
    """
    wanted = {int(location_id) for location_id in location_ids if location_id}
    if not wanted:
        return {}
    known = Location.objects.select_related("eve_solar_system", "eve_type", "owner").in_bulk(wanted)
    now = timezone.now()
    due = sorted(location_id for location_id in wanted if _is_due(known.get(location_id), now))
    if not due:
        return known
    resolved, new_placeholders = _Resolver(gateway, known, now).resolve(due)
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    if resolved:
        bulk_upsert(
            Location,
            resolved,
            unique_fields=["id"],
            update_fields=list(_WRITTEN_FIELDS),
            batch_size=batch_size,
        )
    if new_placeholders:
        # Never overwrite details another worker may have stored meanwhile.
        Location.objects.bulk_create(new_placeholders, ignore_conflicts=True, batch_size=batch_size)
    return {**known, **{location.id: location for location in resolved + new_placeholders}}


def ensure_location_rows(location_ids) -> None:
    """Make sure a ``Location`` row exists for every id, if only as a placeholder."""
    wanted = {int(location_id) for location_id in location_ids if location_id}
    if not wanted:
        return
    known = set(Location.objects.filter(id__in=wanted).values_list("id", flat=True))
    if missing := wanted - known:
        Location.objects.bulk_create(
            [Location(id=location_id) for location_id in missing], ignore_conflicts=True
        )


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait before looking up a place again after this many failures in a row."""
    if failed_attempts < 1:
        return timedelta(0)
    exponent = min(failed_attempts - 1, 16)  # 2**16 hours is far beyond the cap
    return min(FIRST_RETRY_DELAY * 2**exponent, MAX_RETRY_DELAY)


def _is_due(location: Location | None, now) -> bool:
    """Whether this place must be (re)created or looked up now."""
    if location is None:
        return True
    if location.kind in (Kind.ASSET_SAFETY, Kind.UNKNOWN):
        return False  # nothing to ask ESI about
    if location.retry_after and location.retry_after > now:
        return False
    if location.updated_at is None:
        return True
    stale_after = timedelta(hours=app_settings.MEMBERAUDIT_LOCATION_STALE_HOURS)
    return location.updated_at <= now - stale_after


class _Resolver:
    """Looks up one batch of due places; collects the rows to write."""

    def __init__(self, gateway: EsiGateway, known: dict[int, Location], now) -> None:
        self.gateway = gateway
        self.known = known
        self.now = now
        self.esi_paused = False

    def resolve(self, due: list[int]) -> tuple[list[Location], list[Location]]:
        """Rows to write with their details, and placeholders for ids new to the table."""
        by_kind: dict[str, list[int]] = {}
        for location_id in due:
            by_kind.setdefault(Location(id=location_id).kind, []).append(location_id)
        details: dict[int, dict] = {}  # location id -> name, system_id, type_id, owner_id
        failed: list[int] = []
        skipped: list[int] = []  # not asked this time: no scope, or ESI paused
        for location_id in by_kind.get(Kind.SOLAR_SYSTEM, []):
            details[location_id] = {"system_id": location_id}
        station_ids = by_kind.get(Kind.STATION, [])
        self._look_up(
            STATION, "station_id", station_ids, _station_details, details, failed, skipped
        )
        structure_ids = by_kind.get(Kind.STRUCTURE, [])
        if structure_ids and self._token_can_read_structures():
            self._look_up(
                STRUCTURE,
                "structure_id",
                structure_ids,
                _structure_details,
                details,
                failed,
                skipped,
            )
        else:
            skipped.extend(structure_ids)
        others = by_kind.get(Kind.ASSET_SAFETY, []) + by_kind.get(Kind.UNKNOWN, [])
        skipped.extend(others)
        return self._build_rows(details, failed, skipped)

    def _look_up(self, operation_id, key, ids, read, details, failed, skipped) -> None:
        """Ask ESI for places of one kind, a few at a time."""
        if self.esi_paused:
            skipped.extend(ids)
            return
        answers = self.gateway.get_each(
            operation_id,
            [{key: location_id} for location_id in ids],
            public=operation_id == STATION,
            use_etag=False,  # the place is due: its details are wanted, not a 304
            stop=_pauses_esi,
        )
        for answer in answers:
            location_id = answer.params[key]
            if answer.error is None:
                details[location_id] = read(answer.data)
            elif _pauses_esi(answer):
                # Not the place's fault: ask again next time, without backoff.
                logger.info("Location %s not looked up: %s", location_id, answer.error)
                self.esi_paused = True
                skipped.append(location_id)
            else:
                logger.info("Location %s could not be looked up: %s", location_id, answer.error)
                failed.append(location_id)
        skipped.extend(ids[len(answers) :])  # not sent once ESI paused the batch

    def _token_can_read_structures(self) -> bool:
        token = self.gateway.token
        if token is None:
            return False
        return token.scopes.filter(name=STRUCTURES_SCOPE).exists()

    def _build_rows(self, details, failed, skipped) -> tuple[list[Location], list[Location]]:
        system_ids = {d["system_id"] for d in details.values()}
        type_ids = {d.get("type_id") for d in details.values()}
        ask_for_solar_systems(system_ids, self.gateway)  # eveuniverse then reads the answers
        ask_for_types(type_ids, self.gateway)
        systems = _load_by_id(EveSolarSystem, system_ids)
        types = _load_by_id(EveType, type_ids)
        owner_ids = {d["owner_id"] for d in details.values() if d.get("owner_id")}
        owners = resolve_entities(owner_ids, self.gateway) if owner_ids else {}
        rows = []
        for location_id, found in details.items():
            system = systems.get(found["system_id"])
            if system is None:  # a place must be in a known system to be useful
                if location_id == found["system_id"]:
                    skipped.append(location_id)  # eveuniverse failed, not the place: no backoff
                else:
                    failed.append(location_id)
                continue
            rows.append(
                Location(
                    id=location_id,
                    name=found.get("name") or system.name,
                    eve_solar_system=system,
                    eve_type=types.get(found.get("type_id")),
                    owner=owners.get(found.get("owner_id")),
                    updated_at=self.now,
                    retry_after=None,
                    failed_attempts=0,
                )
            )
        for location_id in failed:
            location = self._copy_of_known(location_id)
            location.failed_attempts += 1
            location.retry_after = self.now + retry_delay(location.failed_attempts)
            rows.append(location)
        new_placeholders = [
            Location(id=location_id) for location_id in skipped if location_id not in self.known
        ]
        return rows, new_placeholders

    def _copy_of_known(self, location_id: int) -> Location:
        """The stored row to update (details kept), or a new placeholder."""
        known = self.known.get(location_id)
        if known is None:
            return Location(id=location_id)
        return Location(
            id=location_id,
            name=known.name,
            eve_solar_system=known.eve_solar_system,
            eve_type=known.eve_type,
            owner=known.owner,
            updated_at=known.updated_at,
            retry_after=known.retry_after,
            failed_attempts=known.failed_attempts,
        )


def _pauses_esi(answer) -> bool:
    return isinstance(answer.error, (EsiErrorLimitReached, EsiRateLimited, EsiTokenError))


def _station_details(data: dict) -> dict:
    return {
        "name": data.get("name") or "",
        "system_id": data.get("system_id"),
        "type_id": data.get("type_id"),
        "owner_id": data.get("owner"),
    }


def _structure_details(data: dict) -> dict:
    return {
        "name": data.get("name") or "",
        "system_id": data.get("solar_system_id"),
        "type_id": data.get("type_id"),
        "owner_id": data.get("owner_id"),
    }


def _load_by_id(model, ids: Iterable[int | None]) -> dict:
    """eveuniverse objects by id, loading missing ones from ESI; failures are left out."""
    wanted = {int(obj_id) for obj_id in ids if obj_id}
    if not wanted:
        return {}
    found = model.objects.in_bulk(wanted)
    for obj_id in sorted(wanted - set(found)):
        try:
            found[obj_id], _ = model.objects.get_or_create_esi(id=obj_id)
        except Exception:  # eveuniverse raises its client's errors; the caller must go on
            logger.warning("Could not load %s %s from ESI", model.__name__, obj_id, exc_info=True)
    return found
