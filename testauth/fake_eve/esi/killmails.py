"""Killmails: a character's recent kills and losses (paged) and the public killmail details.

Scenario fields of a character:

- ``killmails``: killmails the character was on. An entry with ``victim`` (and usually
  ``attackers``) is a full killmail in ESI's shape; an entry with only ``killmail_id`` and
  ``killmail_hash`` lists a killmail whose details another character's entry holds, so a
  kill shared by several characters is written once.
- ``killmails_generate``: ``{"count", "seed", "first_id", "start", "shared"}`` adds ``count``
  generated killmails of the character's own plus the first ``shared`` killmails of a pool
  that every character with ``shared`` lists (kills our pilots made together).

``GET /killmails/{id}/{hash}/`` answers the details of any killmail of any character, or 422
when the id and hash do not match one, like ESI.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta, timezone

from ..messages import EsiError
from ..router import RouteTable
from ..validation import list_of, obj, opt, req

routes = RouteTable()

KILLMAIL_SCOPE = "esi-killmails.read_killmails.v1"
DETAIL_FIELDS = ("killmail_id", "killmail_time", "solar_system_id", "moon_id", "war_id")

ITEM = obj(
    {
        "item_type_id": req("int"),
        "flag": req("int"),
        "singleton": req("int"),
        "quantity_destroyed": opt("int"),
        "quantity_dropped": opt("int"),
        "items": list_of(opt("any")),
    }
)
KILLMAIL = {
    "killmail_id": req("int"),
    "killmail_hash": req("str"),
    "killmail_time": opt("datetime"),
    "solar_system_id": opt("int"),
    "moon_id": opt("int"),
    "war_id": opt("int"),
    "victim": obj(
        {
            "character_id": opt("int"),
            "corporation_id": opt("int"),
            "alliance_id": opt("int"),
            "faction_id": opt("int"),
            "ship_type_id": req("int"),
            "damage_taken": req("int"),
            "items": list_of(ITEM),
        }
    ),
    "attackers": list_of(
        obj(
            {
                "character_id": opt("int"),
                "corporation_id": opt("int"),
                "alliance_id": opt("int"),
                "faction_id": opt("int"),
                "ship_type_id": opt("int"),
                "weapon_type_id": opt("int"),
                "damage_done": req("int"),
                "final_blow": req("bool"),
                "security_status": req("number"),
            }
        )
    ),
}
CHARACTER_FIELDS = {
    "killmails": list_of(obj(KILLMAIL)),
    "killmails_generate": obj(
        {
            "count": req("int"),
            "seed": opt("int"),
            "first_id": opt("int"),
            "start": opt("datetime"),
            "shared": opt("int"),
        }
    ),
}


@routes.get(
    "/characters/{character_id}/killmails/recent",
    "GetCharactersCharacterIdKillmailsRecent",
    scope=KILLMAIL_SCOPE,
    cache_seconds=300,
    paged=True,
    page_size=1000,
    rate_group="char-killmail",
    rate_limit=(30, "15m"),
)
def recent_killmails(ctx):
    listed = {
        row["killmail_id"]: row["killmail_hash"] for row in ctx.character().get("killmails", [])
    }
    return [
        {"killmail_hash": listed[killmail_id], "killmail_id": killmail_id}
        for killmail_id in sorted(listed, reverse=True)
    ]


@routes.get(
    "/killmails/{killmail_id}/{killmail_hash}",
    "GetKillmailsKillmailIdKillmailHash",
    cache_seconds=30 * 86400,
    rate_group="killmail",
    rate_limit=(3600, "15m"),
    text_params=("killmail_hash",),
)
def killmail_details(ctx):
    wanted = ctx.params["killmail_id"]
    wanted_hash = str(ctx.params["killmail_hash"])
    for character in ctx.scenario.characters:
        for row in character.get("killmails", []):
            if row["killmail_id"] == wanted and "victim" in row:
                if row["killmail_hash"] != wanted_hash:
                    break
                return {
                    **{field: row[field] for field in DETAIL_FIELDS if field in row},
                    "victim": row["victim"],
                    "attackers": row.get("attackers", []),
                }
    raise EsiError(422, "Invalid killmail_id and/or killmail_hash")


# --- generated killmails ---------------------------------------------------------------------

SHIPS = [587, 603, 621, 638, 24698, 670, 588, 601]
WEAPONS = [484, 499, 2454]
ITEMS = [438, 484, 2046, 499, 2454, 34, 35]
SYSTEMS = [30000142, 30000144, 30002813, 30004759, 30002053, 30002510]
OUR_PILOTS = [  # (character, corporation, alliance) of the default scenario
    (90000001, 98000001, 99000001),
    (90000002, 98000002, 99000001),
    (90000003, 98000003, 99000002),
    (90000004, 98000001, 99000001),
    (2112000001, 98000002, 99000001),
    (2112000002, 98000003, 99000002),
    (2112000003, 98000002, 99000001),
]
HOSTILES = [  # declared in scenarios/intel.json (names, corporations, alliances)
    (95000001, 98100001, 99100001),
    (95000002, 98100001, 99100001),
    (95000003, 98100002, None),
    (95000004, 98100002, None),
]
SHARED_POOL_SIZE = 300
SHARED_FIRST_ID = 125_000_000
SHARED_TOGETHER = (2112000002, 98000003, 99000002), (90000003, 98000003, 99000002)


def killmail_hash(killmail_id: int) -> str:
    return hashlib.sha1(f"killmail-{killmail_id}".encode(), usedforsecurity=False).hexdigest()


def expand_character(character: dict) -> None:
    generator = character.pop("killmails_generate", None)
    if not generator:
        return
    me = next((pilot for pilot in OUR_PILOTS if pilot[0] == character["character_id"]), None)
    me = me or (character["character_id"], character["corporation_id"], None)
    shared = min(int(generator.get("shared") or 0), SHARED_POOL_SIZE)
    known = {row["killmail_id"] for row in character.get("killmails", [])}
    generated = generate_killmails(
        me,
        count=generator["count"],
        seed=generator.get("seed", 1),
        first_id=generator.get("first_id"),
        start=generator.get("start"),
    )
    pool = shared_killmails()[:shared]
    character["killmails"] = character.get("killmails", []) + [
        row for row in generated + pool if row["killmail_id"] not in known
    ]


def _newest(start: str | None) -> datetime:
    if start:
        return datetime.fromisoformat(start.replace("Z", "+00:00"))
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def generate_killmails(
    me: tuple, count: int, seed: int = 1, first_id: int | None = None, start: str | None = None
) -> list[dict]:
    """Deterministic killmails of one pilot, one every 2 hours; every 4th is a loss."""
    rng = random.Random(seed)
    newest = _newest(start)
    first = first_id or 120_000_000 + me[0] % 10_000 * 1_000
    rows = []
    for n in range(count):
        killmail_id = first + count - n
        time = newest - timedelta(hours=2 * n)
        hostile = rng.choice(HOSTILES)
        if n % 4 == 3:
            victim, attackers = me, [hostile, *rng.sample(HOSTILES, rng.randrange(0, 3))]
        else:
            friends = rng.sample(OUR_PILOTS, rng.randrange(0, 3))
            victim, attackers = hostile, [me, *[f for f in friends if f != me]]
        rows.append(_killmail(rng, killmail_id, time, victim, attackers))
    return rows


def shared_killmails() -> list[dict]:
    """Kills two of our pilots (Gwen Halcyon, Cyra Oris) made together, newest first."""
    rng = random.Random(4242)
    newest = datetime.now(timezone.utc).replace(minute=30, second=0, microsecond=0)
    return [
        _killmail(
            rng,
            SHARED_FIRST_ID + SHARED_POOL_SIZE - n,
            newest - timedelta(hours=3 * n + 1),
            rng.choice(HOSTILES),
            list(SHARED_TOGETHER),
        )
        for n in range(SHARED_POOL_SIZE)
    ]


def _killmail(rng, killmail_id: int, time: datetime, victim: tuple, attackers: list) -> dict:
    unique = list(dict.fromkeys(attackers))
    damage = [rng.randrange(100, 5000) for _ in unique]
    final = damage.index(max(damage))
    victim_fields = {"character_id": victim[0], "corporation_id": victim[1]}
    if victim[2]:
        victim_fields["alliance_id"] = victim[2]
    items = [
        {
            "item_type_id": rng.choice(ITEMS),
            "flag": 11 + index,
            "singleton": 0,
            "quantity_destroyed" if rng.random() < 0.5 else "quantity_dropped": rng.randrange(1, 5),
        }
        for index in range(rng.randrange(1, 4))
    ]
    attacker_rows = []
    for index, (pilot, hit) in enumerate(zip(unique, damage, strict=True)):
        row = {
            "character_id": pilot[0],
            "corporation_id": pilot[1],
            "damage_done": hit,
            "final_blow": index == final,
            "security_status": round(rng.uniform(-5, 5), 1),
            "ship_type_id": rng.choice(SHIPS[:6]),
            "weapon_type_id": rng.choice(WEAPONS),
        }
        if pilot[2]:
            row["alliance_id"] = pilot[2]
        attacker_rows.append(row)
    return {
        "killmail_id": killmail_id,
        "killmail_hash": killmail_hash(killmail_id),
        "killmail_time": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "solar_system_id": rng.choice(SYSTEMS),
        "victim": {
            **victim_fields,
            "ship_type_id": rng.choice(SHIPS),
            "damage_taken": sum(damage),
            "items": items,
        },
        "attackers": attacker_rows,
    }
