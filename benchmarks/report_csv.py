"""Benchmark: time and memory of the skill sets report's CSV download with 200,000 rows.

Fills a database of its own (a SQLite file, or a MariaDB database with ``--database mysql``)
with 10,000 characters of 2,500 users and 20 active skill sets, one check per character and
skill set (a third of them failing a required skill), then downloads the report's CSV as a
viewer who sees everyone: the view is called and its streamed content read to the end, as a
client would. The download runs in a fresh process, whose peak resident memory (VmHWM, which
counts the database driver's own buffers, unlike tracemalloc) is reset just before it; the
script prints the wall time, the process's CPU time (the download's own work, whatever else
the machine does; a MariaDB server's work is not in it) and how far the peak rose above the
memory the process had before the download.

    .venv/bin/python benchmarks/report_csv.py [--database mysql] [--keep] [--reuse]

The benchmark's database is dropped (MariaDB) or deleted (SQLite) at the end unless
``--keep``; ``--reuse`` keeps the data of a kept earlier run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bulk_data  # the benchmarks' shared set-up, beside this file

MYSQL_NAME = os.environ.get("BENCH_MYSQL_NAME", "memberaudit_bench_report_csv")
SQLITE_PATH = Path(tempfile.gettempdir()) / "memberaudit_bench_report_csv.sqlite3"

CHARACTERS = 10_000
CHARACTERS_PER_USER = 4
SKILL_SETS = 20
FIRST_CHARACTER_ID = 2_110_000_000
FIRST_SKILL_ID = 910_000
TARGET_SECONDS = 5
TARGET_MB = 50


def setup_django(database: str) -> None:
    bulk_data.setup_django(database, MYSQL_NAME, SQLITE_PATH)


def create_database(database: str, reuse: bool) -> None:
    bulk_data.create_database(database, MYSQL_NAME, SQLITE_PATH, reuse)


def drop_database(database: str) -> None:
    bulk_data.drop_database(database, MYSQL_NAME, SQLITE_PATH)


def fill() -> None:
    """Users, characters, skill sets and one check per character and skill set."""
    from memberaudit.models import CharacterSkillSetCheck

    bulk_data.migrate()
    if CharacterSkillSetCheck.objects.count() >= CHARACTERS * SKILL_SETS:
        print(f"reusing {CharacterSkillSetCheck.objects.count():,} checks", file=sys.stderr)
        return
    started = time.perf_counter()
    character_pks = bulk_data.create_characters(
        [CHARACTERS_PER_USER] * (CHARACTERS // CHARACTERS_PER_USER),
        FIRST_CHARACTER_ID,
        bulk_data.Affiliation(corporations=20),
        shuffled_names=True,
    )
    skill_set_pks, skill_pks = bulk_data.create_skill_sets(SKILL_SETS, FIRST_SKILL_ID)
    bulk_data.create_checks(character_pks, skill_set_pks, skill_pks)
    bulk_data.analyze([CharacterSkillSetCheck])
    print(f"filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def viewer():
    """A superuser: the report covers every user with basic access."""
    from django.contrib.auth.models import User

    user, created = User.objects.get_or_create(
        username="bench_viewer", defaults={"is_superuser": True, "is_staff": True}
    )
    return User.objects.get(pk=user.pk)


def _memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Reset the process's peak resident memory (VmHWM) to what it holds now."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def measure() -> dict:
    """Download the report's CSV once in this process and report what it cost."""
    from django.db import connection
    from django.test import RequestFactory

    from memberaudit.views.reports import report_csv

    user = viewer()
    request = RequestFactory().get("/")
    request.user = user
    connection.ensure_connection()
    before = _memory_kb("VmRSS")
    peak_reset = _reset_peak()
    started = time.perf_counter()
    cpu_started = time.process_time()
    response = report_csv(request, report="skill_sets")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = _memory_kb("VmHWM")
    return {
        "database": connection.vendor,
        "rows": lines - 1,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "csv_mb": round(size / 2**20, 1),
        "rss_before_mb": round(before / 1024, 1),
        "peak_mb": round(peak / 1024, 1),
        "peak_over_before_mb": round((peak - before) / 1024, 1),
        "peak_reset": peak_reset,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "mysql"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's database")
    parser.add_argument("--reuse", action="store_true", help="use the data of a kept run")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django(args.database)
        print(json.dumps(measure()))
        return 0

    create_database(args.database, args.reuse)
    try:
        setup_django(args.database)
        fill()
        from django.db import connection

        connection.close()
        # A fresh process: its memory is the download's, not the filling's.
        command = [sys.executable, __file__, "--measure", "--database", args.database]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
    finally:
        if not args.keep:
            drop_database(args.database)
    print(json.dumps(result, indent=2))
    passed = result["seconds"] < TARGET_SECONDS and result["peak_over_before_mb"] < TARGET_MB
    print(
        f"{'PASS' if passed else 'FAIL'}  {result['rows']:,} rows in {result['seconds']} s "
        f"(target < {TARGET_SECONDS} s), peak {result['peak_over_before_mb']} MB over the "
        f"memory before the download (target < {TARGET_MB} MB); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
