"""Killmails: a character's recent kills and losses, with details stored once site-wide.

- The list (``/characters/{id}/killmails/recent``, paged) names killmails by id and hash.
  Links are kept after ESI stops listing them (it lists about 90 days).
- A killmail never changes, so its details come from the public route once for the whole
  site: when five of our characters were on one kill, it is fetched and stored once and
  linked to each of them.
- Details that cannot be fetched now are retried on the next run (the link waits without
  details); those already stored are never asked for again. A failed detail stops the run's
  detail fetches, the details fetched so far are kept, and the section is marked failed.
"""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import app_settings, change_events, json_tables, selectors
from ..entities import resolve_entities
from ..esi_gateway import EsiError, EsiNotFound, EsiTokenError, NotModified
from ..models import CharacterKillmail, Killmail, KillmailAttacker, KillmailItem
from .base import NavGroup, Section, ViewerTab, registry

RECENT = "GetCharactersCharacterIdKillmailsRecent"
DETAILS = "GetKillmailsKillmailIdKillmailHash"
MAX_DETAILS_PER_RUN = 1000
UNAVAILABLE_STATUS = (404, 422)  # unknown killmail or wrong hash: try again next run

# Why the last detail fetch of a character failed, from store() to after_store().
_detail_failures: dict[int, str] = {}


def fetch(character, gateway) -> dict:
    _detail_failures.pop(character.pk, None)
    stored = dict(character.killmails.values_list("killmail_id", "killmail_hash"))
    try:
        rows = gateway.get(RECENT, paged=True, character_id=character.character_id)
    except NotModified:
        listed = None
    else:
        listed = _clean_list(rows)
    known = {**(listed or {}), **stored}
    have = _stored_killmail_ids(known)
    missing = sorted((kid for kid in known if kid not in have), reverse=True)
    waiting = set(
        character.killmails.filter(is_loss__isnull=True).values_list("killmail_id", flat=True)
    )
    if listed is None and not missing and not waiting & have:
        raise NotModified()
    details, failure = _fetch_details(missing, known, gateway)
    _resolve_names(details, gateway)
    return {
        "listed": sorted(listed.items()) if listed is not None else None,
        "killmails": details,
        "failure": failure,
    }


def _clean_list(rows) -> dict[int, str]:
    listed = {}
    for row in rows or []:
        killmail_id, killmail_hash = row.get("killmail_id"), row.get("killmail_hash")
        if killmail_id and killmail_hash:
            listed[int(killmail_id)] = str(killmail_hash)[:64]
    return listed


def _stored_killmail_ids(ids) -> set[int]:
    ids = sorted(ids)
    have = set()
    for batch in _batches(ids):
        have |= set(Killmail.objects.filter(id__in=batch).values_list("id", flat=True))
    return have


def _fetch_details(missing: list[int], hashes: dict[int, str], gateway):
    """Details of killmails no one stored yet, newest first; stop at the first failure.

    The requests go out a few at a time (:meth:`~memberaudit.esi_gateway.EsiGateway.get_each`):
    ESI's latency, not its limits, bounds a first update (the killmail group allows 3,600
    calls per 15 minutes). What is kept after a failure is exactly what came before it."""
    wanted = missing[:MAX_DETAILS_PER_RUN]
    answers = gateway.get_each(
        DETAILS,
        [{"killmail_id": kid, "killmail_hash": hashes[kid]} for kid in wanted],
        public=True,
        use_etag=False,  # never stored: a 304 from an earlier run would hide it
        stop=_stops_details,
    )
    details = []
    for answer in answers:
        killmail_id = answer.params["killmail_id"]
        if isinstance(answer.error, EsiTokenError):
            raise answer.error
        if answer.error is None:
            detail = _clean_detail(answer.data, killmail_id, hashes[killmail_id])
            if detail is not None:
                details.append(detail)
        elif _stops_details(answer):
            left = len(missing) - len(details)
            failure = gettext("%(count)d killmails could not be fetched yet: %(error)s") % {
                "count": left,
                "error": answer.error,
            }
            return details, failure
    return details, None


def _stops_details(answer) -> bool:
    """A failed detail stops the run's fetches, except one ESI does not know (try next run)."""
    if isinstance(answer.error, EsiNotFound):
        return False
    return isinstance(answer.error, EsiError) and answer.error.status_code not in (
        UNAVAILABLE_STATUS
    )


def _as_id(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _as_int(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def _clean_detail(answer, killmail_id: int, killmail_hash: str) -> dict | None:
    if not isinstance(answer, dict) or not answer.get("killmail_time"):
        return None
    time = answer["killmail_time"]
    if isinstance(time, str):
        time = parse_datetime(time)
    if time is None:
        return None
    victim = answer.get("victim") or {}
    attackers = [
        {
            "character_id": _as_id(row.get("character_id")),
            "corporation_id": _as_id(row.get("corporation_id")),
            "alliance_id": _as_id(row.get("alliance_id")),
            "faction_id": _as_id(row.get("faction_id")),
            "ship_type_id": _as_id(row.get("ship_type_id")),
            "weapon_type_id": _as_id(row.get("weapon_type_id")),
            "damage_done": _as_int(row.get("damage_done")),
            "is_final_blow": bool(row.get("final_blow")),
            "security_status": _as_float(row.get("security_status")),
        }
        for row in answer.get("attackers") or []
        if isinstance(row, dict)
    ]
    for position, attacker in enumerate(attackers):
        attacker["position"] = position
    return {
        "killmail_id": killmail_id,
        "hash": killmail_hash,
        "time": time.isoformat(),
        "solar_system_id": _as_id(answer.get("solar_system_id")),
        "moon_id": _as_id(answer.get("moon_id")),
        "war_id": _as_id(answer.get("war_id")),
        "victim": {
            "character_id": _as_id(victim.get("character_id")),
            "corporation_id": _as_id(victim.get("corporation_id")),
            "alliance_id": _as_id(victim.get("alliance_id")),
            "faction_id": _as_id(victim.get("faction_id")),
            "ship_type_id": _as_id(victim.get("ship_type_id")),
            "damage_taken": _as_int(victim.get("damage_taken")),
        },
        "attackers": attackers,
        "items": _flatten_items(victim.get("items") or []),
    }


def _as_float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _flatten_items(items, parent: int | None = None, result: list | None = None) -> list[dict]:
    """Items and the items inside them as one list; each names its container's position."""
    result = [] if result is None else result
    for row in items:
        if not isinstance(row, dict) or not _as_id(row.get("item_type_id")):
            continue
        position = len(result)
        result.append(
            {
                "position": position,
                "parent_position": parent,
                "item_type_id": _as_id(row["item_type_id"]),
                "flag": _as_int(row.get("flag")),
                "quantity_destroyed": _as_int(row.get("quantity_destroyed")),
                "quantity_dropped": _as_int(row.get("quantity_dropped")),
                "is_singleton": bool(row.get("singleton")),
            }
        )
        _flatten_items(row.get("items") or [], position, result)
    return result


ENTITY_FIELDS = ("character_id", "corporation_id", "alliance_id", "faction_id", "ship_type_id")


def _resolve_names(details: list[dict], gateway) -> None:
    """Name everyone and everything on new killmails; unnamed ids keep a placeholder row."""
    ids = set()
    for detail in details:
        ids.add(detail["solar_system_id"])
        ids |= {detail["victim"][name] for name in ENTITY_FIELDS}
        for attacker in detail["attackers"]:
            ids |= {attacker[name] for name in ENTITY_FIELDS}
            ids.add(attacker["weapon_type_id"])
        ids |= {item["item_type_id"] for item in detail["items"]}
    resolve_entities(ids, gateway, keep_unknown=True)


# --- store --------------------------------------------------------------------------------


def store(character, data: dict) -> bool:
    if data["failure"]:
        _detail_failures[character.pk] = data["failure"]
    changed = _store_killmails(data["killmails"])
    changed |= _store_links(character, data["listed"])
    return changed


def after_store(character, changed: bool) -> None:
    """Fail the run while details are missing, after the fetched ones were kept."""
    failure = _detail_failures.pop(character.pk, None)
    if failure:
        raise EsiError(failure)


def _batches(items: list, size: int | None = None):
    size = size or app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _store_killmails(details: list[dict]) -> bool:
    """Create killmails no one stored yet. Another worker may store the same killmail at the
    same time: every row has a unique key (killmail, position), so its copy is ignored."""
    if not details:
        return False
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    have = _stored_killmail_ids(d["killmail_id"] for d in details)
    new = [detail for detail in details if detail["killmail_id"] not in have]
    if not new:
        return False
    Killmail.objects.bulk_create(
        [
            Killmail(
                id=detail["killmail_id"],
                hash=detail["hash"],
                time=parse_datetime(detail["time"]),
                solar_system_id=detail["solar_system_id"],
                moon_id=detail["moon_id"],
                war_id=detail["war_id"],
                victim_character_id=detail["victim"]["character_id"],
                victim_corporation_id=detail["victim"]["corporation_id"],
                victim_alliance_id=detail["victim"]["alliance_id"],
                victim_faction_id=detail["victim"]["faction_id"],
                victim_ship_type_id=detail["victim"]["ship_type_id"],
                victim_damage_taken=detail["victim"]["damage_taken"],
                attacker_count=len(detail["attackers"]),
            )
            for detail in new
        ],
        batch_size=batch_size,
        ignore_conflicts=True,
    )
    KillmailAttacker.objects.bulk_create(
        [
            KillmailAttacker(killmail_id=detail["killmail_id"], **attacker)
            for detail in new
            for attacker in detail["attackers"]
        ],
        batch_size=batch_size,
        ignore_conflicts=True,
    )
    KillmailItem.objects.bulk_create(
        [
            KillmailItem(killmail_id=detail["killmail_id"], **item)
            for detail in new
            for item in detail["items"]
        ],
        batch_size=batch_size,
        ignore_conflicts=True,
    )
    return True


def _store_links(character, listed: list | None) -> bool:
    """Link listed killmails to the character; tell kills from losses once details are in."""
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = set(character.killmails.values_list("killmail_id", flat=True))
    new_rows = [(kid, khash) for kid, khash in (listed or []) if kid not in stored]
    if new_rows:
        created = CharacterKillmail.objects.bulk_create(
            [
                CharacterKillmail(character=character, killmail_id=kid, killmail_hash=khash)
                for kid, khash in new_rows
            ],
            batch_size=batch_size,
        )
        change_events.report(created=created)
    waiting = list(
        character.killmails.filter(is_loss__isnull=True).values_list("killmail_id", flat=True)
    )
    victims = {}
    for batch in _batches(waiting):
        victims.update(
            Killmail.objects.filter(id__in=batch).values_list("id", "victim_character_id")
        )
    me = character.character_id
    for is_loss in (True, False):
        ids = [kid for kid, victim in victims.items() if (victim == me) is is_loss]
        for batch in _batches(ids):
            character.killmails.filter(killmail_id__in=batch).update(is_loss=is_loss)
    return bool(new_rows or victims)


registry.register(
    Section(
        name="killmails",
        title=_("killmails"),
        ring=3,
        scopes=("esi-killmails.read_killmails.v1",),
        operations=(RECENT, DETAILS),
        fetch=fetch,
        store=store,
        after_store=after_store,
        events=change_events.killmails,
        tab=ViewerTab(
            group=NavGroup.INTEL,
            title=_("Kills & losses"),
            template="memberaudit/tabs/killmails.html",
            context=selectors.killmails_tab,
            tables={"killmails": json_tables.killmails},
        ),
    )
)
