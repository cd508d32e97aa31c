"""What the benchmarks share: a database of their own, and users, characters and skill sets
made in bulk (plain multi-row INSERTs, so that hundreds of thousands of rows take seconds).

A benchmark calls :func:`setup_django` with its database (``sqlite`` or ``mysql``) and the
name of its own MariaDB database or SQLite file, so it never touches the project's data;
:func:`create_database` and :func:`drop_database` make and remove that database.
"""

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTAUTH = ROOT / "testauth"
BATCH = 10_000


def setup_django(database: str, mysql_name: str, sqlite_path: Path) -> None:
    """Configure Django for the benchmark's own database and set it up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "testauth.settings.local"
    os.environ.setdefault("TESTAUTH_LOG_LEVEL", "ERROR")
    if database == "mysql":
        os.environ["TESTAUTH_DATABASE"] = "mysql"
        os.environ["TESTAUTH_MYSQL_NAME"] = mysql_name
    else:
        os.environ["TESTAUTH_DATABASE"] = "sqlite"
        os.environ["TESTAUTH_SQLITE_PATH"] = str(sqlite_path)
    for folder in (str(TESTAUTH), str(ROOT)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def _mysql_server():
    import MySQLdb

    return MySQLdb.connect(
        host=os.environ.get("TESTAUTH_MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("TESTAUTH_MYSQL_PORT", "3306")),
        user=os.environ.get("TESTAUTH_MYSQL_USER", "root"),
        passwd=os.environ.get("TESTAUTH_MYSQL_PASSWORD", ""),
    )


def create_database(database: str, mysql_name: str, sqlite_path: Path, reuse: bool) -> None:
    """An empty database of the benchmark's own (or the kept one with ``reuse``)."""
    if database == "mysql":
        server = _mysql_server()
        with server.cursor() as cursor:
            if not reuse:
                cursor.execute(f"DROP DATABASE IF EXISTS `{mysql_name}`")
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS `{mysql_name}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        server.close()
    elif not reuse:
        drop_database(database, mysql_name, sqlite_path)


def drop_database(database: str, mysql_name: str, sqlite_path: Path) -> None:
    if database == "mysql":
        server = _mysql_server()
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{mysql_name}`")
        server.close()
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)


def analyze(models: Iterable = ()) -> None:
    """Refresh the database's table statistics (of ``models``' tables on MariaDB, of every
    table on SQLite), as a live database has them: the planner chooses indexes by them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            tables = sorted({model._meta.db_table for model in models})
            if tables:
                cursor.execute("ANALYZE TABLE " + ", ".join(f"`{t}`" for t in tables))
                cursor.fetchall()
        else:
            cursor.execute("ANALYZE")


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (values in the order of ``fields``, Python values as the ORM takes
    them) into ``model``'s table in multi-row statements; the other columns get their
    field's default (the database computes generated ones). Returns how many rows."""
    from django.db import connection, transaction

    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    defaulted = [
        field
        for field in meta.concrete_fields
        if field not in given and not field.primary_key and not field.null and not field.generated
    ]
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in defaulted]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in given + defaulted)
    placeholders = ", ".join(["%s"] * (len(given) + len(defaulted)))
    table = connection.ops.quote_name(meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    prepared = [
        index
        for index, field in enumerate(given)
        if field.get_internal_type() in ("DateTimeField", "DecimalField", "DateField")
    ]
    count = 0
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            row = list(row)
            for index in prepared:
                row[index] = given[index].get_db_prep_save(row[index], connection)
            batch.append(row + defaults)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@dataclass(frozen=True)
class Affiliation:
    """Corporations and alliances of the users: user ``n``'s characters are all in
    corporation ``n % corporations``, of alliance ``corporation % alliances`` (none when
    ``alliances`` is 0)."""

    corporations: int = 20
    alliances: int = 0
    first_corporation_id: int = 98_200_000
    first_alliance_id: int = 99_200_000

    def corporation_of(self, user_index: int) -> int:
        return user_index % self.corporations

    def alliance_of(self, user_index: int) -> int | None:
        if not self.alliances:
            return None
        return self.corporation_of(user_index) % self.alliances


def characters_per_user(characters: int, users: int, first_user: int | None = None) -> list[int]:
    """How many characters each user owns: ``characters`` spread over ``users`` as evenly as
    possible, the first user owning ``first_user`` of them when given."""
    counts = []
    if first_user is not None:
        counts.append(min(first_user, characters))
        characters -= counts[0]
        users -= 1
    if users <= 0:
        return counts
    each, extra = divmod(characters, users)
    counts.extend(each + (1 if index < extra else 0) for index in range(users))
    return counts


def create_characters(
    owned: Sequence[int],
    first_character_id: int,
    affiliation: Affiliation,
    username_prefix: str = "bench_",
    shuffled_names: bool = False,
) -> list[int]:
    """Users owning ``owned[n]`` registered characters each (their first is their main), in
    the top state with ``basic_access``; returns the characters' pks in character id order.

    With ``shuffled_names`` the names are not in key order, so that sorting by name is not
    sorting by key."""
    from django.contrib.auth.models import Permission, User

    from allianceauth.authentication.models import CharacterOwnership, State, UserProfile
    from allianceauth.eveonline.models import EveCharacter

    from memberaudit.models import Character

    total = sum(owned)
    names = [f"{username_prefix}{n}" for n in range(len(owned))]
    User.objects.bulk_create(
        [User(username=name, is_active=True) for name in names], batch_size=1000
    )
    by_name = {user.username: user for user in User.objects.filter(username__in=names)}
    users = [by_name[name] for name in names]
    owner_of = [index for index, count in enumerate(owned) for _ in range(count)]
    eve_characters = []
    for n, user_index in enumerate(owner_of):
        corporation = affiliation.corporation_of(user_index)
        alliance = affiliation.alliance_of(user_index)
        number = (n * 7919) % total if shuffled_names else n
        eve_characters.append(
            EveCharacter(
                character_id=first_character_id + n,
                character_name=f"Bench Pilot {number:05d}",
                corporation_id=affiliation.first_corporation_id + corporation,
                corporation_name=f"Bench Corporation {corporation}",
                corporation_ticker=f"BC{corporation}",
                alliance_id=None if alliance is None else affiliation.first_alliance_id + alliance,
                alliance_name="" if alliance is None else f"Bench Alliance {alliance}",
                alliance_ticker="" if alliance is None else f"BA{alliance}",
            )
        )
    EveCharacter.objects.bulk_create(eve_characters, batch_size=1000)
    eve_characters = list(
        EveCharacter.objects.filter(
            character_id__gte=first_character_id, character_id__lt=first_character_id + total
        ).order_by("character_id")
    )
    CharacterOwnership.objects.bulk_create(
        [
            CharacterOwnership(
                character=eve_character,
                user=users[owner_of[n]],
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
    first_of_user = {}
    for n, user_index in enumerate(owner_of):
        first_of_user.setdefault(user_index, eve_characters[n])
    index_of = {user.pk: index for index, user in enumerate(users)}
    profiles = list(UserProfile.objects.filter(user__in=users))
    for profile in profiles:
        profile.state = state
        profile.main_character = first_of_user.get(index_of[profile.user_id])
    UserProfile.objects.bulk_update(profiles, ["state", "main_character"], batch_size=1000)
    Character.objects.bulk_create(
        [Character(eve_character=eve_character) for eve_character in eve_characters],
        batch_size=1000,
    )
    character_pks = list(
        Character.objects.filter(eve_character__in=eve_characters)
        .order_by("eve_character__character_id")
        .values_list("pk", flat=True)
    )
    from memberaudit import owner_copies

    owner_copies.refresh(Character.objects.filter(pk__in=character_pks))  # as a save does
    return character_pks


def skill_group():
    """The skill category and a group of it, as eveuniverse keeps them."""
    from eveuniverse.models import EveCategory, EveGroup

    category, _ = EveCategory.objects.get_or_create(
        id=16, defaults={"name": "Skill", "published": True}
    )
    group, _ = EveGroup.objects.get_or_create(
        id=255, defaults={"name": "Spaceship Command", "eve_category": category, "published": True}
    )
    return group


def create_skill_sets(count: int, first_skill_id: int) -> tuple[list[int], list[int]]:
    """Active skill sets with one required skill each (a skill type of its own); returns
    their pks and the pks of their skills."""
    from eveuniverse.models import EveType

    from memberaudit.models import SkillSet, SkillSetSkill

    group = skill_group()
    EveType.objects.bulk_create(
        [
            EveType(id=first_skill_id + n, name=f"Bench Skill {n}", eve_group=group, published=True)
            for n in range(count)
        ],
        ignore_conflicts=True,
    )
    SkillSet.objects.bulk_create(
        [SkillSet(name=f"Bench Skill Set {n:02d}", is_active=True) for n in range(count)]
    )
    skill_sets = list(SkillSet.objects.filter(name__startswith="Bench").order_by("pk"))
    SkillSetSkill.objects.bulk_create(
        [
            SkillSetSkill(skill_set=skill_set, eve_type_id=first_skill_id + n, required_level=3)
            for n, skill_set in enumerate(skill_sets)
        ]
    )
    skills = dict(
        SkillSetSkill.objects.filter(skill_set__in=skill_sets).values_list("skill_set_id", "pk")
    )
    return [skill_set.pk for skill_set in skill_sets], [skills[s.pk] for s in skill_sets]


def insert_skills(levels: Iterable[tuple[int, int, int]]) -> int:
    """Insert skills from ``(character pk, skill type id, level)``: trained and active at that
    level, with the skill points a skill of rank one has there. Returns how many rows."""
    from memberaudit.models import CharacterSkill

    fields = [
        "character",
        "eve_type",
        "active_skill_level",
        "trained_skill_level",
        "skillpoints_in_skill",
    ]
    rows = ((pk, skill, level, level, 256_000 * level) for pk, skill, level in levels)
    return insert_rows(CharacterSkill, fields, rows)


def create_checks(character_pks: list[int], skill_set_pks: list[int], skill_pks: list[int]) -> None:
    """One check per character and skill set; every third check fails its required skill."""
    from memberaudit.models import CharacterSkillSetCheck

    insert_rows(
        CharacterSkillSetCheck,
        ["character", "skill_set"],
        ((character, skill_set) for character in character_pks for skill_set in skill_set_pks),
    )
    skill_of_set = dict(zip(skill_set_pks, skill_pks, strict=True))
    checks = CharacterSkillSetCheck.objects.order_by("pk").values_list("pk", "skill_set_id")
    failed = [(pk, skill_of_set[skill_set]) for pk, skill_set in checks if pk % 3 == 0]
    insert_rows(
        CharacterSkillSetCheck.failed_required_skills.through,
        ["characterskillsetcheck", "skillsetskill"],
        failed,
    )
    from memberaudit import report_rows

    report_rows.refresh(CharacterSkillSetCheck.objects.all())  # as the app writes checks


def print_table(header: list[str], lines: list[list[str]], markdown: bool) -> None:
    """Print rows of text cells as a Markdown table, or as aligned columns."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for line in lines:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)))
