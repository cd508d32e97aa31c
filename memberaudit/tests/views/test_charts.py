"""The chart endpoint: data for Chart.js, only for characters the user may open."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from django.db import connection
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from eveuniverse.tests.testdata.factories_2 import EveSolarSystemFactory

from memberaudit import charts
from memberaudit.models import (
    CharacterMiningEntry,
    CharacterSkillpoints,
    CharacterSkillpointsRecord,
    CharacterWalletJournalEntry,
)
from memberaudit.sections.skills import record_skillpoints

from ..factories import create_character, create_item_type, create_user_with_main

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2025, 11, 3, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def pilot(client):
    user = create_user_with_main()
    client.force_login(user)
    return create_character(user=user)


def chart(client, character, name):
    response = client.get(reverse("memberaudit:character_chart", args=[character.pk, name]))
    assert response.status_code == 200
    return response.json()


def journal(character, entry_id, date, amount, balance, ref_type="bounty_prizes"):
    CharacterWalletJournalEntry.objects.create(
        character=character,
        entry_id=entry_id,
        date=date,
        ref_type=ref_type,
        amount=Decimal(amount),
        balance=Decimal(balance),
    )


def test_wallet_balance_shows_the_last_balance_of_each_day(client, pilot):
    journal(pilot, 1, DAY, 10, 100)
    journal(pilot, 2, DAY + dt.timedelta(hours=3), 5, 105)
    journal(pilot, 3, DAY + dt.timedelta(days=2), -50, 55)

    data = chart(client, pilot, "wallet_balance")

    assert data["kind"] == "line"
    assert data["labels"] == ["2025-11-03", "2025-11-05"]
    assert data["datasets"][0]["data"] == [105.0, 55.0]


def test_isk_flow_sums_in_and_out_per_month_and_reference_type(client, pilot):
    journal(pilot, 1, DAY, 10, 0)
    journal(pilot, 2, DAY, 15, 0)
    journal(pilot, 3, DAY, -4, 0, ref_type="brokers_fee")
    journal(pilot, 4, DAY + dt.timedelta(days=30), 7, 0)

    data = chart(client, pilot, "isk_flow")

    assert data["labels"] == ["2025-11", "2025-12"]
    series = {(d["label"], d["stack"]): d["data"] for d in data["datasets"]}
    assert series[("bounty prizes (in)", "in")] == [25.0, 7.0]
    assert series[("brokers fee (out)", "out")] == [-4.0, 0]


def test_skillpoints_are_recorded_only_when_they_change(client, pilot):
    CharacterSkillpoints.objects.create(character=pilot, total=1_000)
    record_skillpoints(pilot)
    record_skillpoints(pilot)
    CharacterSkillpoints.objects.filter(character=pilot).update(total=2_500)
    record_skillpoints(pilot)

    data = chart(client, pilot, "skillpoints")

    assert data["datasets"][0]["data"] == [1_000, 2_500]
    assert CharacterSkillpointsRecord.objects.filter(character=pilot).count() == 2


def test_mined_volume_is_quantity_times_unit_volume_per_month(client, pilot):
    ore = create_item_type(1230, "Veldspar")
    ore.volume = 0.1
    ore.save()
    system = EveSolarSystemFactory()
    for day, quantity in ((DAY, 1000), (DAY + dt.timedelta(days=1), 500)):
        CharacterMiningEntry.objects.create(
            character=pilot,
            date=day.date(),
            eve_solar_system=system,
            eve_type=ore,
            quantity=quantity,
        )

    data = chart(client, pilot, "mined_volume")

    assert data["labels"] == ["2025-11"]
    assert data["datasets"][0]["data"] == [pytest.approx(150.0)]


@pytest.mark.parametrize("name", ["wallet_balance", "isk_flow", "skillpoints", "mined_volume"])
def test_every_chart_of_a_character_without_data_is_empty(client, pilot, name):
    assert chart(client, pilot, name)["labels"] == []


def test_an_unknown_chart_is_404(client, pilot):
    url = reverse("memberaudit:character_chart", args=[pilot.pk, "no_such_chart"])

    assert client.get(url).status_code == 404


def test_the_chart_of_another_users_character_is_refused(client, pilot):
    other = create_character(user=create_user_with_main(character_name="Someone Else"))
    journal(other, 1, timezone.now(), 10, 99_999)

    response = client.get(reverse("memberaudit:character_chart", args=[other.pk, "wallet_balance"]))

    assert response.status_code in (403, 404)
    assert b"99999" not in response.content


def entries_around_midnights(seed: int, count: int = 120) -> list[tuple]:
    """Generated journal entries over 400 days, half of them within two seconds of a day's
    turn (and so of many a month's): (entry id, date, amount, balance, reference type)."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 12, 31, tzinfo=dt.timezone.utc)
    entries = []
    for entry_id in range(1, count + 1):
        moment = start + dt.timedelta(seconds=rng.randrange(400 * 86_400))
        if rng.random() < 0.5:
            midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            moment = midnight + dt.timedelta(microseconds=rng.randint(-2_000_000, 2_000_000))
        amount = rng.choice([-1, 1]) * rng.randint(1, 10_000)
        ref_type = rng.choice(["bounty_prizes", "market_transaction"])
        entries.append((entry_id, moment, amount, rng.randint(0, 10**9), ref_type))
    return entries


@pytest.mark.parametrize("seed", range(4))
def test_days_and_months_of_generated_entries_are_those_of_their_utc_time(client, pilot, seed):
    entries = entries_around_midnights(seed)
    for entry_id, moment, amount, balance, ref_type in entries:
        journal(pilot, entry_id, moment, amount, balance, ref_type=ref_type)

    balance = chart(client, pilot, "wallet_balance")
    flow = chart(client, pilot, "isk_flow")

    last_of_day = {}
    for _entry_id, moment, _, balance_after, _ in sorted(entries, key=lambda e: (e[1], e[0])):
        last_of_day[moment.date().isoformat()] = float(balance_after)
    days = sorted(last_of_day)[-charts.MAX_BALANCE_DAYS :]
    assert balance["labels"] == days
    assert balance["datasets"][0]["data"] == [last_of_day[day] for day in days]
    sums = {}
    for _, moment, amount, _, ref_type in entries:
        direction = "in" if amount > 0 else "out"
        key = (f"{ref_type.replace('_', ' ')} ({direction})", moment.strftime("%Y-%m"))
        sums[key] = sums.get(key, 0) + amount
    months = sorted({moment.strftime("%Y-%m") for _, moment, *_ in entries})
    assert flow["labels"] == months
    shown = {
        (series["label"], month): value
        for series in flow["datasets"]
        for month, value in zip(flow["labels"], series["data"], strict=True)
        if value
    }
    assert shown == {key: float(value) for key, value in sums.items()}


def test_days_and_months_are_read_by_the_databases_own_functions_in_utc(pilot):
    """On SQLite, without a time zone to convert, no Python function is called for each
    entry; in another time zone the days are still that zone's (Django's functions)."""
    entries = entries_around_midnights(seed=7)
    for entry_id, moment, amount, balance, ref_type in entries:
        journal(pilot, entry_id, moment, amount, balance, ref_type=ref_type)

    def rows(day, month):
        return pilot.wallet_journal.annotate(day=day("date"), month=month("date"))

    def read(day, month):
        return sorted(rows(day, month).values_list("entry_id", "day", "month"))

    sql = str(rows(charts._Day, charts._Month).query)
    with timezone.override("Pacific/Auckland"):
        zoned_sql = str(rows(charts._Day, charts._Month).query)
        if connection.vendor == "sqlite":  # MariaDB needs its time zone tables for this
            assert read(charts._Day, charts._Month) == read(TruncDate, TruncMonth)

    if connection.vendor == "sqlite":
        assert "django_datetime" not in sql
        assert "django_datetime_cast_date" in zoned_sql
        assert "django_datetime_trunc" in zoned_sql
    else:  # the other databases' own SQL, as Django writes it
        assert sql == str(rows(TruncDate, TruncMonth).query)
        assert zoned_sql != sql
    read_in_utc = read(charts._Day, charts._Month)
    assert read_in_utc == read(TruncDate, TruncMonth)
    expected = sorted(
        (e[0], e[1].date(), e[1].replace(day=1, hour=0, minute=0, second=0, microsecond=0))
        for e in entries
    )
    assert read_in_utc == expected
