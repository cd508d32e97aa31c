"""Industry jobs, blueprints and the mining ledger.

Scenario data of a character, in ESI's shape: ``industry_jobs``, ``blueprints`` and
``mining_ledger``. Generators:

- ``industry_jobs_generate`` (``{"count", "seed"?}``): jobs of every activity, a few active,
  paused or ready, most delivered; some in a structure without docking rights.
- ``blueprints_generate`` (``{"count", "seed"?}``): originals and copies at stations and, when
  the character's assets hold containers at a station, some inside those containers.
- ``mining_ledger_generate`` (``{"days", "seed"?}``): one to three ores a day, in one or two
  solar systems, for the last ``days`` days.

Industry jobs answer only active, paused and ready jobs unless ``include_completed=true``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import rate

routes = RouteTable()

CHAR_INDUSTRY = ("char-industry", (600, "15m"))
JOB = {
    "job_id": req("int"),
    "activity_id": req("int"),
    "blueprint_id": req("int"),
    "blueprint_location_id": req("int"),
    "blueprint_type_id": req("int"),
    "completed_character_id": opt("int"),
    "completed_date": opt("datetime"),
    "cost": opt("number"),
    "duration": req("int"),
    "end_date": req("datetime"),
    "facility_id": req("int"),
    "installer_id": req("int"),
    "licensed_runs": opt("int"),
    "output_location_id": req("int"),
    "pause_date": opt("datetime"),
    "probability": opt("number"),
    "product_type_id": opt("int"),
    "runs": req("int"),
    "start_date": req("datetime"),
    "station_id": req("int"),
    "status": req("str"),
    "successful_runs": opt("int"),
}
BLUEPRINT = {
    "item_id": req("int"),
    "type_id": req("int"),
    "location_id": req("int"),
    "location_flag": req("str"),
    "quantity": req("int"),
    "material_efficiency": req("int"),
    "time_efficiency": req("int"),
    "runs": req("int"),
}
MINING = {
    "date": req("str"),
    "solar_system_id": req("int"),
    "type_id": req("int"),
    "quantity": req("int"),
}
CHARACTER_FIELDS = {
    "industry_jobs": list_of(obj(JOB)),
    "industry_jobs_generate": obj({"count": req("int"), "seed": opt("int")}),
    "blueprints": list_of(obj(BLUEPRINT)),
    "blueprints_generate": obj({"count": req("int"), "seed": opt("int")}),
    "mining_ledger": list_of(obj(MINING)),
    "mining_ledger_generate": obj({"days": req("int"), "seed": opt("int")}),
}
_NOT_COMPLETED = ("active", "paused", "ready")


@routes.get(
    "/characters/{character_id}/industry/jobs",
    "GetCharactersCharacterIdIndustryJobs",
    scope="esi-industry.read_character_jobs.v1",
    cache_seconds=300,
    **rate(CHAR_INDUSTRY),
)
def industry_jobs(ctx):
    jobs = ctx.character().get("industry_jobs", [])
    if (ctx.request.arg("include_completed") or "").lower() != "true":
        jobs = [job for job in jobs if job["status"] in _NOT_COMPLETED]
    return sorted(jobs, key=lambda job: job["job_id"], reverse=True)


@routes.get(
    "/characters/{character_id}/blueprints",
    "GetCharactersCharacterIdBlueprints",
    scope="esi-characters.read_blueprints.v1",
    cache_seconds=3600,
    paged=True,
    page_size=1000,
    **rate(CHAR_INDUSTRY),
)
def blueprints(ctx):
    return sorted(ctx.character().get("blueprints", []), key=lambda row: row["item_id"])


@routes.get(
    "/characters/{character_id}/mining",
    "GetCharactersCharacterIdMining",
    scope="esi-industry.read_character_mining.v1",
    cache_seconds=600,
    paged=True,
    page_size=1000,
    **rate(CHAR_INDUSTRY),
)
def mining_ledger(ctx):
    return sorted(
        ctx.character().get("mining_ledger", []),
        key=lambda row: (row["date"], row["solar_system_id"], row["type_id"]),
        reverse=True,
    )


# --- generators ----------------------------------------------------------------------------

_TIME = "%Y-%m-%dT%H:%M:%SZ"
_STATIONS = (60003760, 60008494, 60004588)
_STRUCTURES = (1035466617946, 1022734985679)  # the last: no docking rights
# blueprint type -> (product type, base manufacturing seconds)
_BLUEPRINTS = {
    691: (587, 6000),
    2455: (2454, 1800),
    2047: (2046, 1200),
    439: (438, 1200),
    485: (484, 1500),
}
_ACTIVITIES = (1, 1, 1, 1, 3, 4, 5, 8)
ORES = {1230: 0.1, 1228: 0.15, 1224: 0.3, 18: 0.35, 20: 1.2}  # type id -> volume
_MINING_SYSTEMS = (30002813, 30002510, 30002053)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


def generate_jobs(character_id: int, count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    now = _now()
    first_id = 700_000_000 + character_id % 1_000_000 * 1000
    jobs = []
    for n in range(count):
        blueprint_type_id = rng.choice(list(_BLUEPRINTS))
        product_type_id, base = _BLUEPRINTS[blueprint_type_id]
        activity = rng.choice(_ACTIVITIES)
        runs = rng.randint(1, 20)
        duration = base * runs if activity == 1 else rng.randint(3600, 4 * 86400)
        roll = rng.random()
        if n < count // 8 or roll < 0.05:
            start = now - timedelta(seconds=rng.randint(0, duration - 1))
            status = "active"
        else:
            start = now - timedelta(days=rng.randint(1, 85), seconds=duration)
            status = rng.choices(("delivered", "ready", "cancelled", "paused"), (20, 2, 2, 1))[0]
        end = start + timedelta(seconds=duration)
        facility = rng.choice(_STATIONS + _STRUCTURES)
        job = {
            "job_id": first_id + n,
            "activity_id": activity,
            "blueprint_id": 1_050_000_000_000 + n,
            "blueprint_location_id": facility,
            "blueprint_type_id": blueprint_type_id,
            "cost": round(rng.uniform(1_000, 2_500_000), 2),
            "duration": duration,
            "start_date": start.strftime(_TIME),
            "end_date": end.strftime(_TIME),
            "facility_id": facility,
            "station_id": facility,
            "installer_id": character_id,
            "output_location_id": facility,
            "runs": runs,
            "status": status,
        }
        if activity == 1:
            job["product_type_id"] = product_type_id
        elif activity == 5:
            job["product_type_id"] = blueprint_type_id
            job["licensed_runs"] = rng.randint(1, 10)
        elif activity == 8:
            job["probability"] = 0.34
        if status == "delivered":
            job["completed_date"] = end.strftime(_TIME)
            job["completed_character_id"] = character_id
            job["successful_runs"] = runs
        if status == "paused":
            job["pause_date"] = (start + timedelta(seconds=duration // 2)).strftime(_TIME)
        jobs.append(job)
    return jobs


def generate_blueprints(character: dict, count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    first_id = 1_060_000_000_000 + character["character_id"] % 1_000_000 * 10_000
    containers = [
        item["item_id"]
        for item in character.get("assets", [])
        if item.get("type_id") in (3297, 3465, 3467) and item.get("location_type") == "station"
    ][:20]
    result = []
    for n in range(count):
        is_copy = rng.random() < 0.6
        in_container = containers and rng.random() < 0.3
        result.append(
            {
                "item_id": first_id + n,
                "type_id": rng.choice(list(_BLUEPRINTS)),
                "location_id": rng.choice(containers) if in_container else rng.choice(_STATIONS),
                "location_flag": "Unlocked" if in_container else "Hangar",
                "quantity": -2 if is_copy else -1,
                "material_efficiency": rng.choice((0, 2, 4, 6, 8, 10)),
                "time_efficiency": rng.choice((0, 4, 8, 12, 16, 20)),
                "runs": rng.randint(1, 300) if is_copy else -1,
            }
        )
    return result


def generate_mining(days: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    today = _now().date()
    rows = []
    for day in range(days):
        date = (today - timedelta(days=day)).isoformat()
        for system_id in rng.sample(_MINING_SYSTEMS, rng.randint(1, 2)):
            for type_id in rng.sample(list(ORES), rng.randint(1, 3)):
                rows.append(
                    {
                        "date": date,
                        "solar_system_id": system_id,
                        "type_id": type_id,
                        "quantity": rng.randint(500, 40_000),
                    }
                )
    return rows


def expand_character(character: dict) -> None:
    generator = character.pop("industry_jobs_generate", None)
    if generator:
        character["industry_jobs"] = character.get("industry_jobs", []) + generate_jobs(
            character["character_id"], **generator
        )
    generator = character.pop("blueprints_generate", None)
    if generator:
        character["blueprints"] = character.get("blueprints", []) + generate_blueprints(
            character, **generator
        )
    generator = character.pop("mining_ledger_generate", None)
    if generator:
        character["mining_ledger"] = character.get("mining_ledger", []) + generate_mining(
            **generator
        )
