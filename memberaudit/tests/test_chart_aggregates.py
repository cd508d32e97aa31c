"""The journal charts sum in the database: the same points as reading every entry in Python
(the way they were first drawn), on a generated journal with ties, gaps and missing values."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import charts
from memberaudit.models import CharacterWalletJournalEntry

from .factories import create_character, create_user_with_main

pytestmark = pytest.mark.django_db

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
REF_TYPES = ["bounty_prizes", "brokers_fee", "market_transaction", "player_donation"]


def every_entry_balance(character) -> dict:
    """Each day's last balance (by time, then entry id), last MAX_BALANCE_DAYS days."""
    by_day = {}
    rows = character.wallet_journal.filter(balance__isnull=False).order_by("date", "entry_id")
    for entry in rows:
        by_day[entry.date.date()] = float(entry.balance)
    days = sorted(by_day)[-charts.MAX_BALANCE_DAYS :]
    return {"labels": [day.isoformat() for day in days], "data": [by_day[d] for d in days]}


def every_entry_flow(character) -> dict:
    """Sums in and out per month and type, over entries with an amount."""
    months, sums = set(), defaultdict(dict)
    for entry in character.wallet_journal.filter(amount__isnull=False):
        month = entry.date.strftime("%Y-%m")
        months.add(month)
        direction = "in" if entry.amount > 0 else "out" if entry.amount < 0 else None
        if direction:
            key = (f"{entry.ref_type.replace('_', ' ')} ({direction})", direction)
            sums[key][month] = sums[key].get(month, 0) + float(entry.amount)
    months = sorted(months)
    return {
        "labels": months,
        "series": {key: [amounts.get(m, 0) for m in months] for key, amounts in sums.items()},
    }


def generate_journal(character, *, seed: int, days: int, with_gaps: bool) -> None:
    """Entries over ``days`` days: several per day, some at the same moment, some days
    without entries, some entries without an amount or a balance (``with_gaps``)."""
    rng = random.Random(seed)
    rows, entry_id = [], 0
    for day in range(days):
        if with_gaps and rng.random() < 0.2:
            continue
        for _ in range(rng.randint(1, 4)):
            moment = START + dt.timedelta(days=day, seconds=rng.choice([0, 3600, 3600, 80000]))
            entry_id += rng.randint(1, 3)
            amount = Decimal(rng.randint(-5000, 5000)) / 4
            balance = Decimal(rng.randint(0, 10**9)) / 100
            if with_gaps and rng.random() < 0.1:
                amount = None
            if with_gaps and rng.random() < 0.1:
                balance = None
            rows.append(
                CharacterWalletJournalEntry(
                    character=character,
                    entry_id=entry_id,
                    date=moment,
                    ref_type=rng.choice(REF_TYPES),
                    amount=amount,
                    balance=balance,
                )
            )
    CharacterWalletJournalEntry.objects.bulk_create(rows)


@pytest.fixture
def character():
    return create_character(user=create_user_with_main())


@pytest.mark.parametrize(
    "days, with_gaps", [(30, False), (30, True), (500, False), (500, True)], ids=str
)
def test_wallet_balance_shows_what_reading_every_entry_shows(character, days, with_gaps):
    generate_journal(character, seed=days, days=days, with_gaps=with_gaps)

    data = charts.wallet_balance(character)

    expected = every_entry_balance(character)
    assert data["labels"] == expected["labels"]
    assert data["datasets"][0]["data"] == expected["data"]
    assert len(data["labels"]) == min(len(expected["labels"]), charts.MAX_BALANCE_DAYS)


@pytest.mark.parametrize("days, with_gaps", [(90, False), (400, True)], ids=str)
def test_isk_flow_shows_what_reading_every_entry_shows(character, days, with_gaps):
    generate_journal(character, seed=days + 1, days=days, with_gaps=with_gaps)

    data = charts.isk_flow(character)

    expected = every_entry_flow(character)
    assert data["labels"] == expected["labels"]
    series = {(d["label"], d["stack"]): d["data"] for d in data["datasets"]}
    assert series.keys() == expected["series"].keys()
    for key, values in series.items():
        assert values == pytest.approx(expected["series"][key]), key


def test_isk_flow_leaves_out_a_month_whose_entries_have_no_amount(character):
    for entry_id, (month, amount) in enumerate([(1, Decimal(5)), (2, None), (3, Decimal(-2))]):
        CharacterWalletJournalEntry.objects.create(
            character=character,
            entry_id=entry_id,
            date=START.replace(month=month),
            ref_type="bounty_prizes",
            amount=amount,
        )

    assert charts.isk_flow(character)["labels"] == ["2024-01", "2024-03"]


def test_wallet_balance_reads_one_row_per_day_in_one_query(character):
    generate_journal(character, seed=3, days=500, with_gaps=True)

    with CaptureQueriesContext(connection) as captured:
        data = charts.wallet_balance(character)

    assert len(captured.captured_queries) == 1
    assert len(data["labels"]) == charts.MAX_BALANCE_DAYS
