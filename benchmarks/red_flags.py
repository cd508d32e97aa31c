"""Benchmark: the Red flags report and the Changes tab with 100,000 change events.

Builds a fresh SQLite database (or uses MariaDB with ``TESTAUTH_DATABASE=mysql``) with 500
characters in 5 corporations and 100,000 events, then requests pages of the report as viewers
with different scopes and prints, per request kind, the database queries and the median and
95th percentile time of the whole request (view, queries and JSON), plus the query plans.

    .venv/bin/python benchmarks/red_flags.py [--events 100000] [--repeat 100] [--database PATH]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTAUTH = ROOT / "testauth"
CHARACTERS = 500
CORPORATIONS = 5
TARGET_P95_MS = 100


def setup_django(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "testauth.settings.local"
    os.environ.setdefault("TESTAUTH_SQLITE_PATH", str(database))
    os.environ.setdefault("TESTAUTH_LOG_LEVEL", "ERROR")
    sys.path[:0] = [str(ROOT), str(TESTAUTH)]
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    call_command("migrate", verbosity=0, skip_checks=True)


def build_world(event_count: int, seed: int = 7):
    """Characters of users in 5 corporations of one alliance, and their events."""
    from django.utils import timezone

    from memberaudit.models import ChangeEvent
    from memberaudit.tests.factories import create_character, create_user

    rng = random.Random(seed)
    characters = []
    for number in range(CHARACTERS):
        corporation = 98_500_000 + number % CORPORATIONS
        characters.append(
            create_character(
                create_user(f"member{number}"),
                character_id=2_113_000_000 + number,
                corporation_id=corporation,
                corporation_name=f"Corp {corporation}",
                alliance_id=99_500_000,
                alliance_name="Benchmark Alliance",
            )
        )
    kinds = list(ChangeEvent.Kind.values)
    now = timezone.now()
    batch = []
    for number in range(event_count):
        when = now - dt.timedelta(minutes=rng.randrange(180 * 24 * 60))
        severity = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        batch.append(
            ChangeEvent(
                character=characters[number % CHARACTERS],
                kind=rng.choice(kinds),
                severity=severity,
                occurred_at=when,
                recorded_at=when,
                section="contacts",
                key=str(number),
                details={"standing": 5.0, "source": "contact"},
            )
        )
        if len(batch) == 5000:
            ChangeEvent.objects.bulk_create(batch)
            batch = []
    ChangeEvent.objects.bulk_create(batch)
    return characters


def viewer(name: str, *permissions, corporation_id: int = 98_500_000):
    from django.contrib.auth.models import User

    from memberaudit.tests.factories import create_user_with_main
    from memberaudit.tests.reports.scenario import grant

    User.objects.filter(username=name).delete()  # from an earlier run on the same database
    user = create_user_with_main(
        name,
        corporation_id=corporation_id,
        corporation_name=f"Corp {corporation_id}",
        alliance_id=99_500_000,
        alliance_name="Benchmark Alliance",
    )
    return grant(user, "memberaudit.reports_access", *permissions)


def measure(client, url: str, params: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm up
    times, sql_times, queries = [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
        queries = len(context)
        sql_times.append(sum(float(query["time"]) for query in context.captured_queries) * 1000)
    times.sort()
    sql_times.sort()
    return {
        "queries": queries,
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "sql_p95": sql_times[int(len(sql_times) * 0.95) - 1],
        "rows": response.json()["recordsFiltered"],
    }


def explain(user) -> list[tuple[str, str]]:
    """The plans of the report's queries for ``user``: the keys of the first page (the
    table finds them first, then loads their rows by key) and the count."""
    from memberaudit import red_flags

    queryset = red_flags.red_flags(user)
    keys = queryset.order_by("-occurred_at", "-pk").values_list("pk", flat=True)[:50]
    return [("page keys", keys.explain()), ("count", queryset.explain())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument(
        "--database", help="SQLite file to keep the world in; built only when missing"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(args.database or Path(folder) / "benchmark.sqlite3")
        exists = database.exists()
        setup_django(database)
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from memberaudit.models import Character

        started = time.perf_counter()
        characters = list(Character.objects.order_by("pk")) if exists else build_world(args.events)
        seconds = time.perf_counter() - started
        print(f"{args.events:,} events of {CHARACTERS} characters in {seconds:.0f} s", flush=True)
        everything = viewer(
            "auditor", "memberaudit.characters_access", "memberaudit.view_everything"
        )
        corporation = viewer(
            "leader", "memberaudit.characters_access", "memberaudit.view_same_corporation"
        )
        client = Client()
        report = reverse("memberaudit:red_flags_data")
        changes = reverse("memberaudit:character_data", args=[characters[0].pk, "changes"])
        page = {"draw": "1", "start": "0", "length": "50"}
        cases = [
            ("report, everything, first page", everything, report, page),
            ("report, everything, page 100", everything, report, {**page, "start": "5000"}),
            ("report, everything, high only", everything, report, {**page, "severity": "3"}),
            ("report, everything, new only", everything, report, {**page, "new": "1"}),
            ("report, one corporation", corporation, report, page),
            (
                "report, search a name",
                everything,
                report,
                {**page, "search[value]": "Pilot 2113000007"},
            ),
            ("changes tab of one character", everything, changes, page),
        ]
        results = []
        for title, user, url, params in cases:
            client.force_login(user)
            client.get(reverse("memberaudit:red_flags"))  # the visit "new" counts from
            results.append((title, measure(client, url, params, args.repeat)))
        print(f"\n{connection.vendor}, {args.events:,} events, {args.repeat} requests each\n")
        print("| request | rows | queries | p50 ms | p95 ms | SQL p95 ms |")
        print("|---|---|---|---|---|---|")
        for title, result in results:
            print(
                f"| {title} | {result['rows']:,} | {result['queries']} | "
                f"{result['p50']:.1f} | {result['p95']:.1f} | {result['sql_p95']:.1f} |"
            )
        print()
        for name, plan in explain(everything):
            print(f"Plan of the report's {name} query (view_everything):\n{plan}\n")
        for name, plan in explain(corporation):
            print(f"Plan of the report's {name} query (one corporation):\n{plan}\n")
        slow = [title for title, result in results if result["p95"] > TARGET_P95_MS]
        if slow:
            print(f"p95 above {TARGET_P95_MS} ms: {', '.join(slow)}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
