"""Assets: the counts per place and the sort names kept when the assets are stored."""

import importlib

import pytest

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from memberaudit.models import CharacterAsset, CharacterAssetPlace
from memberaudit.sections import asset_places
from memberaudit.sections import assets as assets_section

from .test_assets import (
    AMMO_BOX,
    ARIA,
    ASSETS,
    DRAKE,
    JITA,
    JITA_STATION,
    PERIMETER_STRUCTURE,
    SPARE_PARTS,
    asset,
    scenario_assets,
    set_assets,
    snapshot,
    update,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]


def kept_counts(character) -> dict[int, tuple[int, int]]:
    return {
        row.location_id: (row.items, row.all_items)
        for row in CharacterAssetPlace.objects.filter(character=character)
    }


def counted(character) -> dict[int, tuple[int, int]]:
    """The counts per place, counted from the stored items."""
    return {
        row["place_id"]: (row["items"], row["all_items"])
        for row in CharacterAsset.objects.filter(character=character)
        .values("place_id")
        .annotate(items=Count("pk", filter=Q(parent__isnull=True)), all_items=Count("pk"))
    }


def test_should_count_the_items_per_place_when_storing(make_character, fake_eve):
    character = make_character(ARIA)

    update(character)

    counts = kept_counts(character)
    assert counts == counted(character)
    jita_items = CharacterAsset.objects.filter(character=character, place_id=JITA_STATION)
    top_level = jita_items.filter(location_id=JITA_STATION)
    assert counts[JITA_STATION] == (top_level.count(), jita_items.count())
    assert counts[JITA_STATION][0] < counts[JITA_STATION][1]  # the Drake's contents
    assert PERIMETER_STRUCTURE in counts


def test_should_keep_the_counts_in_step_with_moved_new_and_removed_items(make_character, fake_eve):
    character = make_character(ARIA)
    update(character)
    items = {item["item_id"]: item for item in scenario_assets(fake_eve)}
    items[1040000009100] = asset(1040000009100, 35, PERIMETER_STRUCTURE, location_type="item")
    items[1040000009101] = asset(1040000009101, 35, SPARE_PARTS, location_type="item")
    items[1040000001021].update(location_id=AMMO_BOX)  # from Jita's hangar into the Drake
    in_space = CharacterAsset.objects.filter(character=character, place_id=JITA)
    for item_id in in_space.values_list("item_id", flat=True):  # nothing left in space
        del items[item_id]
    set_assets(fake_eve, list(items.values()))

    assert update(character).changed

    assert kept_counts(character) == counted(character)
    assert JITA not in kept_counts(character)


def test_should_keep_items_and_counts_as_they_were_when_a_store_fails(
    make_character, fake_eve, monkeypatch
):
    character = make_character(ARIA)
    update(character)
    before, counts_before = snapshot(character), kept_counts(character)
    items = scenario_assets(fake_eve)
    del items[-1]
    items.append(asset(1040000009100, 35, PERIMETER_STRUCTURE, location_type="item"))
    set_assets(fake_eve, items)
    refresh = asset_places.refresh_summary

    def refresh_then_fail(character):
        refresh(character)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(asset_places, "refresh_summary", refresh_then_fail)

    assert not update(character).is_success

    assert snapshot(character) == before
    assert kept_counts(character) == counts_before


def test_should_keep_the_counts_when_esi_fails(make_character, fake_eve):
    character = make_character(ARIA)
    update(character)
    counts_before = kept_counts(character)
    items = scenario_assets(fake_eve)[:3]
    set_assets(fake_eve, items)
    fake_eve.faults.add(ASSETS, character_id=ARIA, status=502)

    assert not update(character).is_success

    assert kept_counts(character) == counts_before


def test_should_forget_the_places_of_a_character_without_assets(make_character, fake_eve):
    character = make_character(ARIA)
    update(character)
    set_assets(fake_eve, [])

    assert update(character).is_success

    assert kept_counts(character) == {}


def test_should_not_write_counts_that_did_not_change(make_character, fake_eve):
    character = make_character(ARIA)
    update(character)
    CharacterAsset.objects.filter(character=character, item_id=AMMO_BOX).update(name="x")

    with CaptureQueriesContext(connection) as queries:
        asset_places.refresh_summary(character)

    written = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert written == []


def test_should_store_the_name_shown_as_sort_name(make_character, fake_eve):
    character = make_character(ARIA)

    update(character)

    items = {
        asset.item_id: asset
        for asset in CharacterAsset.objects.filter(character=character).select_related("eve_type")
    }
    assert items[DRAKE].sort_name == "Forge Flame"  # its own name
    unnamed = [asset for asset in items.values() if not asset.name]
    assert unnamed and all(asset.sort_name == asset.eve_type.name for asset in unnamed)


def test_migration_should_fill_sort_names_and_counts_as_the_store_does(make_character, fake_eve):
    from django.apps import apps

    fill = importlib.import_module(
        "memberaudit.migrations.0015_asset_places_and_sort_names"
    ).fill_sort_names_and_places
    character = make_character(ARIA)
    update(character)
    sort_names = dict(CharacterAsset.objects.values_list("pk", "sort_name"))
    counts = kept_counts(character)
    CharacterAsset.objects.update(sort_name="")
    CharacterAssetPlace.objects.all().delete()

    fill(apps, None)

    assert dict(CharacterAsset.objects.values_list("pk", "sort_name")) == sort_names
    assert kept_counts(character) == counts


# --- container names -------------------------------------------------------------------------


def container_names(character) -> dict[int, str]:
    return dict(
        CharacterAsset.objects.filter(character=character).values_list("item_id", "container_name")
    )


def shown_container_names(character) -> dict[int, str]:
    """What each item's container is shown as: its parent's sort name, nothing at a place."""
    return {
        asset.item_id: asset.parent.sort_name if asset.parent else ""
        for asset in CharacterAsset.objects.filter(character=character).select_related("parent")
    }


def rename(fake_eve, item_id: int, name: str) -> list[dict]:
    items = scenario_assets(fake_eve)
    for item in items:
        if item["item_id"] == item_id:
            item["name"] = name
    return items


def test_should_store_the_name_of_each_items_container(make_character, fake_eve):
    character = make_character(ARIA)

    update(character)

    names = container_names(character)
    assert names[AMMO_BOX] == "Forge Flame"  # in the Drake, by the ship's own name
    assert names[DRAKE] == ""  # at a place
    assert names == shown_container_names(character)


def test_should_rename_the_container_of_its_items_when_the_names_are_asked_again(
    make_character, fake_eve
):
    character = make_character(ARIA)
    update(character)
    set_assets(fake_eve, rename(fake_eve, AMMO_BOX, "Renamed 100% box"))  # ESI answers 304
    cache.delete(assets_section._names_fresh_key(character))  # a day has passed

    outcome = update(character)

    assert outcome.is_success and outcome.changed
    contents = CharacterAsset.objects.filter(character=character, parent__item_id=AMMO_BOX)
    assert {asset.container_name for asset in contents} == {"Renamed 100% box"}
    assert container_names(character) == shown_container_names(character)


def test_should_rename_the_container_of_moved_items_and_of_a_renamed_container(
    make_character, fake_eve
):
    character = make_character(ARIA)
    update(character)
    items = {item["item_id"]: item for item in rename(fake_eve, DRAKE, "Ärger_im\\Paradies")}
    moved = next(item for item in items.values() if item["location_id"] == AMMO_BOX)
    moved.update(location_id=SPARE_PARTS, location_type="item")
    set_assets(fake_eve, list(items.values()))

    outcome = update(character)

    assert outcome.is_success and outcome.changed
    names = container_names(character)
    assert names[AMMO_BOX] == "Ärger_im\\Paradies"
    assert names[moved["item_id"]] == CharacterAsset.objects.get(item_id=SPARE_PARTS).sort_name
    assert names == shown_container_names(character)


def test_migration_should_fill_container_names_as_the_store_does(make_character, fake_eve):
    from django.apps import apps

    fill = importlib.import_module(
        "memberaudit.migrations.0019_asset_container_names"
    ).fill_container_names
    character = make_character(ARIA)
    update(character)
    stored_names = container_names(character)
    CharacterAsset.objects.update(container_name="")

    fill(apps, None)

    assert container_names(character) == stored_names
