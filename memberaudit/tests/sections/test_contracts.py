"""Contracts: headers kept in sync row by row, items fetched once, bids of open auctions."""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eveuniverse.models import EveEntity, EveType

from memberaudit import esi_gateway, updater
from memberaudit.models import (
    CharacterContract,
    CharacterContractBid,
    CharacterContractItem,
    SectionUpdateStatus,
)
from memberaudit.sections import contracts as section

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001
GWEN = 2112000002
CONTRACTS = "GetCharactersCharacterIdContracts"
ITEMS = "GetCharactersCharacterIdContractsContractIdItems"
BIDS = "GetCharactersCharacterIdContractsContractIdBids"
TABLES = (
    CharacterContract._meta.db_table,
    CharacterContractItem._meta.db_table,
    CharacterContractBid._meta.db_table,
)
ARIA_ITEM_CONTRACTS = {190000001, 190000003, 190000004}  # the others are couriers

Type = CharacterContract.ContractType
Status = CharacterContract.Status


@pytest.fixture(autouse=True)
def roomy_rate_limit(fake_eve):
    """Many item requests in a row would empty ESI's contract bucket in some tests."""
    fake_eve.rate_limiter.set_limit("char-contract", 100_000)


def update(character, force=False):
    return updater.update_section(character, "contracts", force=force)


def status(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="contracts")


def writes(queries) -> list[str]:
    """INSERT, UPDATE and DELETE statements on the contract tables."""
    return [
        query["sql"]
        for query in queries
        if any(f'"{table}"' in query["sql"] or f"`{table}`" in query["sql"] for table in TABLES)
        and query["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def requested_contract_ids(fake_eve, route, status=200) -> list[int]:
    return [int(entry.path.split("/")[4]) for entry in fake_eve.log.entries(route, status)]


def scenario_contracts(fake_eve, character_id) -> list[dict]:
    return copy.deepcopy(fake_eve.scenario.character(character_id)["contracts"])


def set_contracts(fake_eve, character_id, contracts) -> None:
    fake_eve.scenario.update_character(character_id, {"contracts": contracts})


def change_contract(fake_eve, character_id, contract_id, **fields) -> None:
    contracts = scenario_contracts(fake_eve, character_id)
    for contract in contracts:
        if contract["contract_id"] == contract_id:
            contract.update(fields)
    set_contracts(fake_eve, character_id, contracts)


def snapshot(character) -> dict:
    """Everything stored for the character's contracts, to compare before and after."""
    return {
        "contracts": sorted(
            character.contracts.values_list(
                "contract_id", "status", "title", "price", "acceptor_id", "items_fetched"
            )
        ),
        "items": sorted(
            CharacterContractItem.objects.filter(contract__character=character).values_list(
                "contract__contract_id", "record_id", "eve_type_id", "quantity"
            )
        ),
        "bids": sorted(
            CharacterContractBid.objects.filter(contract__character=character).values_list(
                "contract__contract_id", "bid_id", "amount"
            )
        ),
    }


class TestFirstUpdate:
    def test_should_store_headers_with_parties_prices_and_dates(self, make_character, fake_eve):
        character = make_character(ARIA)

        outcome = update(character)

        assert outcome.is_success, outcome.message
        assert set(character.contracts.values_list("contract_id", flat=True)) == {
            190000001,
            190000002,
            190000003,
            190000004,
            190000005,
        }
        rifter = character.contracts.get(contract_id=190000001)
        assert (rifter.contract_type, rifter.status, rifter.availability) == (
            Type.ITEM_EXCHANGE,
            Status.OUTSTANDING,
            CharacterContract.Availability.PERSONAL,
        )
        assert rifter.title == "Fitted Rifter"
        assert rifter.issuer.name == "Aria Jaxon"
        assert rifter.issuer_corporation.name == "Eclipse Shipyards"
        assert rifter.assignee.name == "Bruno Velkan"
        assert rifter.acceptor is None  # ESI sends 0 until someone accepts
        assert rifter.price == Decimal("12500000.00")
        assert rifter.collateral is None and rifter.buyout is None
        assert rifter.volume == 27299.0
        assert rifter.date_expired - rifter.date_issued == timedelta(days=14)
        assert rifter.date_accepted is None
        courier = character.contracts.get(contract_id=190000002)
        assert courier.acceptor.name == "Dax Morrow"
        assert courier.assignee.name == "Eclipse Shipyards"
        assert (courier.days_to_complete, courier.collateral) == (3, Decimal("250000000.00"))
        assert character.contracts.get(contract_id=190000003).assignee is None  # public

    def test_should_store_a_contract_without_title_as_empty(self, make_character, fake_eve):
        character = make_character(ARIA)

        update(character)

        assert character.contracts.get(contract_id=190000002).title == ""  # no title sent
        assert character.contracts.get(contract_id=190000005).title == ""  # an empty one

    def test_should_resolve_start_and_end_locations(self, make_character, fake_eve):
        character = make_character(ARIA)

        update(character)

        courier = character.contracts.get(contract_id=190000005)
        assert courier.start_location.name == "Tama - Smuggler's Rest"  # a structure
        assert courier.start_location.eve_solar_system.name == "Tama"
        assert courier.end_location.name == "Rens VI - Moon 8 - Brutor Tribe Treasury"
        perimeter = character.contracts.get(contract_id=190000002).end_location
        assert perimeter.id == 1035466617946 and perimeter.eve_solar_system.name == "Perimeter"

    def test_should_store_items_of_item_exchanges_and_auctions(self, make_character, fake_eve):
        character = make_character(ARIA)

        update(character)

        items = CharacterContractItem.objects.filter(contract__contract_id=190000001)
        assert sorted(
            (i.record_id, i.eve_type.name, i.quantity, i.is_singleton, i.raw_quantity)
            for i in items
        ) == [
            (1900000011, "Rifter", 1, True, -1),
            (1900000012, "1MN Afterburner I", 2, False, 2),
        ]
        implant = CharacterContractItem.objects.get(record_id=1900000041)
        assert implant.raw_quantity is None and implant.is_included
        assert (
            set(
                character.contracts.filter(items_fetched=True).values_list("contract_id", flat=True)
            )
            == ARIA_ITEM_CONTRACTS
        )

    def test_should_never_ask_for_items_of_couriers(self, make_character, fake_eve):
        character = make_character(ARIA)

        update(character)

        assert sorted(requested_contract_ids(fake_eve, ITEMS)) == sorted(ARIA_ITEM_CONTRACTS)

    def test_should_store_bids_of_outstanding_auctions(self, make_character, fake_eve):
        character = make_character(ARIA)

        update(character)

        bids = CharacterContractBid.objects.filter(contract__contract_id=190000003)
        assert sorted((b.bid_id, b.bidder.name, b.amount) for b in bids) == [
            (1900000301, "Cyra Oris", Decimal("42000000.00")),
            (1900000302, "Bruno Velkan", Decimal("45500000.00")),
        ]
        assert requested_contract_ids(fake_eve, BIDS) == [190000003]

    def test_should_store_unknown_type_status_and_availability_as_unknown(
        self, make_character, fake_eve
    ):
        change_contract(fake_eve, ARIA, 190000001, type="flea_market", status="under_review")
        change_contract(fake_eve, ARIA, 190000004, availability="galaxy_wide")
        character = make_character(ARIA)

        outcome = update(character)

        assert outcome.is_success, outcome.message
        flea = character.contracts.get(contract_id=190000001)
        assert (flea.contract_type, flea.status) == (Type.UNKNOWN, Status.UNKNOWN)
        assert character.contracts.get(contract_id=190000004).availability == "unknown"
        assert flea.items.count() == 2  # a new kind of contract may well have items

    def test_should_store_missing_optional_fields_as_empty(self, make_character, fake_eve):
        optional = [
            "title",
            "price",
            "reward",
            "collateral",
            "buyout",
            "volume",
            "days_to_complete",
            "date_accepted",
            "date_completed",
            "start_location_id",
            "end_location_id",
        ]
        fake_eve.faults.add(route=CONTRACTS, character_id=ARIA, drop_fields=optional)
        character = make_character(ARIA)

        outcome = update(character)

        assert outcome.is_success, outcome.message
        courier = character.contracts.get(contract_id=190000005)
        assert courier.title == "" and courier.reward is None and courier.volume is None
        assert courier.start_location is None and courier.end_location is None
        assert courier.date_accepted is None and courier.days_to_complete is None

    def test_should_store_gwens_500_contracts_with_all_kinds_of_values(
        self, make_character, fake_eve, monkeypatch
    ):
        monkeypatch.setattr(section, "MAX_ITEM_REQUESTS_PER_RUN", 10)
        expected = fake_eve.scenario.character(GWEN)["contracts"]
        character = make_character(GWEN)

        outcome = update(character)

        assert outcome.is_success, outcome.message
        assert character.contracts.count() == 500
        flea, review = expected[0]["contract_id"], expected[1]["contract_id"]
        assert character.contracts.get(contract_id=flea).contract_type == Type.UNKNOWN
        assert character.contracts.get(contract_id=review).status == Status.UNKNOWN
        untitled = {c["contract_id"] for c in expected if not c.get("title")}
        assert (
            set(character.contracts.filter(title="").values_list("contract_id", flat=True))
            == untitled
        )
        open_auctions = {
            c["contract_id"]
            for c in expected
            if c["type"] == "auction" and c["status"] == "outstanding"
        }
        assert set(requested_contract_ids(fake_eve, BIDS)) == open_auctions
        expected_bids = sum(
            len(c.get("bids", [])) for c in expected if c["contract_id"] in (open_auctions)
        )
        assert CharacterContractBid.objects.filter(contract__character=character).count() == (
            expected_bids
        )
        palace = character.contracts.filter(start_location_id=1022734985679).first()
        assert palace is not None and palace.start_location.is_placeholder  # no docking rights


class TestLaterUpdates:
    def test_should_request_items_exactly_once_per_contract_across_runs(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        update(character)
        change_contract(fake_eve, ARIA, 190000001, status="finished", acceptor_id=90000002)
        cache.delete_pattern("esi_*")

        outcome = update(character)

        assert outcome.is_success and outcome.changed
        assert sorted(requested_contract_ids(fake_eve, ITEMS)) == sorted(ARIA_ITEM_CONTRACTS)
        assert character.contracts.get(contract_id=190000001).items.count() == 2

    def test_should_fetch_remaining_items_in_later_runs(
        self, make_character, fake_eve, monkeypatch
    ):
        monkeypatch.setattr(section, "MAX_ITEM_REQUESTS_PER_RUN", 15)
        character = make_character(GWEN)
        update(character)
        first_run = requested_contract_ids(fake_eve, ITEMS)
        cache.delete_pattern("esi_*")  # headers answer 304 now: the leftovers still come

        outcome = update(character)

        requested = requested_contract_ids(fake_eve, ITEMS)
        assert outcome.is_success, outcome.message
        assert len(first_run) == 15 and len(requested) == 30
        assert len(set(requested)) == 30  # no contract asked twice
        assert character.contracts.filter(items_fetched=True).count() == 30
        assert not character.contracts.filter(
            items_fetched=True, contract_type=Type.COURIER
        ).exists()

    def test_should_leave_items_for_later_runs_when_the_rate_limit_budget_runs_out(
        self, make_character, fake_eve
    ):
        # 8 tokens: the headers and the bids take 2 each, leaving 2 successful calls
        fake_eve.rate_limiter.set_limit("char-contract", 8)
        character = make_character(ARIA)

        outcome = update(character)

        assert outcome.is_success, outcome.message
        first_run = requested_contract_ids(fake_eve, ITEMS)
        assert len(first_run) == 2
        assert fake_eve.log.count(status=429) == 0  # stopped before ESI had to refuse
        assert character.contracts.filter(items_fetched=True).count() == 2
        fake_eve.rate_limiter.reset()  # the window passed
        cache.delete_pattern("esi:bucket:*")

        outcome = update(character)

        assert outcome.is_success, outcome.message
        assert fake_eve.log.count(status=429) == 0
        assert sorted(requested_contract_ids(fake_eve, ITEMS)) == sorted(ARIA_ITEM_CONTRACTS)
        assert character.contracts.filter(items_fetched=True).count() == 3

    def test_should_write_nothing_when_run_again_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        update(character)
        before = snapshot(character)

        with CaptureQueriesContext(connection) as cached:
            assert update(character).is_success  # answers still in the cache
        cache.delete_pattern("esi_*")
        with CaptureQueriesContext(connection) as not_modified:
            assert update(character).is_success  # ESI answers 304
        with CaptureQueriesContext(connection) as forced:
            assert update(character, force=True).is_success  # full answers, compared row by row

        assert writes(cached) == writes(not_modified) == writes(forced) == []
        assert snapshot(character) == before
        assert fake_eve.log.count(route=CONTRACTS, status=304) == 1

    def test_should_update_only_the_contract_whose_status_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        update(character)
        changed_pk = character.contracts.get(contract_id=190000001).pk
        change_contract(
            fake_eve,
            ARIA,
            190000001,
            status="finished",
            acceptor_id=90000002,
            date_accepted="2030-01-01T10:00:00Z",
        )
        cache.delete_pattern("esi_*")

        with CaptureQueriesContext(connection) as queries:
            outcome = update(character)

        assert outcome.is_success and outcome.changed
        sql = writes(queries)
        assert len(sql) == 1 and sql[0].lstrip().upper().startswith("UPDATE")
        assert f"IN ({changed_pk})" in sql[0]
        rifter = character.contracts.get(contract_id=190000001)
        assert rifter.status == Status.FINISHED and rifter.acceptor.name == "Bruno Velkan"

    def test_should_add_new_bids_even_when_headers_are_unchanged(self, make_character, fake_eve):
        character = make_character(ARIA)
        update(character)
        contracts = scenario_contracts(fake_eve, ARIA)
        auction = next(c for c in contracts if c["contract_id"] == 190000003)
        auction["bids"].append(
            {"bid_id": 1900000303, "bidder_id": 90000004, "amount": 50e6, "date_bid": "now"}
        )
        set_contracts(fake_eve, ARIA, contracts)
        cache.delete_pattern("esi_*")

        with CaptureQueriesContext(connection) as queries:
            outcome = update(character)

        assert outcome.is_success and outcome.changed
        assert fake_eve.log.count(route=CONTRACTS, status=304) == 1
        assert sorted(
            CharacterContractBid.objects.filter(contract__contract_id=190000003).values_list(
                "bid_id", flat=True
            )
        ) == [1900000301, 1900000302, 1900000303]
        assert [sql.split()[0] for sql in writes(queries)] == ["INSERT"]

    def test_should_stop_asking_for_bids_once_the_auction_is_over(self, make_character, fake_eve):
        character = make_character(ARIA)
        update(character)
        change_contract(fake_eve, ARIA, 190000003, status="finished", acceptor_id=90000002)
        cache.delete_pattern("esi_*")

        update(character)

        assert requested_contract_ids(fake_eve, BIDS) == [190000003]  # the first run only
        assert CharacterContractBid.objects.filter(contract__contract_id=190000003).count() == 2

    def test_should_keep_contracts_that_esi_no_longer_lists(self, make_character, fake_eve):
        character = make_character(ARIA)
        update(character)
        contracts = scenario_contracts(fake_eve, ARIA)
        set_contracts(fake_eve, ARIA, [c for c in contracts if c["contract_id"] != 190000004])
        cache.delete_pattern("esi_*")

        assert update(character).is_success

        assert character.contracts.count() == 5
        assert character.contracts.get(contract_id=190000004).items.count() == 2

    def test_should_not_ask_again_for_items_that_esi_does_not_have(self, make_character, fake_eve):
        fake_eve.faults.add(route=ITEMS, character_id=ARIA, status=404, times=1)
        character = make_character(ARIA)

        outcome = update(character)
        change_contract(fake_eve, ARIA, 190000001, title="Changed")
        cache.delete_pattern("esi_*")
        update(character)

        assert outcome.is_success, outcome.message
        (gone,) = requested_contract_ids(fake_eve, ITEMS, status=404)  # whichever came first
        assert character.contracts.filter(items_fetched=True).count() == 3
        with_items = CharacterContractItem.objects.filter(contract__character=character)
        assert set(with_items.values_list("contract__contract_id", flat=True)) == (
            ARIA_ITEM_CONTRACTS - {gone}
        )
        assert len(fake_eve.log.entries(route=ITEMS)) == 3  # one 404, two 200s


class TestFailures:
    @pytest.fixture
    def character(self, make_character, fake_eve):
        """Aria with four contracts stored; ESI now also lists the Rifter exchange."""
        contracts = scenario_contracts(fake_eve, ARIA)
        set_contracts(fake_eve, ARIA, [c for c in contracts if c["contract_id"] != 190000001])
        character = make_character(ARIA)
        assert update(character).is_success
        set_contracts(fake_eve, ARIA, contracts)
        change_contract(fake_eve, ARIA, 190000004, title="Changed meanwhile")
        cache.delete_pattern("esi_*")  # the cached answers expired
        fake_eve.log.clear()
        return character

    @pytest.mark.parametrize(
        ("fault", "message_part"),
        [
            ({"route": CONTRACTS, "status": 500}, "500"),
            ({"route": CONTRACTS, "status": 503, "times": 5}, "503"),
            ({"route": CONTRACTS, "malformed": True}, "unusable answer"),
            ({"route": CONTRACTS, "status": 500, "page": 2}, "500"),
            ({"route": BIDS, "status": 500}, BIDS),
        ],
        ids=[
            "contracts-500",
            "contracts-503",
            "contracts-malformed",
            "contracts-page-2",
            "bids-500",
        ],
    )
    def test_should_keep_stored_data_and_recover_next_run(
        self, character, fake_eve, fault, message_part
    ):
        fake_eve.set_page_size(CONTRACTS, 2)
        before = snapshot(character)
        fake_eve.faults.add(character_id=ARIA, **fault)

        outcome = update(character)

        assert not outcome.is_success
        row = status(character)
        assert row.is_success is False and message_part in row.error_message
        assert snapshot(character) == before
        fake_eve.faults.reset()
        assert update(character).is_success
        assert character.contracts.count() == 5
        assert character.contracts.get(contract_id=190000004).title == "Changed meanwhile"
        assert character.contracts.get(contract_id=190000001).items.count() == 2
        succeeded = requested_contract_ids(fake_eve, ITEMS)
        assert succeeded.count(190000001) == 1 and 190000004 not in succeeded

    @pytest.mark.parametrize(
        "fault",
        [{"status": 500}, {"status": 502, "times": 5}],
        ids=["items-500", "items-502"],
    )
    def test_should_store_headers_and_fetch_failed_items_next_run(self, character, fake_eve, fault):
        fake_eve.faults.add(route=ITEMS, character_id=ARIA, **fault)

        outcome = update(character)

        assert not outcome.is_success
        row = status(character)
        assert row.is_success is False and ITEMS in row.error_message
        assert "Items of 1 contracts could not be fetched yet" in row.error_message
        assert character.contracts.count() == 5  # the headers are kept
        assert character.contracts.get(contract_id=190000004).title == "Changed meanwhile"
        assert not character.contracts.get(contract_id=190000001).items_fetched
        fake_eve.faults.reset()
        assert update(character).is_success
        assert character.contracts.get(contract_id=190000001).items.count() == 2
        assert requested_contract_ids(fake_eve, ITEMS).count(190000001) == 1

    def test_should_record_timeout_as_failure(self, character, fake_eve, monkeypatch):
        from esi import app_settings as esi_settings

        monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
        monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
        esi_gateway.provider()._client = None  # rebuild the client with the short timeout
        before = snapshot(character)
        fake_eve.faults.add(route=ITEMS, character_id=ARIA, latency=2.0)
        try:
            outcome = update(character)
        finally:
            esi_gateway.provider()._client = None

        assert not outcome.is_success
        assert "did not answer" in status(character).error_message
        assert snapshot(character) != before  # the headers are kept
        assert not character.contracts.get(contract_id=190000001).items_fetched

    def test_should_fail_when_an_item_type_cannot_be_loaded(self, character, fake_eve):
        change_contract(
            fake_eve,
            ARIA,
            190000001,
            items=[
                {
                    "record_id": 1,
                    "type_id": 99999999,
                    "quantity": 1,
                    "is_included": True,
                    "is_singleton": False,
                }
            ],
        )
        before = snapshot(character)

        outcome = update(character)

        assert not outcome.is_success
        assert "item types" in status(character).error_message
        assert snapshot(character) == before


class TestQueryCount:
    @staticmethod
    def make_data(count: int, type_id: int, entity_id: int) -> dict:
        now = timezone.now().replace(microsecond=0)
        headers, items, bids = [], {}, {}
        for contract_id in range(1, count + 1):
            headers.append(
                {
                    "contract_id": contract_id,
                    "contract_type": Type.AUCTION,
                    "status": Status.OUTSTANDING,
                    "availability": "public",
                    "title": f"Auction {contract_id}",
                    "for_corporation": False,
                    "date_issued": now,
                    "date_expired": now + timedelta(days=3),
                    "date_accepted": None,
                    "date_completed": None,
                    "days_to_complete": 0,
                    "price": Decimal("1000.00"),
                    "reward": None,
                    "collateral": None,
                    "buyout": Decimal("5000.00"),
                    "volume": 10.0,
                    "issuer_id": entity_id,
                    "issuer_corporation_id": None,
                    "assignee_id": None,
                    "acceptor_id": None,
                    "start_location_id": None,
                    "end_location_id": None,
                }
            )
            items[contract_id] = [
                {
                    "record_id": contract_id * 10 + n,
                    "type_id": type_id,
                    "quantity": 1,
                    "is_included": True,
                    "is_singleton": False,
                    "raw_quantity": None,
                }
                for n in range(2)
            ]
            bids[contract_id] = [
                {
                    "bid_id": contract_id,
                    "bidder_id": None,
                    "amount": Decimal("2000.00"),
                    "date_bid": now,
                }
            ]
        return {"contracts": headers, "items": items, "bids": bids}

    def test_should_need_the_same_queries_for_20_or_500_contracts(
        self, make_character, fake_eve, settings
    ):
        settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE = 10_000
        type_id = EveType.objects.get_or_create_esi(id=587)[0].id
        entity, _ = EveEntity.objects.get_or_create(
            id=ARIA, defaults={"name": "Aria Jaxon", "category": "character"}
        )

        def queries_for(character, count: int) -> dict[str, list[str]]:
            data = self.make_data(count, type_id, entity.id)
            with CaptureQueriesContext(connection) as first, transaction.atomic():
                section.store(character, data)
            for header in data["contracts"]:
                header["status"] = Status.FINISHED
            with CaptureQueriesContext(connection) as changed, transaction.atomic():
                section.store(character, {**data, "items": {}})
            assert character.contracts.filter(status=Status.FINISHED).count() == count
            assert (
                CharacterContractItem.objects.filter(contract__character=character).count()
                == 2 * count
            )
            return {
                "first": [q["sql"] for q in first.captured_queries],
                "changed": [q["sql"] for q in changed.captured_queries],
            }

        small = queries_for(make_character(ARIA), 20)
        large = queries_for(make_character(GWEN), 500)

        def shape(queries):
            # SQLite splits big INSERTs and UPDATEs by its variable limit, not by row count
            return [sql.split()[0] for sql in queries if sql.split()[0] not in ("INSERT",)]

        assert shape(small["first"]) == shape(large["first"])
        # a status change of 500 rows: one UPDATE, or two where SQLite's variable limit splits
        assert len(small["changed"]) <= len(large["changed"]) <= len(small["changed"]) + 1
        assert count_inserts(large["first"]) == expected_inserts(500)


def count_inserts(queries) -> int:
    return sum(1 for sql in queries if sql.split()[0] == "INSERT")


def expected_inserts(count: int) -> int:
    """One INSERT per table, split only where the database limits the rows per statement."""
    total = 0
    for model, rows in (
        (CharacterContract, count),
        (CharacterContractItem, 2 * count),
        (CharacterContractBid, count),
    ):
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        per_statement = connection.ops.bulk_batch_size(fields, [None] * rows)
        total += -(-rows // per_statement)
    return total
