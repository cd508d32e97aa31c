"""The faults every section must survive without losing stored data, against the fake EVE
server: server errors, a timeout, a malformed body, a refused token and the error limit."""

from memberaudit import updater

from .helpers import esi_read_timeout, expire_esi_cache

FAULTS = {
    "server-error-500": {"status": 500},
    "bad-gateway-502": {"status": 502},
    "unavailable-503": {"status": 503},
    "timeout": {"latency": 2.0},
    "malformed-body": {"malformed": True},
    "forbidden-403": {"status": 403},
    "error-limit-420": {"status": 420},
}


def update_with_fault(fake_eve, character, section: str, route: str, fault: str, **where):
    """Update ``section`` once while ``route`` answers with ``fault``; return the outcome."""
    fake_eve.faults.add(route, character_id=character.character_id, **where, **FAULTS[fault])
    expire_esi_cache()
    if fault == "timeout":
        with esi_read_timeout(0.5):
            return updater.update_section(character, section, force=True)
    return updater.update_section(character, section, force=True)


def rows_of(*querysets) -> list[list[dict]]:
    """Every stored column of every row, to compare before and after."""
    return [list(queryset.order_by("pk").values()) for queryset in querysets]
