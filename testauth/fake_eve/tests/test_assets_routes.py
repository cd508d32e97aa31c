"""Character assets and asset names, and the generated inventory of the heavy character."""

import json
from pathlib import Path

from fake_eve.esi.assets import generate_assets

from .helpers import ALL_SCOPES, call, login

ARIA = 90000001
GWEN = 2112000002
ASSET_SCOPES = [*ALL_SCOPES, "esi-assets.read_assets.v1"]
UNIVERSE = Path(__file__).parents[1] / "scenarios" / "universe.json"


def token(srv, character_id, scopes=ASSET_SCOPES) -> str:
    return login(srv, character_id, scopes)["access_token"]


def test_assets_need_the_scope_and_the_own_token(srv):
    path = f"/characters/{ARIA}/assets"
    assert call(srv, "GET", path).status == 401
    assert call(srv, "GET", path, token=token(srv, ARIA, ALL_SCOPES)).status == 403
    assert call(srv, "GET", path, token=token(srv, GWEN)).status == 403
    assert call(srv, "GET", path, token=token(srv, ARIA)).status == 200


def test_assets_are_served_without_names(srv):
    reply = call(srv, "GET", f"/characters/{ARIA}/assets", token=token(srv, ARIA))
    items = reply.json()
    assert reply.headers["X-Pages"] == "1"
    assert len(items) == 30
    assert all("name" not in item for item in items)
    ship = next(item for item in items if item["item_id"] == 1040000000001)
    assert ship == {
        "item_id": 1040000000001,
        "type_id": 24698,
        "quantity": 1,
        "location_id": 60003760,
        "location_type": "station",
        "location_flag": "Hangar",
        "is_singleton": True,
    }


def test_assets_are_paged_by_1000(srv):
    access = token(srv, GWEN)
    first = call(srv, "GET", f"/characters/{GWEN}/assets", token=access)
    assert first.headers["X-Pages"] == "20"
    assert len(first.json()) == 1000
    last = call(srv, "GET", f"/characters/{GWEN}/assets?page=20", token=access)
    assert len(last.json()) == 1000
    assert call(srv, "GET", f"/characters/{GWEN}/assets?page=21", token=access).status == 404


def test_names_of_singletons_with_none_for_unnamed_and_unknown_ids_ignored(srv):
    reply = call(
        srv,
        "POST",
        f"/characters/{ARIA}/assets/names",
        token=token(srv, ARIA),
        json_body=[1040000000001, 1040000001010, 1040000001024, 999],
    )
    assert reply.status == 200
    assert reply.json() == [
        {"item_id": 1040000000001, "name": "Forge Flame"},
        {"item_id": 1040000001010, "name": "None"},
    ]


def test_names_refuse_more_than_1000_ids(srv):
    access = token(srv, GWEN)
    path = f"/characters/{GWEN}/assets/names"
    assert call(srv, "POST", path, token=access, json_body=list(range(1, 1002))).status == 400
    assert call(srv, "POST", path, token=access, json_body=list(range(1, 1001))).status == 200
    assert call(srv, "POST", path, token=access, json_body=[]).status == 400


def test_names_answer_each_body_for_itself(srv):
    access = token(srv, GWEN)
    items = srv.scenario.character(GWEN)["assets"]
    named = [item for item in items if item.get("name")][:4]
    path = f"/characters/{GWEN}/assets/names"
    for item in named:
        reply = call(srv, "POST", path, token=access, json_body=[item["item_id"]])
        assert reply.json() == [{"item_id": item["item_id"], "name": item["name"]}]


def test_generated_inventory_is_deterministic_and_nested():
    items = generate_assets(GWEN, 20_000, seed=7)
    assert items == generate_assets(GWEN, 20_000, seed=7)
    assert items != generate_assets(GWEN, 20_000, seed=8)
    assert len(items) == 20_000
    by_id = {item["item_id"]: item for item in items}
    assert len(by_id) == 20_000 and min(by_id) > 2**32
    places = {item["location_id"] for item in items if item["location_id"] not in by_id}
    assert len(places) == 30
    # every item leads up to a place; some are in containers inside ships
    depths = []
    for item in items:
        depth = 0
        while item["location_id"] in by_id:
            item = by_id[item["location_id"]]
            depth += 1
        depths.append(depth)
    assert max(depths) == 2  # stack in a container in a ship at a place
    flags = {item["location_flag"] for item in items}
    assert {"Hangar", "Cargo", "OfficeFolder", "AutoFit", "HiSlot0", "Locked"} <= flags
    assert {item["location_type"] for item in items} == {"station", "item", "solar_system"}


def test_generated_and_handmade_types_exist_in_the_universe(srv):
    universe = json.loads(UNIVERSE.read_text())["universe"]
    type_ids = {item["type_id"] for item in universe["types"]}
    for character_id in (ARIA, GWEN):
        items = srv.scenario.character(character_id)["assets"]
        assert {item["type_id"] for item in items} <= type_ids
