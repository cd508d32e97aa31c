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

ROOT = Path(__file__).resolve().parent.parent
TESTAUTH = ROOT / "testauth"
MYSQL_NAME = "memberaudit_bench_report_csv"
SQLITE_PATH = Path(tempfile.gettempdir()) / "memberaudit_bench_report_csv.sqlite3"

CHARACTERS = 10_000
CHARACTERS_PER_USER = 4
SKILL_SETS = 20
FIRST_CHARACTER_ID = 2_110_000_000
FIRST_SKILL_ID = 910_000
BATCH = 10_000
TARGET_SECONDS = 5
TARGET_MB = 50


def setup_django(database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "testauth.settings.local"
    os.environ.setdefault("TESTAUTH_LOG_LEVEL", "ERROR")
    if database == "mysql":
        os.environ["TESTAUTH_DATABASE"] = "mysql"
        os.environ["TESTAUTH_MYSQL_NAME"] = MYSQL_NAME
    else:
        os.environ["TESTAUTH_SQLITE_PATH"] = str(SQLITE_PATH)
    sys.path[:0] = [str(ROOT), str(TESTAUTH)]
    import django

    django.setup()


def _mysql_server():
    import MySQLdb

    return MySQLdb.connect(
        host=os.environ.get("TESTAUTH_MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("TESTAUTH_MYSQL_PORT", "3306")),
        user=os.environ.get("TESTAUTH_MYSQL_USER", "root"),
        passwd=os.environ.get("TESTAUTH_MYSQL_PASSWORD", ""),
    )


def create_database(database: str, reuse: bool) -> None:
    if database == "mysql":
        server = _mysql_server()
        with server.cursor() as cursor:
            if not reuse:
                cursor.execute(f"DROP DATABASE IF EXISTS `{MYSQL_NAME}`")
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS `{MYSQL_NAME}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        server.close()
    elif not reuse:
        drop_database(database)


def drop_database(database: str) -> None:
    if database == "mysql":
        server = _mysql_server()
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{MYSQL_NAME}`")
        server.close()
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def fill() -> None:
    """Users, characters, skill sets and one check per character and skill set."""
    from django.core.management import call_command
    from django.db import connection

    from memberaudit.models import CharacterSkillSetCheck

    call_command("migrate", verbosity=0, skip_checks=True)
    if CharacterSkillSetCheck.objects.count() >= CHARACTERS * SKILL_SETS:
        print(f"reusing {CharacterSkillSetCheck.objects.count():,} checks", file=sys.stderr)
        return
    started = time.perf_counter()
    character_pks = create_characters()
    skill_set_pks, skill_pks = create_skill_sets()
    create_checks(character_pks, skill_set_pks, skill_pks)
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("ANALYZE TABLE memberaudit_characterskillsetcheck")
        else:
            cursor.execute("ANALYZE")
    print(f"filled in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def create_characters() -> list[int]:
    """Users with four characters each, the first their main; returns the characters' pks."""
    from django.contrib.auth.models import Permission, User

    from allianceauth.authentication.models import CharacterOwnership, State, UserProfile
    from allianceauth.eveonline.models import EveCharacter

    from memberaudit.models import Character

    User.objects.bulk_create(
        [
            User(username=f"bench_{n}", is_active=True)
            for n in range(CHARACTERS // CHARACTERS_PER_USER)
        ],
        batch_size=1000,
    )
    users = list(User.objects.filter(username__startswith="bench_").order_by("pk"))
    EveCharacter.objects.bulk_create(
        [
            EveCharacter(
                character_id=FIRST_CHARACTER_ID + n,
                # not in key order, so that the report's order by name is not the pk order
                character_name=f"Bench Pilot {(n * 7919) % CHARACTERS:05d}",
                corporation_id=98_200_000 + n % 20,
                corporation_name=f"Bench Corporation {n % 20}",
                corporation_ticker=f"BC{n % 20}",
            )
            for n in range(CHARACTERS)
        ],
        batch_size=1000,
    )
    eve_characters = list(
        EveCharacter.objects.filter(character_id__gte=FIRST_CHARACTER_ID).order_by("character_id")
    )
    CharacterOwnership.objects.bulk_create(
        [
            CharacterOwnership(
                character=eve_character,
                user=users[n // CHARACTERS_PER_USER],
                owner_hash=f"bench-{eve_character.character_id}",
            )
            for n, eve_character in enumerate(eve_characters)
        ],
        batch_size=1000,
    )
    state = State.objects.order_by("-priority").first()
    state.permissions.add(
        Permission.objects.get(content_type__app_label="memberaudit", codename="basic_access").pk
    )
    profiles = {profile.user_id: profile for profile in UserProfile.objects.filter(user__in=users)}
    UserProfile.objects.bulk_create(
        [UserProfile(user=user, state=state) for user in users if user.pk not in profiles],
        batch_size=1000,
    )
    profiles = list(UserProfile.objects.filter(user__in=users).order_by("user_id"))
    for index, profile in enumerate(profiles):
        profile.state = state
        profile.main_character = eve_characters[index * CHARACTERS_PER_USER]
    UserProfile.objects.bulk_update(profiles, ["state", "main_character"], batch_size=1000)
    Character.objects.bulk_create(
        [Character(eve_character=eve_character) for eve_character in eve_characters],
        batch_size=1000,
    )
    return list(
        Character.objects.filter(eve_character__character_id__gte=FIRST_CHARACTER_ID)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def create_skill_sets() -> tuple[list[int], list[int]]:
    """Active skill sets with one required skill each; returns their pks and the skills'."""
    from eveuniverse.models import EveCategory, EveGroup, EveType

    from memberaudit.models import SkillSet, SkillSetSkill

    category, _ = EveCategory.objects.get_or_create(
        id=16, defaults={"name": "Skill", "published": True}
    )
    group, _ = EveGroup.objects.get_or_create(
        id=255, defaults={"name": "Spaceship Command", "eve_category": category, "published": True}
    )
    EveType.objects.bulk_create(
        [
            EveType(id=FIRST_SKILL_ID + n, name=f"Bench Skill {n}", eve_group=group, published=True)
            for n in range(SKILL_SETS)
        ],
        ignore_conflicts=True,
    )
    SkillSet.objects.bulk_create(
        [SkillSet(name=f"Bench Skill Set {n:02d}", is_active=True) for n in range(SKILL_SETS)]
    )
    skill_sets = list(SkillSet.objects.filter(name__startswith="Bench").order_by("pk"))
    SkillSetSkill.objects.bulk_create(
        [
            SkillSetSkill(skill_set=skill_set, eve_type_id=FIRST_SKILL_ID + n, required_level=3)
            for n, skill_set in enumerate(skill_sets)
        ]
    )
    skills = dict(
        SkillSetSkill.objects.filter(skill_set__in=skill_sets).values_list("skill_set_id", "pk")
    )
    return [skill_set.pk for skill_set in skill_sets], [skills[s.pk] for s in skill_sets]


def create_checks(character_pks: list[int], skill_set_pks: list[int], skill_pks: list[int]) -> None:
    """One check per character and skill set; every third check fails its required skill."""
    from django.db import connection, transaction

    from memberaudit.models import CharacterSkillSetCheck

    table = CharacterSkillSetCheck._meta.db_table
    failed_table = CharacterSkillSetCheck.failed_required_skills.through._meta.db_table
    pairs = [(character, skill_set) for character in character_pks for skill_set in skill_set_pks]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(pairs), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} (character_id, skill_set_id) VALUES (%s, %s)",
                pairs[start : start + BATCH],
            )
    skill_of_set = dict(zip(skill_set_pks, skill_pks, strict=True))
    checks = CharacterSkillSetCheck.objects.order_by("pk").values_list("pk", "skill_set_id")
    failed = [(pk, skill_of_set[skill_set]) for pk, skill_set in checks if pk % 3 == 0]
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(failed), BATCH):
            cursor.executemany(
                f"INSERT INTO {failed_table} (characterskillsetcheck_id, skillsetskill_id) "
                "VALUES (%s, %s)",
                failed[start : start + BATCH],
            )


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
