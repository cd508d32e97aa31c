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
