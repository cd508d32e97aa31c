"""Sorting a column sorts by that column, in every server-side table of the app.

The tables are found the way the browser finds them: in the pages (each tab of the viewer,
the finder, the reports), with the column list the server sends in ``data-ma-table``. Each
sortable column is sorted both ways through the JSON endpoint, as DataTables asks for it, and
the values that come back must be in that order.
"""

import datetime as dt
import html
import json
import re

import pytest

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from allianceauth.authentication.models import State, UserProfile
from eveuniverse.models import EveEntity

from memberaudit import owner_copies, updater
from memberaudit.models import (
    AccessLogEntry,
    Character,
    CharacterSkill,
    CharacterSkillpoints,
    CharacterWalletJournalEntry,
)
from memberaudit.reports import REPORTS
from memberaudit.sections import registry
from memberaudit.skill_set_checks import update_checks_for_skill_sets

from .factories import share_with_all_recruiters
from .reports.scenario import build_scenario, grant
from .skill_sets.helpers import create_skill_set, give_skills, skill_types

pytestmark = pytest.mark.django_db

ARIA = 90000001  # every section filled in
TABLE = re.compile(r'data-ma-server-table="([^"]+)"\s+data-ma-table="([^"]+)"')
LOADED_SECTIONS = (
    "wallet_journal",
    "contacts",
    "mails",
    "contracts",
    "assets",
    "standings",
    "corporation_roles",
    "killmails",
    "notifications",
    "wallet_transactions",
    "market_orders",
    "industry_jobs",
    "blueprints",
)
DRILL_DOWN_TABLE = re.compile(
    r'<template data-ma-drilldown-template>\s*<table[^>]*data-ma-table="([^"]+)"'
)
# Columns sorted by something else than their value, with what they are sorted by: the
# finder's corporation roles by their number (most roles first when descending).
SORT_KEYS = {"corporation_roles": len}
# Columns whose value is the same for every row of the table by definition: the items in a
# container are all at the container's place and inside it.
ONE_VALUE_PER_TABLE = {("asset_contents", "location"), ("asset_contents", "container")}


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(make_character, client):
    """A viewer who may see everything, owns Aria (all tables filled in) and sees twenty
    users in three corporations in the finder and the reports."""
    scenario = build_scenario()
    viewer = scenario.users[0]
    aria = make_character(ARIA, user=viewer)
    for name in LOADED_SECTIONS:
        outcome = updater.update_section(aria, name)
        assert outcome.is_success, f"{name}: {outcome.message}"
    add_journal_entries_with_other_parties(aria)
    vary_trade(aria)
    member = State.objects.get(name="Member")
    UserProfile.objects.filter(user__in=scenario.users[::3]).update(state=member)
    owner_copies.refresh_owned_by(user__in=scenario.users[::3])  # as a save's signal would
    shared = [c.pk for characters in scenario.characters.values() for c in characters[:1]]
    for number, character in enumerate(Character.objects.filter(pk__in=shared[::2])):
        # shares until revoked and shares that end on different days
        ends = timezone.now() + dt.timedelta(days=number) if number % 2 else None
        grant(character.owner, "memberaudit.share_characters")
        share_with_all_recruiters(character, expires_at=ends)
    first, second = skill_types(2)
    sets = [
        create_skill_set("Frigate", {first: (1, 3)}),
        create_skill_set("Cruiser", {first: (3, None), second: (2, None)}),
    ]
    for index, characters in enumerate(scenario.characters.values()):
        for character in characters:
            give_skills(character, {first: index % 4, second: index % 3})
            CharacterSkillpoints.objects.update_or_create(
                character=character, defaults={"total": 1_000_000 * (index + 1)}
            )
    update_checks_for_skill_sets([skill_set.pk for skill_set in sets])
    add_access_log_entries(scenario)
    viewer = grant(
        viewer,
        "memberaudit.reports_access",
        "memberaudit.finder_access",
        "memberaudit.characters_access",
        "memberaudit.view_everything",
        "memberaudit.view_access_log",
    )
    client.force_login(viewer)
    return aria


def add_journal_entries_with_other_parties(character) -> None:
    """The scenario's journal is all Aria's own: add donations from others, with reasons."""
    for number, (name, reason) in enumerate(
        [("Zed Trader", "thanks"), ("Bob Miner", ""), ("alma Hauler", "Fuel money")]
    ):
        party = EveEntity.objects.create(
            id=3_200_000_001 + number, name=name, category=EveEntity.CATEGORY_CHARACTER
        )
        CharacterWalletJournalEntry.objects.create(
            character=character,
            entry_id=9_000_000_000 + number,
            date=timezone.now(),
            ref_type="player_donation",
            first_party=party,
            second_party=party,
            amount=1_000 * (number + 1),
            reason=reason,
        )


def vary_trade(character) -> None:
    """The scenario's orders are all the character's own: one of them is for its corporation."""
    first = character.market_orders.order_by("pk").first()
    character.market_orders.filter(pk=first.pk).update(is_corporation=True)


def add_access_log_entries(scenario) -> None:
    """Views of other users' characters by several viewers, by every right."""
    characters = [c for characters in scenario.characters.values() for c in characters]
    reasons = list(AccessLogEntry.Reason.values)
    sections = ["overview", "assets", "mails", "wallet_journal"]
    now = timezone.now()
    for number, viewer in enumerate(scenario.users[:6]):
        AccessLogEntry.objects.create(
            viewer=viewer,
            character=characters[-1 - number],
            section=sections[number % len(sections)],
            reason=reasons[number % len(reasons)],
            hour=now - dt.timedelta(hours=number),
            viewed_at=now - dt.timedelta(hours=number),
        )


def tables_in(client, url: str) -> list[tuple[str, dict]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [
        (html.unescape(data_url), json.loads(html.unescape(spec)))
        for data_url, spec in TABLE.findall(response.content.decode())
    ]


def every_table(client, aria) -> dict[str, tuple[str, dict, dict]]:
    """Table -> (its JSON URL, its columns as the page sends them, parameters the page adds)."""
    pages = [
        reverse("memberaudit:character_tab", args=[aria.pk, section.name])
        for section in registry.with_tabs()
        if section.tab.tables
    ]
    pages += [
        reverse("memberaudit:finder"),
        reverse("memberaudit:reports"),
        reverse("memberaudit:access_log"),
    ]
    found = {}
    for page in pages:
        for data_url, spec in tables_in(client, page):
            found[data_url] = (data_url, spec, {})
    # the skill search, asked for a skill every character of the world has
    [(search_url, search_spec)] = tables_in(client, reverse("memberaudit:skill_search"))
    skill_id = (
        CharacterSkill.objects.values("eve_type_id")
        .annotate(characters=Count("character"))
        .order_by("-characters", "eve_type_id")[0]["eve_type_id"]
    )
    found[search_url] = (search_url, search_spec, {"skills": f"{skill_id}:0"})
    # the contents of a container use the columns of the assets table
    container = aria.assets.filter(children__isnull=False).distinct().first()
    assets_spec = next(spec for url, spec, _ in found.values() if url.endswith("/assets/"))
    children_url = reverse("memberaudit:character_asset", args=[aria.pk, container.pk])
    found["asset_contents"] = (children_url, assets_spec, {})
    # the items at a place, the drill-down's level below the places: a table the page builds
    # from its template when a place is clicked, for the place with the most items
    assets_tab = client.get(reverse("memberaudit:character_tab", args=[aria.pk, "assets"]))
    items_spec = json.loads(html.unescape(DRILL_DOWN_TABLE.search(assets_tab.content.decode())[1]))
    place = (
        aria.assets.filter(parent__isnull=True)
        .values("location_id")
        .annotate(items=Count("pk"))
        .order_by("-items")
        .first()
    )
    items_url = reverse("memberaudit:character_data", args=[aria.pk, "asset_items"])
    found[items_url] = (items_url, items_spec, {"location": str(place["location_id"])})
    return found


def request_params(spec: dict, index: int, direction: str) -> dict:
    """A page sorted by column ``index``, as DataTables asks for it."""
    params = {"draw": "1", "start": "0", "length": "500", "search[value]": ""}
    for number, column in enumerate(spec["columns"]):
        params[f"columns[{number}][data]"] = column["data"]
        params[f"columns[{number}][name]"] = column["data"]
    params["order[0][column]"] = str(index)
    params["order[0][dir]"] = direction
    return params


def is_ordered(values: list, descending: bool) -> bool:
    """In order, empty values first when ascending; text in the database's order, which is
    by code point on SQLite and without case on MariaDB."""

    def in_order(key) -> bool:
        keys = [key(value) for value in values]
        return keys == sorted(keys, reverse=descending)

    def plain(value):
        return (0, "") if value in (None, "") else (1, value)

    def caseless(value):
        return plain(value.casefold() if isinstance(value, str) else value)

    return in_order(plain) or in_order(caseless)


def test_should_find_every_server_side_table_of_the_app(client, world):
    urls = {url for url, _, _ in every_table(client, world).values()}

    for section in registry.with_tabs():
        for name in section.tab.tables:
            url = reverse("memberaudit:character_data", args=[world.pk, name])
            assert url in urls, name
    assert reverse("memberaudit:finder_data") in urls
    assert reverse("memberaudit:skill_search_data") in urls
    assert reverse("memberaudit:access_log_data") in urls
    for name in REPORTS:
        assert reverse("memberaudit:report_data", args=[name]) in urls


def test_should_sort_every_sortable_column_by_its_own_values_both_ways(client, world):
    checked = []
    for key, (url, spec, extra) in every_table(client, world).items():
        for index, column in enumerate(spec["columns"]):
            if not column["orderable"] or (key, column["data"]) in ONE_VALUE_PER_TABLE:
                continue
            sort_key = SORT_KEYS.get(column["data"], lambda value: value)
            for direction in ("asc", "desc"):
                response = client.get(url, {**request_params(spec, index, direction), **extra})
                assert response.status_code == 200, (url, column["data"])
                values = [sort_key(row[column["data"]]) for row in response.json()["data"]]
                assert len(set(map(str, values))) >= 2, (
                    f"{url} {column['data']}: needs different values to show an order"
                )
                assert is_ordered(values, direction == "desc"), (
                    f"{url} sorted by {column['data']} {direction}: {values}"
                )
            checked.append((url, column["data"]))
    assert len(checked) >= 40, checked
