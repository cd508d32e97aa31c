"""Data migrations fill in what older versions did not store."""

import importlib

import pytest

from django.apps import apps

from memberaudit.models import CharacterAsset, Location

from .factories import create_character, create_item_type

pytestmark = pytest.mark.django_db

asset_place = importlib.import_module("memberaudit.migrations.0002_asset_place")


def test_should_give_stored_items_the_place_of_their_top_level_item():
    character = create_character()
    eve_type = create_item_type()
    station = Location.objects.create(id=60003760, name="Jita IV - Moon 4")
    system = Location.objects.create(id=30000142, name="Jita")

    def item(item_id, location=None, parent=None):
        return CharacterAsset.objects.create(
            character=character, item_id=item_id, eve_type=eve_type, location=location,
            parent=parent,
        )  # fmt: skip

    ship = item(1, location=station)
    box = item(2, parent=ship)
    deep = [item(3, parent=box), item(4, parent=box)]
    anchored = item(5, location=system)
    deeper = item(6, parent=item(7, parent=deep[0]))
    CharacterAsset.objects.update(place=None)  # as stored before places existed

    asset_place.fill_places(apps, None)

    places = dict(CharacterAsset.objects.values_list("item_id", "place_id"))
    assert places == {
        ship.item_id: station.id,
        box.item_id: station.id,
        deep[0].item_id: station.id,
        deep[1].item_id: station.id,
        anchored.item_id: system.id,
        deeper.item_id: station.id,
        7: station.id,
    }


@pytest.mark.django_db(transaction=True)
def test_should_keep_characters_shared_before_shares_had_an_audience_or_an_end():
    """Migrating from the shared flag: a shared character stays open to all recruiters until
    revoked, shared by its owner; going back sets the flag again."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    shared, unshared = create_character(), create_character()
    shared_owner = shared.owner.pk
    before = [("memberaudit", "0004_character_sheet")]
    after = [("memberaudit", "0005_shares_access_log")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("memberaudit", "Character").objects.filter(pk=shared.pk).update(
        is_shared=True
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    new_apps = executor.loader.project_state(after).apps
    shares = new_apps.get_model("memberaudit", "CharacterShare").objects.all()
    assert list(
        shares.values_list("character_id", "shared_by_id", "user_id", "group_id", "expires_at")
    ) == [(shared.pk, shared_owner, None, None, None)]
    assert unshared.pk not in shares.values_list("character_id", flat=True)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    characters = executor.loader.project_state(before).apps.get_model("memberaudit", "Character")
    assert set(characters.objects.filter(is_shared=True).values_list("pk", flat=True)) == {
        shared.pk
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
