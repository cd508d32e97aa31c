"""Turning ESI values into the plain values the trade and industry sections store."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import OperationalError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EvePlanet, EveSolarSystem

from .. import updater
from ..eve_types import ask_for_solar_systems, load_eve_types

CENT = Decimal("0.01")


def plain(value):
    """An enum member's value, anything else as it is."""
    return getattr(value, "value", value)


def as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value[:10])
    return None


def as_money(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return None


def as_id(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def as_int(value, default: int | None = None) -> int | None:
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def load_types(type_ids, what: str, gateway) -> None:
    """Make sure eveuniverse knows the item types (missing ones asked for together through
    ``gateway``); fail the run when one cannot be loaded."""
    type_ids = {type_id for type_id in type_ids if type_id}
    if not type_ids:
        return
    try:
        found = load_eve_types(type_ids, gateway)
    except OperationalError:  # the database's, e.g. a deadlock: the updater tries again
        raise
    except Exception as exc:  # eveuniverse raises its client's errors
        raise updater.SectionDataError(
            _("Could not load item types of %(what)s: %(error)s") % {"what": what, "error": exc}
        ) from exc
    if missing := type_ids - found:
        raise updater.SectionDataError(
            _("Unknown item types in %(what)s: %(type_ids)s")
            % {"what": what, "type_ids": sorted(missing)}
        )


def load_solar_systems(system_ids, what: str, gateway) -> None:
    """Make sure eveuniverse knows the solar systems (missing ones asked for together through
    ``gateway``); fail the run when one cannot be loaded."""
    system_ids = {system_id for system_id in system_ids if system_id}
    if not system_ids:
        return
    try:
        ask_for_solar_systems(system_ids, gateway)
        found = set(
            EveSolarSystem.objects.bulk_get_or_create_esi(ids=system_ids).values_list(
                "id", flat=True
            )
        )
    except Exception as exc:
        raise updater.SectionDataError(
            _("Could not load solar systems of %(what)s: %(error)s") % {"what": what, "error": exc}
        ) from exc
    if missing := system_ids - found:
        raise updater.SectionDataError(
            _("Unknown solar systems in %(what)s: %(ids)s") % {"what": what, "ids": sorted(missing)}
        )


def load_planets(planet_ids, what: str) -> None:
    """Make sure eveuniverse knows the planets (with their solar systems and planet types);
    fail the run when one cannot be loaded."""
    planet_ids = {planet_id for planet_id in planet_ids if planet_id}
    if not planet_ids:
        return
    try:
        found = set(
            EvePlanet.objects.bulk_get_or_create_esi(ids=planet_ids).values_list("id", flat=True)
        )
    except OperationalError:  # the database's, e.g. a deadlock: the updater tries again
        raise
    except Exception as exc:  # eveuniverse raises its client's errors
        raise updater.SectionDataError(
            _("Could not load planets of %(what)s: %(error)s") % {"what": what, "error": exc}
        ) from exc
    if missing := planet_ids - found:
        raise updater.SectionDataError(
            _("Unknown planets in %(what)s: %(ids)s") % {"what": what, "ids": sorted(missing)}
        )


def without_etag(gateway):
    """A gateway for the same token that asks for full answers, counting into the same run."""
    from ..esi_gateway import EsiGateway

    fresh = EsiGateway(token=gateway.token, section=gateway.section, use_etag=False)
    fresh.counter = gateway.counter
    return fresh
