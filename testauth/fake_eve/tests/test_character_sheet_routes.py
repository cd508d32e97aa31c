"""Character sheet routes of the fake ESI: scenario data, ESI's answers for characters
without data, scopes and ETags."""

import pytest

from fake_eve.esi.character_sheet import CHARACTER_FIELDS

from .helpers import call, login

ARIA = 90000001  # roles, titles, medals, standings, research agents; never enlisted
BRUNO = 90000002  # enlisted in faction warfare, fatigued
ELIN = 90000005  # no character sheet data in the scenario

# path -> scope
ROUTES = {
    "attributes": "esi-skills.read_skills.v1",
    "roles": "esi-characters.read_corporation_roles.v1",
    "titles": "esi-characters.read_titles.v1",
    "medals": "esi-characters.read_medals.v1",
    "standings": "esi-characters.read_standings.v1",
    "fw/stats": "esi-characters.read_fw_stats.v1",
    "fatigue": "esi-characters.read_fatigue.v1",
    "agents_research": "esi-characters.read_agents_research.v1",
}


def get(srv, character_id, path, scopes=None, headers=None):
    token = login(srv, character_id, list(scopes or ROUTES.values()))["access_token"]
    return call(srv, "GET", f"/characters/{character_id}/{path}", token=token, headers=headers)


def test_should_serve_the_scenario_data(srv):
    roles = get(srv, ARIA, "roles").json()
    fw = get(srv, BRUNO, "fw/stats").json()
    medals = get(srv, ARIA, "medals").json()

    assert {"Director", "Accountant"} <= set(roles["roles"])
    assert set(roles) == {"roles", "roles_at_hq", "roles_at_base", "roles_at_other"}
    assert fw["faction_id"] == 500001 and fw["kills"]["total"] == 1862
    assert all(
        medal["graphics"] == [] and medal["status"] in ("public", "private") for medal in medals
    )


@pytest.mark.parametrize(
    "path, expected",
    [
        ("roles", {"roles": [], "roles_at_hq": [], "roles_at_base": [], "roles_at_other": []}),
        ("titles", []),
        ("medals", []),
        ("standings", []),
        ("fatigue", {}),
        ("agents_research", []),
        (
            "fw/stats",
            {
                "kills": {"yesterday": 0, "last_week": 0, "total": 0},
                "victory_points": {"yesterday": 0, "last_week": 0, "total": 0},
            },
        ),
    ],
)
def test_should_answer_like_esi_for_a_character_without_data(srv, path, expected):
    reply = get(srv, ELIN, path)

    assert reply.status == 200
    assert reply.json() == expected


@pytest.mark.parametrize("path, scope", list(ROUTES.items()))
def test_should_refuse_a_token_without_the_scope(srv, path, scope):
    others = [s for s in ROUTES.values() if s != scope]

    assert get(srv, ARIA, path, scopes=others).status == 403


@pytest.mark.parametrize("path", list(ROUTES))
def test_should_answer_304_to_a_known_etag(srv, path):
    first = get(srv, BRUNO, path)
    second = get(srv, BRUNO, path, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status == 200 and second.status == 304


def test_should_declare_each_section_field_for_scenario_files():
    assert set(CHARACTER_FIELDS) == {
        "attributes",
        "corporation_roles",
        "titles",
        "medals",
        "standings",
        "fw_stats",
        "fatigue",
        "agents_research",
    }
