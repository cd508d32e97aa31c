"""The chart endpoint: data for Chart.js, only for characters the user may open."""

import datetime as dt
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from eveuniverse.tests.testdata.factories_2 import EveSolarSystemFactory

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
