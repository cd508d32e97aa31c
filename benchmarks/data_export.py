"""Benchmark: memory and time of a data export of the wallet journal, at 10,000 and 100,000
rows, on a fresh database (SQLite by default; MariaDB with ``TESTAUTH_DATABASE=mysql``).

Each export runs in its own process, so that its resident memory is its own: the script
prints the process's peak resident set size before and after the export, the peak of
Python allocations (tracemalloc, in a second run) and the wall time.

    .venv/bin/python benchmarks/data_export.py [--rows 10000 100000] [--markdown]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTAUTH = ROOT / "testauth"


def setup_django(database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "testauth.settings.local"
    os.environ["TESTAUTH_SQLITE_PATH"] = str(database)
    os.environ.setdefault("TESTAUTH_LOG_LEVEL", "ERROR")
    # On MariaDB the benchmark drops and creates its database: never the project's own.
    os.environ.setdefault("TESTAUTH_MYSQL_NAME", "memberaudit_export_benchmark")
    sys.path[:0] = [str(ROOT), str(TESTAUTH)]
    import django

    django.setup()


def prepare(database: Path) -> None:
    """A fresh database with one character (the journal is filled by :func:`fill`)."""
    setup_django(database)
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"].endswith("mysql"):
        _recreate_mysql_database(settings.DATABASES["default"])
    call_command("migrate", verbosity=0, skip_checks=True)
    from memberaudit.tests.factories import create_character

    create_character()


def fill(rows: int) -> None:
    """Add journal entries until the character has ``rows``."""
    from django.db import connection
    from django.utils import timezone

    from memberaudit.models import Character, CharacterWalletJournalEntry

    character = Character.objects.get()
    start = CharacterWalletJournalEntry.objects.count()
    table = CharacterWalletJournalEntry._meta.db_table
    columns = (
        "character_id, entry_id, date, ref_type, amount, balance, description, reason, "
        "context_id_type"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        for first in range(start, rows, 10_000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        character.pk,
                        number,
                        now,
                        "player_donation",
                        Decimal("-1234.56"),
                        Decimal("100000.00"),
                        f"Donation number {number} with a description of some length",
                        "",
                        "",
                    )
                    for number in range(first, min(first + 10_000, rows))
                ],
            )


def measure(database: Path, traced: bool) -> dict:
    """Export the journal once in this process and report what it cost."""
    setup_django(database)
    from django.db import connection

    from memberaudit.data_export import write_topic
    from memberaudit.export_topics import TOPICS
    from memberaudit.models import Character

    connection.ensure_connection()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.csv.gz"
        rows = write_topic(TOPICS["wallet_journal"], Character.objects.all(), path)
        size = path.stat().st_size
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "file_mb": round(size / 2**20, 2),
        "rss_before_mb": round(rss_before / 1024, 1),
        "rss_after_mb": round(rss_after / 1024, 1),
        "traced_peak_mb": round(peak / 2**20, 2) if peak is not None else None,
    }


def run_child(database: Path, traced: bool) -> dict:
    arguments = [sys.executable, __file__, "--measure", str(database)]
    if traced:
        arguments.append("--traced")
    output = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _recreate_mysql_database(config: dict) -> None:
    import MySQLdb

    server = MySQLdb.connect(
        host=config["HOST"],
        port=int(config["PORT"]),
        user=config["USER"],
        passwd=config["PASSWORD"],
    )
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{config['NAME']}`")
        cursor.execute(f"CREATE DATABASE `{config['NAME']}` CHARACTER SET utf8mb4")
    server.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.traced)))
        return 0

    results = []
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "benchmark.sqlite3"
        prepare(database)
        for rows in sorted(args.rows):
            fill(rows)
            plain = run_child(database, traced=False)
            traced = run_child(database, traced=True)
            results.append({**plain, "traced_peak_mb": traced["traced_peak_mb"]})
    if args.markdown:
        print("| rows | seconds | file MB | RSS before MB | RSS after MB | Python peak MB |")
        print("|---|---|---|---|---|---|")
        for result in results:
            print(
                f"| {result['rows']:,} | {result['seconds']} | {result['file_mb']} | "
                f"{result['rss_before_mb']} | {result['rss_after_mb']} | "
                f"{result['traced_peak_mb']} |"
            )
    else:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
