"""The alliance-scale data of ``benchmarks/alliance.py``, made in bulk: 2,000 users owning
10,000 registered characters (one pilot owns 50), 20 active skill sets with a check per
character (200,000) and the skills they ask for on every character, and one heavy character
with 100,000 assets nested in ships and containers across places, 100,000 wallet journal
entries, 20,000 mails (labels, mailing lists, recipients) and 10,000 contracts with their
items. :class:`Scale` shrinks it all (e.g. for a quick check or a test).
"""

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

import bulk_data  # the benchmarks' shared set-up, beside this file

FIRST_CHARACTER_ID = 2_120_000_000
FIRST_VIEWER_ID = 2_129_000_000
FIRST_ENTITY_ID = 2_130_000_000
FIRST_SKILL_ID = 920_000
FIRST_TYPE_ID = 930_000
FIRST_GROUP_ID = 9_300
FIRST_SYSTEM_ID = 30_090_000
FIRST_STATION_ID = 60_900_000
FIRST_STRUCTURE_ID = 1_090_000_000_000
ASSET_SAFETY_ID = 2004
AFFILIATION = bulk_data.Affiliation(corporations=20, alliances=2)
RECRUITER_PERMISSIONS = (
    "basic_access",
    "finder_access",
    "reports_access",
    "characters_access",
    "view_same_corporation",
    "exports_access",
    "view_access_log",
    "api_access",
)


@dataclass(frozen=True)
class Scale:
    """How much data: the full alliance times ``factor`` (at least one of each)."""

    factor: float = 1.0

    def of(self, count: int, least: int = 1) -> int:
        return max(least, round(count * self.factor))

    @property
    def users(self) -> int:
        return self.of(2_000, 2)

    @property
    def characters(self) -> int:
        return max(self.of(10_000), self.users + 1)

    @property
    def pilot_characters(self) -> int:
        return min(50, self.characters - self.users + 1)

    @property
    def assets(self) -> int:
        return self.of(100_000, 20)

    @property
    def journal(self) -> int:
        return self.of(100_000)

    @property
    def mails(self) -> int:
        return self.of(20_000)

    @property
    def contracts(self) -> int:
        return self.of(10_000)

    @property
    def entities(self) -> int:
        return self.of(2_000, 10)

    skill_sets = 20
    places = 30
    item_types = 300


def fill(scale: Scale, reuse: bool = False, analyze: bool = True) -> None:
    """The alliance's data, unless ``reuse`` and it is there already; the database must be
    empty otherwise."""
    from memberaudit.models import Character, CharacterAsset, CharacterSkillSetCheck

    if reuse and CharacterAsset.objects.count() >= scale.assets:
        checks = CharacterSkillSetCheck.objects.count()
        print(f"reusing the data ({checks:,} skill set checks)", file=sys.stderr)
        return
    if Character.objects.exists():
        raise SystemExit("The database holds a smaller alliance: run without --reuse.")
    started = time.perf_counter()
    owned = bulk_data.characters_per_user(scale.characters, scale.users, scale.pilot_characters)
    character_pks = bulk_data.create_characters(owned, FIRST_CHARACTER_ID, AFFILIATION)
    create_viewers()
    heavy = character_pks[0]  # the pilot's main, in corporation 0 like the recruiter
    rng = random.Random(20)
    universe = create_universe(scale)
    log(started, "characters and universe")
    create_assets(heavy, scale, universe, rng)
    log(started, "assets")
    create_journal(heavy, scale, universe, rng)
    log(started, "journal")
    create_mails(heavy, scale, universe, rng)
    log(started, "mails")
    create_contracts(heavy, scale, universe, rng)
    log(started, "contracts")
    skill_set_pks, skill_pks = bulk_data.create_skill_sets(scale.skill_sets, FIRST_SKILL_ID)
    bulk_data.create_checks(character_pks, skill_set_pks, skill_pks)
    create_skills(character_pks, scale, rng)
    log(started, "skill sets")
    if analyze:
        from django.apps import apps

        bulk_data.analyze(apps.get_app_config("memberaudit").get_models())
    log(started, "filled")


def log(started: float, what: str) -> None:
    print(f"{time.perf_counter() - started:6.0f} s  {what}", file=sys.stderr)


def create_viewers() -> None:
    """A superuser and a recruiter (corporation scope), each with a main in corporation 0."""
    from django.contrib.auth.models import Permission, User

    bulk_data.create_characters(
        [1, 1], FIRST_VIEWER_ID, bulk_data.Affiliation(corporations=1), "bench_viewer_"
    )
    User.objects.filter(username="bench_viewer_0").update(is_superuser=True, is_staff=True)
    recruiter = User.objects.get(username="bench_viewer_1")
    recruiter.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="memberaudit", codename__in=RECRUITER_PERMISSIONS
        )
    )


ALLIANCE_RECRUITER = "bench_alliance_viewer_0"


def create_alliance_recruiter() -> None:
    """A recruiter who sees the characters of their alliance (``view_same_alliance``): the
    characters of every other corporation, about half of them. Made once; kept data from
    before this viewer existed gets it too."""
    from django.contrib.auth.models import Permission, User

    if User.objects.filter(username=ALLIANCE_RECRUITER).exists():
        return
    bulk_data.create_characters([1], FIRST_VIEWER_ID + 2, AFFILIATION, "bench_alliance_viewer_")
    codenames = [*RECRUITER_PERMISSIONS, "view_same_alliance"]
    codenames.remove("view_same_corporation")
    User.objects.get(username=ALLIANCE_RECRUITER).user_permissions.add(
        *Permission.objects.filter(content_type__app_label="memberaudit", codename__in=codenames)
    )


@dataclass
class Universe:
    """What the heavy character's rows point at."""

    places: list[int]
    systems: list[int]
    item_types: list[int]
    ship_types: list[int]
    container_types: list[int]
    entities: list[int]


def create_universe(scale: Scale) -> Universe:
    from eveuniverse.models import (
        EveCategory,
        EveConstellation,
        EveEntity,
        EveGroup,
        EveRegion,
        EveSolarSystem,
        EveType,
    )

    from memberaudit.models import Location

    region, _ = EveRegion.objects.get_or_create(id=10_090_000, defaults={"name": "Bench Region"})
    constellation, _ = EveConstellation.objects.get_or_create(
        id=20_090_000, defaults={"name": "Bench Constellation", "eve_region": region}
    )
    systems = [FIRST_SYSTEM_ID + n for n in range(10)]
    EveSolarSystem.objects.bulk_create(
        [
            EveSolarSystem(
                id=system,
                name=f"Bench System {n}",
                eve_constellation=constellation,
                security_status=round(1 - n / 10, 1),
            )
            for n, system in enumerate(systems)
        ],
    )
    categories = {"Module": 7, "Ship": 6, "Celestial": 2}
    for name, category_id in categories.items():
        EveCategory.objects.get_or_create(
            id=category_id, defaults={"name": name, "published": True}
        )
    groups = [FIRST_GROUP_ID + n for n in range(12)]
    EveGroup.objects.bulk_create(
        [
            EveGroup(
                id=group,
                name=f"Bench Group {n}",
                eve_category_id=6 if n == 10 else 2 if n == 11 else 7,
                published=True,
            )
            for n, group in enumerate(groups)
        ],
    )
    item_types = [FIRST_TYPE_ID + n for n in range(scale.item_types)]
    ship_types = [FIRST_TYPE_ID + scale.item_types + n for n in range(10)]
    container_types = [FIRST_TYPE_ID + scale.item_types + 10 + n for n in range(5)]
    EveType.objects.bulk_create(
        [
            EveType(
                id=type_id, name=f"Bench Item {n:03d}", eve_group_id=groups[n % 10], published=True
            )
            for n, type_id in enumerate(item_types)
        ]
        + [
            EveType(id=type_id, name=f"Bench Ship {n}", eve_group_id=groups[10], published=True)
            for n, type_id in enumerate(ship_types)
        ]
        + [
            EveType(
                id=type_id, name=f"Bench Container {n}", eve_group_id=groups[11], published=True
            )
            for n, type_id in enumerate(container_types)
        ],
    )
    # stations, structures (a third without a name: no docking rights) and asset safety
    places = []
    locations = []
    for n in range(scale.places - 1):
        system = systems[n % len(systems)]
        if n % 2:
            place = FIRST_STRUCTURE_ID + n
            name = "" if n % 3 == 0 else f"Bench System {n % len(systems)} - Bench Keepstar {n}"
        else:
            place = FIRST_STATION_ID + n
            name = f"Bench System {n % len(systems)} - Bench Station {n}"
        places.append(place)
        locations.append(Location(id=place, name=name, eve_solar_system_id=system))
    places.append(ASSET_SAFETY_ID)
    locations.append(Location(id=ASSET_SAFETY_ID, name=""))
    Location.objects.bulk_create(locations)
    entities = []
    for n in range(scale.entities):
        category, name = (
            ("corporation", f"Bench Corporation {n}")
            if n % 20 == 1
            else ("alliance", f"Bench Alliance {n}")
            if n % 100 == 2
            else ("character", f"Bench Party {n:04d}")
        )
        entities.append(EveEntity(id=FIRST_ENTITY_ID + n, name=name, category=category))
    EveEntity.objects.bulk_create(entities)
    return Universe(
        places=places,
        systems=systems,
        item_types=item_types,
        ship_types=ship_types,
        container_types=container_types,
        entities=[entity.id for entity in entities],
    )


def _next_pk(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def create_assets(character: int, scale: Scale, universe: Universe, rng: random.Random) -> None:
    """Ships and containers at the places, containers inside them, items inside both, and
    loose items at the places: ``scale.assets`` in all, with the sort names, container names
    and counts per place that the assets section keeps when it stores them."""
    from eveuniverse.models import EveType

    from memberaudit.models import Character, CharacterAsset
    from memberaudit.sections import asset_places

    first = _next_pk(CharacterAsset)
    top = max(1, scale.assets // 150)
    nested = 2 * top
    loose = scale.assets // 5
    inner = scale.assets - top - nested - loose
    rows = []
    place_of = {}
    for n in range(top):
        pk = first + n
        place = universe.places[n % len(universe.places)]
        place_of[pk] = place
        is_ship = n % 3 == 0
        type_id = rng.choice(universe.ship_types if is_ship else universe.container_types)
        name = f"Bench {'Ship' if is_ship else 'Box'} {n}"
        rows.append((pk, character, pk, type_id, place, None, place, "Hangar", 1, True, name))
    for n in range(nested):
        pk = first + top + n
        parent = first + n % top
        place = place_of[parent]
        place_of[pk] = place
        type_id = rng.choice(universe.container_types)
        row = (pk, character, pk, type_id, None, parent, place, "Cargo", 1, True, f"Crate {n}")
        rows.append(row)
    containers = list(place_of)
    start = first + top + nested
    for n in range(inner):
        pk = start + n
        parent = containers[n % len(containers)]
        type_id = rng.choice(universe.item_types)
        quantity = rng.randint(1, 10_000)
        rows.append(
            (
                pk,
                character,
                pk,
                type_id,
                None,
                parent,
                place_of[parent],
                "Cargo",
                quantity,
                False,
                "",
            )
        )
    start += inner
    for n in range(loose):
        pk = start + n
        place = universe.places[n % len(universe.places)]
        type_id = rng.choice(universe.item_types)
        quantity = rng.randint(1, 10_000)
        rows.append((pk, character, pk, type_id, place, None, place, "Hangar", quantity, False, ""))
    fields = [
        "id",
        "character",
        "item_id",
        "eve_type",
        "location",
        "parent",
        "place",
        "location_flag",
        "quantity",
        "is_singleton",
        "name",
        "sort_name",
        "container_name",
    ]
    type_names = dict(
        EveType.objects.filter(id__in={row[3] for row in rows}).values_list("id", "name")
    )
    sort_names = {row[0]: row[-1] or type_names[row[3]] for row in rows}
    rows = [(*row, sort_names[row[0]], sort_names.get(row[5], "")) for row in rows]
    bulk_data.insert_rows(CharacterAsset, fields, rows)
    asset_places.refresh_summary(Character.objects.get(pk=character))


REF_TYPES = (
    "player_donation",
    "market_transaction",
    "bounty_prizes",
    "agent_mission_reward",
    "contract_price",
    "brokers_fee",
    "transaction_tax",
    "industry_job_tax",
    "planetary_export_tax",
    "corporation_account_withdrawal",
)


def create_journal(character: int, scale: Scale, universe: Universe, rng: random.Random) -> None:
    from memberaudit.models import CharacterWalletJournalEntry
    from memberaudit.models.finances import fill_journal_search_rows

    now = dt.datetime.now(dt.timezone.utc)
    balance = Decimal("1000000000.00")

    def rows():
        nonlocal balance
        for n in range(scale.journal):
            amount = Decimal(rng.randint(-5_000_000_00, 5_000_000_00)) / 100
            balance += amount
            yield (
                character,
                9_000_000_000 + n,
                now - dt.timedelta(minutes=7 * (scale.journal - n)),
                REF_TYPES[n % len(REF_TYPES)],
                amount,
                balance,
                f"Bench journal entry {n}",
                f"reason {n}" if n % 4 == 0 else "",
                rng.choice(universe.entities),
                rng.choice(universe.entities),
            )

    fields = [
        "character",
        "entry_id",
        "date",
        "ref_type",
        "amount",
        "balance",
        "description",
        "reason",
        "first_party",
        "second_party",
    ]
    bulk_data.insert_rows(CharacterWalletJournalEntry, fields, rows())
    fill_journal_search_rows()


LABELS = ((1, "Inbox"), (2, "Sent"), (4, "[Corp]"), (8, "[Alliance]"), (16, "Bench"))


def create_mails(character: int, scale: Scale, universe: Universe, rng: random.Random) -> None:
    """Mails with one or two labels and one to three recipients (characters, corporations,
    mailing lists); a tenth sent from a mailing list."""
    from memberaudit.models import (
        CharacterMail,
        CharacterMailingList,
        CharacterMailLabel,
        CharacterMailRecipient,
    )

    CharacterMailLabel.objects.bulk_create(
        [
            CharacterMailLabel(character_id=character, label_id=label_id, name=name)
            for label_id, name in LABELS
        ]
    )
    labels = dict(
        CharacterMailLabel.objects.filter(character_id=character).values_list("label_id", "pk")
    )
    CharacterMailingList.objects.bulk_create(
        [
            CharacterMailingList(character_id=character, list_id=145_000_000 + n, name=f"List {n}")
            for n in range(10)
        ]
    )
    lists = list(
        CharacterMailingList.objects.filter(character_id=character).values_list("pk", "list_id")
    )
    now = dt.datetime.now(dt.timezone.utc)
    first = _next_pk(CharacterMail)
    mail_rows, label_rows, recipient_rows = [], [], []
    for n in range(scale.mails):
        pk = first + n
        from_list = lists[n % len(lists)] if n % 10 == 0 else None
        sender = None if from_list else rng.choice(universe.entities)
        mail_rows.append(
            (
                pk,
                character,
                800_000_000 + n,
                from_list[1] if from_list else sender,
                sender,
                from_list[0] if from_list else None,
                f"Bench mail {n}: fleet at {n % 24:02d}:00",
                f"<font size='12'>Body of mail {n}</font>" if n % 2 else None,
                now - dt.timedelta(minutes=30 * (scale.mails - n)),
                n % 3 != 0,
            )
        )
        label = LABELS[n % len(LABELS)][0]
        label_rows.append((pk, labels[label]))
        if n % 4 == 0 and label != 16:
            label_rows.append((pk, labels[16]))
        recipients = rng.sample(universe.entities, 1 + n % 3)
        for recipient in recipients:
            recipient_rows.append((pk, recipient, "character", recipient, None))
        if n % 7 == 0:
            list_pk, list_id = lists[n % len(lists)]
            recipient_rows.append((pk, list_id, "mailing_list", None, list_pk))
    mail_fields = [
        "id",
        "character",
        "mail_id",
        "from_id",
        "sender",
        "sender_mailing_list",
        "subject",
        "body",
        "timestamp",
        "is_read",
    ]
    bulk_data.insert_rows(CharacterMail, mail_fields, mail_rows)
    bulk_data.insert_rows(
        CharacterMail.labels.through, ["charactermail", "charactermaillabel"], label_rows
    )
    bulk_data.insert_rows(
        CharacterMailRecipient,
        ["mail", "recipient_id", "kind", "eve_entity", "mailing_list"],
        recipient_rows,
    )


def create_contracts(character: int, scale: Scale, universe: Universe, rng: random.Random):
    """Item exchanges, auctions and couriers, each with one to five items."""
    from memberaudit.models import CharacterContract, CharacterContractItem

    now = dt.datetime.now(dt.timezone.utc)
    first = _next_pk(CharacterContract)
    kinds = ("item_exchange", "item_exchange", "auction", "courier")
    statuses = ("finished", "outstanding", "expired_unknown", "deleted")
    contract_rows, item_rows = [], []
    for n in range(scale.contracts):
        pk = first + n
        kind = kinds[n % len(kinds)]
        issued = now - dt.timedelta(hours=3 * (scale.contracts - n))
        status = statuses[n % 3] if statuses[n % 3] != "expired_unknown" else "unknown"
        contract_rows.append(
            (
                pk,
                character,
                190_000_000 + n,
                kind,
                status,
                "personal" if n % 2 else "public",
                f"Bench contract {n}" if n % 3 else "",
                rng.choice(universe.entities),
                rng.choice(universe.entities),
                rng.choice(universe.entities) if n % 2 else None,
                issued,
                issued + dt.timedelta(days=14),
                rng.choice(universe.places),
                rng.choice(universe.places),
                Decimal(rng.randint(1, 10_000_000_000)) / 100,
                Decimal(rng.randint(1, 100_000_000)) / 100 if kind == "courier" else None,
                float(rng.randint(1, 300_000)),
                True,
            )
        )
        for record in range(1 + n % 5):
            item_rows.append(
                (
                    pk,
                    record + 1,
                    rng.choice(universe.item_types),
                    rng.randint(1, 1_000),
                    record % 4 != 3,
                    False,
                )
            )
    contract_fields = [
        "id",
        "character",
        "contract_id",
        "contract_type",
        "status",
        "availability",
        "title",
        "issuer",
        "issuer_corporation",
        "acceptor",
        "date_issued",
        "date_expired",
        "start_location",
        "end_location",
        "price",
        "reward",
        "volume",
        "items_fetched",
    ]
    bulk_data.insert_rows(CharacterContract, contract_fields, contract_rows)
    bulk_data.insert_rows(
        CharacterContractItem,
        ["contract", "record_id", "eve_type", "quantity", "is_included", "is_singleton"],
        item_rows,
    )


def create_skills(character_pks: list[int], scale: Scale, rng: random.Random) -> None:
    """Every character has the skill sets' skills, at random levels, and its skill points."""
    from memberaudit.models import CharacterSkillpoints

    skills = [FIRST_SKILL_ID + n for n in range(scale.skill_sets)]
    bulk_data.insert_skills(
        (pk, skill, rng.randint(0, 5)) for pk in character_pks for skill in skills
    )
    bulk_data.insert_rows(
        CharacterSkillpoints,
        ["character", "total"],
        ((pk, rng.randint(1_000_000, 150_000_000)) for pk in character_pks),
    )
