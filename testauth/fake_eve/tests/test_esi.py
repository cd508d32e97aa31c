import json

import pytest

from .helpers import call, login

ARIA = 90000001
BRUNO = 90000002


def test_public_character_and_headers(srv):
    reply = call(srv, "GET", "/characters/90000001", headers={"X-Compatibility-Date": "2025-12-16"})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert reply.headers["Cache-Control"] == "public, max-age=86400"
    for name in (
        "ETag",
        "Expires",
        "Last-Modified",
        "Date",
        "X-ESI-Error-Limit-Remain",
        "X-ESI-Error-Limit-Reset",
    ):
        assert reply.headers[name]
    assert reply.headers["ETag"].startswith('"')
    assert reply.json()["name"] == "Aria Jaxon"
    assert srv.log.entries(route="GetCharactersCharacterId")[0].compatibility_date == "2025-12-16"


def test_hostile_bio_is_served_verbatim(srv):
    description = call(srv, "GET", "/characters/90000002").json()["description"]
    assert "<script>" in description and "javascript:" in description


def test_unknown_character_404(srv):
    reply = call(srv, "GET", "/characters/123")
    assert reply.status == 404 and reply.json() == {"error": "Character not found"}


def test_etag_and_304(srv):
    first = call(srv, "GET", "/universe/types/587")
    second = call(
        srv, "GET", "/universe/types/587", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert second.status == 304 and second.body == b""
    assert second.headers["ETag"] == first.headers["ETag"]
    entry = srv.log.entries(route="GetUniverseTypesTypeId")[-1]
    assert entry.not_modified and entry.status == 304


def test_paging_with_x_pages(srv):
    token = login(srv, ARIA)["access_token"]
    path = "/characters/90000001/wallet/journal"
    pages = [call(srv, "GET", f"{path}?page={n}", token=token) for n in (1, 2, 3)]
    assert [p.headers["X-Pages"] for p in pages] == ["3", "3", "3"]
    entries = [e for p in pages for e in p.json()]
    assert len(entries) == 250 and len({e["id"] for e in entries}) == 250
    assert call(srv, "GET", f"{path}?page=4", token=token).status == 404
    srv.set_page_size("GetCharactersCharacterIdWalletJournal", 1000)
    assert call(srv, "GET", path, token=token).headers["X-Pages"] == "1"


def test_scope_and_character_checks(srv):
    token = login(srv, ARIA, ["esi-skills.read_skills.v1"])["access_token"]
    assert call(srv, "GET", "/characters/90000001/skills", token=token).status == 200
    reply = call(srv, "GET", "/characters/90000001/wallet", token=token)
    assert reply.status == 403 and "scope" in reply.json()["error"]
    reply = call(srv, "GET", "/characters/90000002/skills", token=token)
    assert reply.status == 403 and reply.json()["error"]
    assert call(srv, "GET", "/characters/90000001/skills").status == 401
    assert call(srv, "GET", "/characters/90000001/skills", token="garbage").status == 401


def test_character_sections(srv):
    token = login(srv, ARIA)["access_token"]
    base = "/characters/90000001"
    assert call(srv, "GET", f"{base}/location", token=token).json()["station_id"] == 60003760
    assert call(srv, "GET", f"{base}/online", token=token).json()["online"] is True
    assert call(srv, "GET", f"{base}/ship", token=token).json()["ship_type_id"] == 24698
    assert len(call(srv, "GET", f"{base}/implants", token=token).json()) == 5
    assert call(srv, "GET", f"{base}/clones", token=token).json()["jump_clones"]
    assert call(srv, "GET", f"{base}/loyalty/points", token=token).json()
    skills = call(srv, "GET", f"{base}/skills", token=token).json()
    assert skills["total_sp"] == sum(s["skillpoints_in_skill"] for s in skills["skills"])
    assert call(srv, "GET", f"{base}/skillqueue", token=token).json()[0]["queue_position"] == 0
    assert call(srv, "GET", f"{base}/wallet", token=token).json() == 1254321987.55
    contacts = call(srv, "GET", f"{base}/contacts", token=token)
    assert contacts.headers["X-Pages"] == "1" and len(contacts.json()) == 5
    labels = call(srv, "GET", f"{base}/contacts/labels", token=token).json()
    assert {lb["label_id"] for lb in labels} == {1, 2}


def test_scenario_specials(srv):
    cyra = login(srv, 90000003)["access_token"]
    clones = call(srv, "GET", "/characters/90000003/clones", token=cyra).json()
    assert len(clones["jump_clones"]) > 10
    dax = login(srv, 90000004)["access_token"]
    queue = call(srv, "GET", "/characters/90000004/skillqueue", token=dax).json()
    assert queue and all("start_date" not in q and "finish_date" not in q for q in queue)
    elin = login(srv, 90000005)["access_token"]
    skills = call(srv, "GET", "/characters/90000005/skills", token=elin).json()["skills"]
    assert any(s["trained_skill_level"] == 0 for s in skills)
    assert call(srv, "GET", "/characters/90000005/wallet", token=elin).status == 403


def test_structures(srv):
    token = login(srv, ARIA)["access_token"]
    reply = call(srv, "GET", "/universe/structures/1035466617946", token=token)
    assert reply.status == 200 and reply.json()["solar_system_id"] == 30000144
    reply = call(srv, "GET", "/universe/structures/1022734985679", token=token)
    assert reply.status == 403 and reply.json() == {"error": "Forbidden"}


def test_names_ids_and_affiliation(srv):
    reply = call(srv, "POST", "/universe/names", json_body=[90000001, 98000001, 60003760])
    assert {n["category"] for n in reply.json()} == {"character", "corporation", "station"}
    reply = call(srv, "POST", "/universe/names", json_body=[90000001, 5])
    assert reply.status == 404
    assert reply.json() == {"error": "Ensure all IDs are valid before resolving."}
    ids = call(srv, "POST", "/universe/ids", json_body=["jita", "Aria Jaxon", "Nope"]).json()
    assert ids == {
        "systems": [{"id": 30000142, "name": "Jita"}],
        "characters": [{"id": 90000001, "name": "Aria Jaxon"}],
    }
    aff = call(srv, "POST", "/characters/affiliation", json_body=[90000005, 1]).json()
    assert aff == [{"character_id": 90000005, "corporation_id": 1000045}]


def test_universe_ids_finds_inventory_types_and_leaves_out_unknown_names(srv):
    reply = call(
        srv, "POST", "/universe/ids", json_body=["HOBGOBLIN I", "1MN Afterburner I", "Nope"]
    )

    assert reply.status == 200
    assert reply.json() == {
        "inventory_types": [
            {"id": 438, "name": "1MN Afterburner I"},
            {"id": 2454, "name": "Hobgoblin I"},
        ]
    }
    assert call(srv, "POST", "/universe/ids", json_body=["Nope"]).json() == {}


@pytest.mark.parametrize("body", [[], [587], "Rifter", ["Rifter"] * 501])
def test_universe_ids_refuses_what_is_no_list_of_names(srv, body):
    assert call(srv, "POST", "/universe/ids", json_body=body).status == 400


def test_universe_types_have_required_skills_of_drones_as_dogma(srv):
    hobgoblin = call(srv, "GET", "/universe/types/2454").json()
    light_drone_operation = call(srv, "GET", "/universe/types/24241").json()

    assert {"attribute_id": 182, "value": 24241} in hobgoblin["dogma_attributes"]
    assert {"attribute_id": 182, "value": 3436} in light_drone_operation["dogma_attributes"]
    assert call(srv, "GET", "/universe/groups/100").json()["types"] == [2454]
    assert call(srv, "GET", "/dogma/attributes/1289").json()["name"] == "requiredSkill5"
    assert call(srv, "GET", "/dogma/attributes/1287").json()["name"] == "requiredSkill5Level"


def test_universe_routes(srv):
    assert call(srv, "GET", "/universe/groups/25").json()["types"] == [587, 603]
    assert 25 in call(srv, "GET", "/universe/categories/6").json()["groups"]
    assert call(srv, "GET", "/universe/systems/30000142").json()["stations"] == [60003760]
    assert 30000142 in call(srv, "GET", "/universe/constellations/20000020").json()["systems"]
    assert call(srv, "GET", "/universe/regions/10000002").json()["constellations"] == [20000020]
    assert call(srv, "GET", "/universe/stations/60008494").json()["name"].startswith("Amarr")
    assert call(srv, "GET", "/dogma/attributes/182").json()["name"] == "requiredSkill1"
    for path in ("races", "bloodlines", "ancestries", "factions", "regions", "categories"):
        assert call(srv, "GET", f"/universe/{path}").json()
    assert call(srv, "GET", "/universe/types/99999999").status == 404


def test_meta_status(srv):
    srv.set_route_status("GetCharactersCharacterIdWalletJournal", "Degraded")
    routes = call(srv, "GET", "/meta/status").json()["routes"]
    journal = next(r for r in routes if r["path"] == "/characters/{character_id}/wallet/journal")
    assert journal == {
        "method": "GET",
        "path": "/characters/{character_id}/wallet/journal",
        "status": "Degraded",
    }
    assert call(srv, "GET", "/status").json()["players"] == 23456


def test_unknown_route_and_bad_param(srv):
    assert call(srv, "GET", "/no/such/route").status == 404
    assert call(srv, "GET", "/characters/abc").status == 400


def test_request_log_counts(srv):
    call(srv, "GET", "/characters/90000001")
    call(srv, "GET", "/characters/1")
    counts = call(srv, "GET", "/_fake/requests").json()["counts"]
    assert counts["GetCharactersCharacterId"] == {"200": 1, "404": 1}
    assert srv.log.count(route="GetCharactersCharacterId", status=404) == 1
    assert json.loads(call(srv, "GET", "/_fake/requests?status=404").body)["count"] == 1
