"""Killmail, notification and calendar routes of the fake ESI."""

import pytest
import yaml

from fake_eve.esi.killmails import SHARED_POOL_SIZE, killmail_hash
from fake_eve.esi.notifications import TEXTS

from .helpers import call, login

ARIA = 90000001
BRUNO = 90000002
CYRA = 90000003
GWEN = 2112000002
SHARED = 124000001
SHARED_HASH = "3f1c6a0e5b2d4c8e9a7b6c5d4e3f2a1b0c9d8e7f"
SCOPES = [
    "esi-killmails.read_killmails.v1",
    "esi-characters.read_notifications.v1",
    "esi-calendar.read_calendar_events.v1",
]


@pytest.fixture
def token(srv):
    def get(character_id: int) -> str:
        return login(srv, character_id, SCOPES)["access_token"]

    return get


def test_a_shared_killmail_is_listed_by_each_character_and_answered_once(srv, token):
    aria = call(srv, "GET", f"/characters/{ARIA}/killmails/recent", token=token(ARIA)).json()
    bruno = call(srv, "GET", f"/characters/{BRUNO}/killmails/recent", token=token(BRUNO)).json()

    assert {"killmail_id": SHARED, "killmail_hash": SHARED_HASH} in aria
    assert bruno == [{"killmail_id": SHARED, "killmail_hash": SHARED_HASH}]
    detail = call(srv, "GET", f"/killmails/{SHARED}/{SHARED_HASH}").json()
    assert detail["victim"]["character_id"] == 95000001
    assert {attacker.get("character_id") for attacker in detail["attackers"]} == {
        ARIA,
        BRUNO,
        90000004,
    }


def test_a_wrong_hash_answers_422(srv):
    reply = call(srv, "GET", f"/killmails/{SHARED}/{'0' * 40}")

    assert reply.status == 422
    assert reply.json() == {"error": "Invalid killmail_id and/or killmail_hash"}


def test_the_heavy_character_has_paged_killmails_shared_with_cyra(srv, token):
    first = call(srv, "GET", f"/characters/{GWEN}/killmails/recent", token=token(GWEN))

    assert first.status == 200 and first.headers["X-Pages"] == "4"
    pages = [first.json()] + [
        call(srv, "GET", f"/characters/{GWEN}/killmails/recent?page={n}", token=token(GWEN)).json()
        for n in (2, 3, 4)
    ]
    gwen = {row["killmail_id"] for page in pages for row in page}
    cyra = {
        row["killmail_id"]
        for n in (1, 2)
        for row in call(
            srv, "GET", f"/characters/{CYRA}/killmails/recent?page={n}", token=token(CYRA)
        ).json()
    }
    assert len(gwen) == 1000 and len(cyra) == SHARED_POOL_SIZE and cyra <= gwen
    any_id = min(gwen)
    assert call(srv, "GET", f"/killmails/{any_id}/{killmail_hash(any_id)}").status == 200


def test_killmail_lists_answer_304_to_their_etag(srv, token):
    path = f"/characters/{ARIA}/killmails/recent"
    first = call(srv, "GET", path, token=token(ARIA))

    again = call(
        srv, "GET", path, token=token(ARIA), headers={"If-None-Match": first.headers["ETag"]}
    )

    assert again.status == 304


def test_notifications_cover_every_parsed_type_with_yaml_texts(srv, token):
    rows = call(srv, "GET", f"/characters/{ARIA}/notifications", token=token(ARIA)).json()

    types = {row["type"] for row in rows}
    assert {name for name, _, _ in TEXTS} <= types
    assert "SkyhookDeployed" in types  # a type not parsed
    parsed = [row for row in rows if row["type"] == "LocateCharMsg"]
    assert any(yaml.safe_load(row["text"]).get("targetLocation", {}).get(5) for row in parsed)
    ids = [row["notification_id"] for row in rows]
    assert ids == sorted(ids, reverse=True)


def test_contact_notifications(srv, token):
    rows = call(srv, "GET", f"/characters/{ARIA}/notifications/contacts", token=token(ARIA)).json()

    assert [row["notification_id"] for row in rows] == [1998000002, 1998000001]
    assert set(rows[0]) == {
        "notification_id",
        "sender_character_id",
        "standing_level",
        "message",
        "send_date",
    }


def test_calendar_pages_with_the_from_event_cursor_and_details(srv, token):
    srv.scenario.update_character(
        ARIA,
        {
            "calendar_events": [
                {"event_id": 7000 + n, "event_date": "now+1d", "title": f"Op {n}"}
                for n in range(60)
            ]
        },
    )
    path = f"/characters/{ARIA}/calendar"

    first = call(srv, "GET", path, token=token(ARIA)).json()
    rest = call(srv, "GET", f"{path}?from_event=7049", token=token(ARIA)).json()
    detail = call(srv, "GET", f"{path}/7001", token=token(ARIA)).json()

    assert len(first) == 50 and [event["event_id"] for event in rest] == list(range(7050, 7060))
    assert detail["title"] == "Op 1" and detail["owner_type"] == "eve_server"
    assert call(srv, "GET", f"{path}/1", token=token(ARIA)).status == 404
