"""Benchmark: the skill search over 10,000 characters with 300 skills each.

Fills a database of its own (SQLite file, or a MariaDB database with ``--database mysql``)
with users, their characters and 3,000,000 skill rows, then times the search's result page
(the search, the count, the page's keys and its rows, as the JSON endpoint runs them) for several
searches and viewers, each sorted by name, by total skill points and with a text search in
the table, and prints the p50 and p95 and the database's plan of the rows query.

    .venv/bin/python benchmarks/skill_search.py [--database mysql] [--reuse] [--markdown]

``--reuse`` keeps the data of an earlier run (the filling takes minutes). Besides wall
times it prints the process's CPU time per page: with SQLite that is the query's own work,
whatever else the machine is doing; with MariaDB the server's work is not in it.
"""

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bulk_data  # the benchmarks' shared set-up, beside this file

MYSQL_NAME = "memberaudit_bench_skill_search"
SQLITE_PATH = Path(tempfile.gettempdir()) / "memberaudit_bench_skill_search.sqlite3"

CHARACTERS = 10_000
SKILLS = 300
CHARACTERS_PER_USER = 4
ALLIANCES = 5
CORPORATIONS_PER_ALLIANCE = 4
FIRST_SKILL_ID = 900_000
FIRST_CHARACTER_ID = 2_100_000_000
# How often a character has a skill at each level (0 = injected, not trained)
LEVEL_WEIGHTS = (5, 10, 15, 25, 25, 20)
RUNS = 50
TARGET_P95_MS = 100
# Corporation n is in alliance n % ALLIANCES
AFFILIATION = bulk_data.Affiliation(
    corporations=ALLIANCES * CORPORATIONS_PER_ALLIANCE,
    alliances=ALLIANCES,
    first_corporation_id=98_100_000,
    first_alliance_id=99_100_000,
)


def setup_django(database: str) -> None:
    bulk_data.create_database(database, MYSQL_NAME, SQLITE_PATH, reuse=True)
    bulk_data.setup_django(database, MYSQL_NAME, SQLITE_PATH)
    bulk_data.migrate()


def fill(reuse: bool) -> None:
    from memberaudit.models import Character, CharacterSkill

    if reuse and Character.objects.count() >= CHARACTERS:
        print(f"reusing {Character.objects.count():,} characters")
        return
    started = time.perf_counter()
    clear()
    skill_ids = create_skills()
    characters = create_characters()
    create_skill_rows(characters, skill_ids)
    bulk_data.analyze([CharacterSkill])
    print(f"filled in {time.perf_counter() - started:.0f} s")


def clear() -> None:
    from django.contrib.auth.models import User

    from allianceauth.eveonline.models import EveCharacter

    from memberaudit.models import Character, CharacterSkill

    CharacterSkill.objects.all()._raw_delete(CharacterSkill.objects.db)
    Character.objects.all().delete()
    EveCharacter.objects.filter(character_id__gte=FIRST_CHARACTER_ID).delete()
    User.objects.filter(username__startswith="bench_").delete()


def create_skills() -> list[int]:
    from eveuniverse.models import EveType

    group = bulk_data.skill_group()
    ids = list(range(FIRST_SKILL_ID, FIRST_SKILL_ID + SKILLS))
    EveType.objects.bulk_create(
        [EveType(id=i, name=f"Skill {i}", eve_group=group, published=True) for i in ids],
        ignore_conflicts=True,
    )
    return ids


def create_characters() -> list[tuple[int, int]]:
    """Users with four characters each, the first their main; returns (pk, alliance)."""
    from memberaudit.models import Character, CharacterSkillpoints

    rng = random.Random(1)
    pks = bulk_data.create_characters(
        [CHARACTERS_PER_USER] * (CHARACTERS // CHARACTERS_PER_USER),
        FIRST_CHARACTER_ID,
        AFFILIATION,
    )
    characters = list(
        Character.objects.filter(pk__in=pks)
        .order_by("eve_character__character_id")
        .values_list("pk", "eve_character__alliance_id")
    )
    CharacterSkillpoints.objects.bulk_create(
        [
            CharacterSkillpoints(character_id=pk, total=rng.randint(1_000_000, 150_000_000))
            for pk, _ in characters
        ],
        batch_size=1000,
    )
    return characters


def create_skill_rows(characters: list[tuple[int, int]], skill_ids: list[int]) -> None:
    rng = random.Random(2)
    levels = list(range(6))

    def rows():
        for pk, _ in characters:
            chosen = rng.choices(levels, LEVEL_WEIGHTS, k=len(skill_ids))
            for skill_id, level in zip(skill_ids, chosen, strict=True):
                yield (pk, skill_id, level)

    bulk_data.insert_skills(rows())


SEARCHES = {
    "2 skills (V and IV) and 20M SP": (
        {FIRST_SKILL_ID: 5, FIRST_SKILL_ID + 1: 4},
        {"min_skillpoints": 20_000_000},
    ),
    "1 skill at I (matches most)": ({FIRST_SKILL_ID + 2: 1}, {}),
    "5 skills at IV or V": ({FIRST_SKILL_ID + n: 4 + n % 2 for n in range(3, 8)}, {}),
    "2 skills, one alliance": (
        {FIRST_SKILL_ID: 5, FIRST_SKILL_ID + 1: 4},
        {"alliance": 99_100_001},
    ),
}
# The first page as the table asks for it: by name, by another column, with the table's search
PAGES = {
    "by name": {},
    "by total SP, desc": {"order[0][column]": "4", "order[0][dir]": "desc"},
    "text search": {"search[value]": "42"},
}


def viewers():
    from django.contrib.auth.models import User

    from allianceauth.tests.auth_utils import AuthUtils

    admin, _ = User.objects.get_or_create(username="bench_viewer_everything")
    AuthUtils.add_permissions_to_user_by_name(
        [
            "memberaudit.basic_access",
            "memberaudit.finder_access",
            "memberaudit.characters_access",
            "memberaudit.view_everything",
        ],
        admin,
    )
    # an alliance auditor: the main of the first benchmark user, alliance 0
    auditor = User.objects.filter(username__startswith="bench_").order_by("pk").first()
    AuthUtils.add_permissions_to_user_by_name(
        [
            "memberaudit.basic_access",
            "memberaudit.finder_access",
            "memberaudit.characters_access",
            "memberaudit.view_same_alliance",
        ],
        auditor,
    )
    return {
        "view_everything": User.objects.get(pk=admin.pk),
        "alliance auditor": User.objects.get(pk=auditor.pk),
    }


def measure(markdown: bool) -> bool:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from memberaudit import skill_search

    first_page = {
        "draw": "1",
        "start": "0",
        "length": "50",
        "order[0][column]": "0",
        "order[0][dir]": "asc",
    }
    rows = []
    plans = {}
    for viewer_name, viewer in viewers().items():
        for (search_name, (skills, narrowing)), (page_name, asked) in itertools.product(
            SEARCHES.items(), PAGES.items()
        ):
            search = skill_search.SkillSearch(skills=skills, **narrowing)
            page_params = {**first_page, **asked}
            result_page(viewer, search, page_params)  # warm up caches
            page_times, row_times, page_cpu = [], [], []
            for _ in range(RUNS):
                reset_queries()
                started = time.perf_counter()
                cpu_started = time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    page = result_page(viewer, search, page_params)
                page_times.append((time.perf_counter() - started) * 1000)
                page_cpu.append((time.process_time() - cpu_started) * 1000)
                started = time.perf_counter()
                page_rows(viewer, search)
                row_times.append((time.perf_counter() - started) * 1000)
            rows.append(
                {
                    "viewer": viewer_name,
                    "search": search_name,
                    "page": page_name,
                    "matches": page["recordsTotal"],
                    "queries": len(queries.captured_queries),
                    "rows_p50": statistics.median(row_times),
                    "rows_p95": percentile(row_times, 95),
                    "page_p50": statistics.median(page_times),
                    "page_p95": percentile(page_times, 95),
                    "page_cpu_p95": percentile(page_cpu, 95),
                }
            )
            if viewer_name == "view_everything" and search_name not in plans:
                queryset = skill_search.matching_characters(viewer, search)
                plans[search_name] = (
                    queryset.order_by("eve_character__character_name", "eve_character_id")
                    .values("pk")[:50]
                    .explain()
                )
    print_results(rows, markdown)
    first = next(iter(SEARCHES))
    print(f"\nPlan of the rows query ({connection.vendor}, view_everything, {first}):\n")
    print(plans[first])
    worst = max(row["page_p95"] for row in rows)
    passed = worst < TARGET_P95_MS
    print(
        f"\n{'PASS' if passed else 'FAIL'}  p95 of a result page under {TARGET_P95_MS} ms "
        f"(worst {worst:.1f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    return passed


def result_page(viewer, search, page_params: dict) -> dict:
    """What the JSON endpoint runs: the search, the count and the page's rows."""
    from memberaudit import skill_search

    queryset = skill_search.matching_characters(viewer, search)
    return skill_search.results_table(queryset).page(page_params)


def page_rows(viewer, search) -> list:
    """The same without the count: the search and the first page's rows."""
    from memberaudit import skill_search

    queryset = skill_search.matching_characters(viewer, search)
    table = skill_search.results_table(queryset)
    ordered = queryset.order_by("eve_character__character_name", "eve_character_id")
    return list(table._page_objects(ordered, 0, 50))


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def print_results(rows: list[dict], markdown: bool) -> None:
    header = [
        "viewer",
        "search",
        "page",
        "matches",
        "queries",
        "rows p50 ms",
        "rows p95 ms",
        "page p50 ms",
        "page p95 ms",
        "page p95 CPU ms",
    ]
    lines = [
        [
            row["viewer"],
            row["search"],
            row["page"],
            f"{row['matches']:,}",
            str(row["queries"]),
            f"{row['rows_p50']:.1f}",
            f"{row['rows_p95']:.1f}",
            f"{row['page_p50']:.1f}",
            f"{row['page_p95']:.1f}",
            f"{row['page_cpu_p95']:.1f}",
        ]
        for row in rows
    ]
    bulk_data.print_table(header, lines, markdown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "mysql"), default="sqlite")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    setup_django(args.database)
    fill(args.reuse)
    sys.exit(0 if measure(args.markdown) else 1)


if __name__ == "__main__":
    main()
