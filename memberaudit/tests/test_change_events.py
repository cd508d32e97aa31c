"""Change events come from what a section's store really wrote: each kind from a real store diff,
none on a character's first update, and red flags for anything involving the watchlist."""

import datetime as dt

import pytest

from django.utils import timezone

from allianceauth.eveonline.models import EveCharacter
from eveuniverse.models import EveConstellation, EveEntity, EveRegion, EveSolarSystem

from memberaudit import change_events, updater
from memberaudit.entities import ensure_entity_rows
from memberaudit.models import ChangeEvent, Location, WatchedEntity
from memberaudit.sections import registry

from .factories import create_character, create_item_type
from .sections.helpers import create_skill_types, install_canned_esi

pytestmark = pytest.mark.django_db

Kind = ChangeEvent.Kind
OUR_ALLIANCE = 99_000_001
OUR_CORPORATION = 98_000_001
ME = 2_112_400_001
FRIEND = 2_112_500_001  # a character of our alliance, known to Auth
STRANGER = 2_112_500_002  # a character Auth does not know
HOSTILE_ALLIANCE = 99_000_666
HOSTILE_CORPORATION = 98_000_666
SPY_HANDLER = 2_112_500_666
EARLIER = timezone.now() - dt.timedelta(hours=2)
JITA, AMARR = 30_000_142, 30_002_187
JITA_STATION, AMARR_STATION = 60_003_760, 60_008_494


@pytest.fixture
def character():
    character = create_character(
        character_id=ME, corporation_id=OUR_CORPORATION, alliance_id=OUR_ALLIANCE
    )
    EveCharacter.objects.create(
        character_id=FRIEND,
        character_name="Friend",
        corporation_id=98_000_002,
        corporation_name="Friendly Corp",
        corporation_ticker="FRND",
        alliance_id=OUR_ALLIANCE,
    )
    ensure_entity_rows(
        [ME, FRIEND, STRANGER, SPY_HANDLER, HOSTILE_CORPORATION, HOSTILE_ALLIANCE]
        + [OUR_CORPORATION, OUR_ALLIANCE]
    )
    return character


def store(character, section: str, data, first: bool = False) -> None:
    """Store ``data`` the way the updater does; ``first``: the section never succeeded."""
    updater._store(character, registry.get(section), data, None if first else EARLIER)


def events_of(character, kind: str | None = None) -> list[ChangeEvent]:
    events = ChangeEvent.objects.filter(character=character).order_by("pk")
    return list(events.filter(kind=kind) if kind else events)


def watch(entity_id: int) -> WatchedEntity:
    return WatchedEntity.objects.create(entity_id=entity_id, reason="hostile")


# --- the hook --------------------------------------------------------------------------------


def contact(contact_id: int, standing: float = 5.0) -> dict:
    return {
        "contact_id": contact_id,
        "contact_type": "character",
        "standing": standing,
        "is_blocked": False,
        "is_watched": False,
        "label_ids": [],
    }


def test_should_record_no_events_on_the_first_update_and_events_on_the_next(character, monkeypatch):
    answers = install_canned_esi(
        monkeypatch,
        {
            "GetCharactersCharacterIdContactsLabels": [],
            "GetCharactersCharacterIdContacts": [contact(FRIEND), contact(STRANGER)],
            "PostUniverseNames": lambda params: [
                {"id": entity_id, "name": f"Entity {entity_id}", "category": "character"}
                for entity_id in params["body"]
            ],
        },
    )

    assert updater.update_section(character, "contacts").is_success
    assert events_of(character) == []

    answers["GetCharactersCharacterIdContacts"] = [contact(FRIEND, -10.0), contact(SPY_HANDLER)]
    assert updater.update_section(character, "contacts", force=True).is_success

    kinds = {(event.kind, event.entity_id) for event in events_of(character)}
    assert kinds == {
        (Kind.CONTACT_STANDING, FRIEND),
        (Kind.CONTACT_ADDED, SPY_HANDLER),
        (Kind.CONTACT_REMOVED, STRANGER),
    }


def test_should_not_record_anything_for_a_store_outside_an_update(character):
    registry.get("contacts").store(character, {"labels": [], "contacts": [contact(FRIEND)]})
    registry.get("contacts").store(character, {"labels": [], "contacts": []})

    assert events_of(character) == []


def test_should_keep_an_event_recorded_twice_once(character):
    event = change_events.Event(Kind.WATCHLIST, "mails:1:2", timezone.now(), "mails")

    change_events.save(character.pk, [event])
    change_events.save(character.pk, [event])

    assert len(events_of(character)) == 1


# --- each kind from a real store diff ----------------------------------------------------------


def test_should_record_joining_a_corporation_and_leaving_the_one_before(character):
    first = {
        "record_id": 1,
        "corporation_id": OUR_CORPORATION,
        "start_date": "2020-01-01T00:00:00+00:00",
        "is_deleted": False,
    }
    store(character, "corporation_history", [first], first=True)
    moved = {**first, "record_id": 2, "corporation_id": 98_000_777}
    moved["start_date"] = "2025-06-01T00:00:00+00:00"

    store(character, "corporation_history", [first, moved])

    assert [(e.kind, e.entity_id) for e in events_of(character)] == [
        (Kind.CORPORATION_LEFT, OUR_CORPORATION),
        (Kind.CORPORATION_JOINED, 98_000_777),
    ]
    assert all(e.severity == ChangeEvent.Severity.MEDIUM for e in events_of(character))


def journal_entry(entry_id: int, amount: str, other: int, ref_type="player_donation") -> dict:
    return {
        "entry_id": entry_id,
        "date": "2025-06-01T12:00:00+00:00",
        "ref_type": ref_type,
        "amount": amount,
        "balance": "0.00",
        "description": "",
        "reason": "",
        "first_party_id": other,
        "second_party_id": ME,
        "tax": None,
        "tax_receiver_id": None,
        "context_id": None,
        "context_id_type": "",
    }


def test_should_record_large_transfers_with_outsiders_only(character, settings):
    settings.MEMBERAUDIT_RED_FLAGS_TRANSFER_THRESHOLD = 1_000_000_000
    store(character, "wallet_journal", [journal_entry(1, "5.00", STRANGER)], first=True)

    store(
        character,
        "wallet_journal",
        [
            journal_entry(2, "2000000000.00", STRANGER),  # outside: an event
            journal_entry(3, "2000000000.00", FRIEND),  # our alliance
            journal_entry(4, "999999999.00", STRANGER),  # below the threshold
            journal_entry(5, "3000000000.00", STRANGER, ref_type="market_transaction"),
            journal_entry(1, "5.00", STRANGER),
        ],
    )

    events = events_of(character)
    assert [(e.kind, e.source_id, e.entity_id) for e in events] == [
        (Kind.LARGE_TRANSFER, 2, STRANGER)
    ]


def create_system(system_id: int, name: str) -> EveSolarSystem:
    region, _ = EveRegion.objects.get_or_create(id=10_000_002, defaults={"name": "The Forge"})
    constellation, _ = EveConstellation.objects.get_or_create(
        id=20_000_020, defaults={"name": "Kimotoro", "eve_region": region}
    )
    return EveSolarSystem.objects.create(
        id=system_id, name=name, eve_constellation=constellation, security_status=0.9
    )


def asset_item(item_id: int, location_id: int) -> dict:
    return {
        "item_id": item_id,
        "type_id": 3467,
        "location_id": location_id,
        "parent_id": None,
        "location_flag": "Hangar",
        "quantity": 1,
        "is_singleton": True,
        "is_blueprint_copy": False,
        "name": "",
        "sort_name": "Small Secure Container",
        "is_active_ship_in_space": False,
    }


def test_should_record_assets_seen_in_a_new_system(character):
    create_item_type()
    Location.objects.create(id=JITA_STATION, eve_solar_system=create_system(JITA, "Jita"))
    Location.objects.create(id=AMARR_STATION, eve_solar_system=create_system(AMARR, "Amarr"))
    store(character, "assets", [asset_item(1, JITA_STATION)], first=True)
    store(character, "assets", [asset_item(1, JITA_STATION), asset_item(2, JITA_STATION)])
    assert events_of(character) == []  # more in Jita: nothing new

    store(character, "assets", [asset_item(1, JITA_STATION), asset_item(2, AMARR_STATION)])

    events = events_of(character)
    assert [(e.kind, e.source_id, e.details["solar_system"]) for e in events] == [
        (Kind.NEW_SYSTEM, AMARR, "Amarr")
    ]


def test_should_record_the_ship_in_a_new_system_without_assets_there(character):
    create_system(JITA, "Jita")
    create_system(AMARR, "Amarr")
    store(character, "location", {"solar_system_id": JITA, "location_id": None}, first=True)

    store(character, "location", {"solar_system_id": AMARR, "location_id": None})
    store(character, "location", {"solar_system_id": JITA, "location_id": None})
    store(character, "location", {"solar_system_id": AMARR, "location_id": None})

    events = events_of(character)
    assert [(e.kind, e.details["solar_system"]) for e in events] == [
        (Kind.NEW_SYSTEM, "Amarr"),  # once: Amarr is not new the second time
        (Kind.NEW_SYSTEM, "Jita"),
    ]


def skills_data(total: int, unallocated: int | None = None, skill_ids=()) -> dict:
    return {
        "skills": [
            {
                "skill_id": skill_id,
                "active_skill_level": 1,
                "trained_skill_level": 1,
                "skillpoints_in_skill": 250,
            }
            for skill_id in skill_ids
        ],
        "total_sp": total,
        "unallocated_sp": unallocated,
    }


def test_should_record_skill_points_growing_faster_than_training(character, monkeypatch):
    monkeypatch.setattr("memberaudit.sections.skills.after_store", lambda *args: None)
    skill_ids = create_skill_types(1)
    store(character, "skills", skills_data(10_000_000, None, skill_ids), first=True)
    store(character, "skills", skills_data(10_005_000, None, skill_ids))  # 2 h of training
    assert events_of(character) == []

    store(character, "skills", skills_data(10_005_000, 500_000, skill_ids))  # an injector

    events = events_of(character)
    assert [(e.kind, e.details["gained"]) for e in events] == [(Kind.SKILL_INJECTED, 500_000)]


def notification(notification_id: int, kind: str) -> dict:
    return {
        "notification_id": notification_id,
        "sender_id": HOSTILE_CORPORATION,
        "sender_type": "corporation",
        "type": kind,
        "timestamp": "2025-06-01T12:00:00+00:00",
        "is_read": False,
        "text": "",
        "group": "corporation",
        "details": {},
        "is_parsed": False,
        "known_sender": True,
    }


def test_should_record_corporation_applications_and_locator_agents(character):
    store(character, "notifications", {"notifications": []}, first=True)

    store(
        character,
        "notifications",
        {
            "notifications": [
                notification(1, "CharAppAcceptMsg"),
                notification(2, "LocateCharMsg"),
                notification(3, "StructureUnderAttack"),
            ]
        },
    )

    assert [(e.kind, e.source_id) for e in events_of(character)] == [
        (Kind.CORPORATION_APPLICATION, 1),
        (Kind.LOCATOR_AGENT, 2),
    ]


def attacker(character_id, corporation_id, alliance_id=None) -> dict:
    return {
        "character_id": character_id,
        "corporation_id": corporation_id,
        "alliance_id": alliance_id,
        "faction_id": None,
        "ship_type_id": None,
        "weapon_type_id": None,
        "damage_done": 100,
        "is_final_blow": False,
        "security_status": 0.0,
    }


def killmail(killmail_id: int, attackers: list[dict]) -> dict:
    return {
        "killmail_id": killmail_id,
        "hash": "abc",
        "time": "2025-06-01T12:00:00+00:00",
        "solar_system_id": None,
        "moon_id": None,
        "war_id": None,
        "victim": {
            "character_id": 2_112_599_999,
            "corporation_id": 98_099_999,
            "alliance_id": None,
            "faction_id": None,
            "ship_type_id": None,
            "damage_taken": 1000,
        },
        "attackers": [
            {**row, "position": position} for position, row in enumerate(attackers)
        ],  # as the fetch numbers them
        "items": [],
    }


def test_should_record_kills_with_co_attackers_outside_the_alliance(character):
    me = attacker(ME, OUR_CORPORATION, OUR_ALLIANCE)
    friend = attacker(FRIEND, 98_000_002, OUR_ALLIANCE)
    outsider = attacker(STRANGER, 98_000_555, 99_000_555)
    ensure_entity_rows([2_112_599_999, 98_099_999, 98_000_002, 98_000_555, 99_000_555])
    store(character, "killmails", {"failure": None, "killmails": [], "listed": []}, first=True)

    store(
        character,
        "killmails",
        {
            "failure": None,
            "killmails": [killmail(11, [me, friend]), killmail(12, [me, friend, outsider])],
            "listed": [(11, "abc"), (12, "abc")],
        },
    )

    events = events_of(character)
    assert [(e.kind, e.source_id, e.details["outsiders"]) for e in events] == [
        (Kind.OUTSIDE_CO_ATTACKERS, 12, 1)
    ]


# --- the watchlist -------------------------------------------------------------------------------


def test_should_raise_red_flags_for_watched_entities_in_new_data(character):
    watch(SPY_HANDLER)
    watch(HOSTILE_CORPORATION)
    store(character, "contacts", {"labels": [], "contacts": []}, first=True)
    store(character, "corporation_history", [], first=True)

    store(character, "contacts", {"labels": [], "contacts": [contact(SPY_HANDLER)]})
    store(
        character,
        "corporation_history",
        [
            {
                "record_id": 7,
                "corporation_id": HOSTILE_CORPORATION,
                "start_date": "2025-06-01T00:00:00+00:00",
                "is_deleted": False,
            }
        ],
    )

    flags = events_of(character, Kind.WATCHLIST)
    assert {(e.section, e.entity_id) for e in flags} == {
        ("contacts", SPY_HANDLER),
        ("corporation_history", HOSTILE_CORPORATION),
    }
    assert all(flag.severity == ChangeEvent.Severity.HIGH for flag in flags)


def test_should_find_watched_entities_in_data_stored_before_they_were_added(
    character, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("memberaudit.tasks.WATCHLIST_BATCH_SIZE", 1)  # one row per run
    store(character, "contacts", {"labels": [], "contacts": [contact(SPY_HANDLER)]}, first=True)
    store(character, "wallet_journal", [journal_entry(1, "5.00", SPY_HANDLER)], first=True)
    store(character, "wallet_journal", [journal_entry(2, "6.00", SPY_HANDLER)], first=True)
    me = attacker(ME, OUR_CORPORATION, OUR_ALLIANCE)
    handler = attacker(SPY_HANDLER, HOSTILE_CORPORATION, HOSTILE_ALLIANCE)
    ensure_entity_rows([2_112_599_999, 98_099_999])
    store(
        character,
        "killmails",
        {"failure": None, "killmails": [killmail(21, [me, handler])], "listed": [(21, "abc")]},
        first=True,
    )
    assert events_of(character) == []

    with django_capture_on_commit_callbacks(execute=True):
        watch(SPY_HANDLER)

    flags = events_of(character, Kind.WATCHLIST)
    assert sorted((e.section, e.source_id) for e in flags) == [
        ("contacts", SPY_HANDLER),
        ("killmails", 21),
        ("wallet_journal", 1),
        ("wallet_journal", 2),
    ]


def test_should_not_flag_twice_what_the_retroactive_search_finds_again(
    character, django_capture_on_commit_callbacks
):
    store(character, "contacts", {"labels": [], "contacts": []}, first=True)
    WatchedEntity.objects.bulk_create([WatchedEntity(entity_id=SPY_HANDLER)])  # no signal
    store(character, "contacts", {"labels": [], "contacts": [contact(SPY_HANDLER)]})
    WatchedEntity.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        watch(SPY_HANDLER)

    assert len(events_of(character, Kind.WATCHLIST)) == 1


def test_should_describe_every_kind_of_event(character):
    from memberaudit.red_flags import describe

    EveEntity.objects.filter(id=SPY_HANDLER).update(name="Handler")
    for kind in Kind.values:
        event = ChangeEvent(
            character=character,
            kind=kind,
            occurred_at=timezone.now(),
            entity_id=SPY_HANDLER,
            details={"source": "mail", "solar_system": "Jita", "type": "LocateCharMsg"},
        )
        assert describe(event), kind


def test_should_record_only_watchlist_matches_on_the_first_update(character):
    watch(SPY_HANDLER)

    store(
        character,
        "contacts",
        {"labels": [], "contacts": [contact(SPY_HANDLER), contact(STRANGER)]},
        first=True,
    )

    assert [(e.kind, e.entity_id) for e in events_of(character)] == [(Kind.WATCHLIST, SPY_HANDLER)]


def test_should_never_flag_a_watched_character_in_its_own_data(character):
    watch(ME)
    store(character, "wallet_journal", [journal_entry(1, "5.00", STRANGER)], first=True)
    store(character, "wallet_journal", [journal_entry(2, "5.00", STRANGER)])

    assert events_of(character) == []
