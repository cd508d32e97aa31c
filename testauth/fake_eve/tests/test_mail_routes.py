import pytest

from fake_eve.esi.mail import generate_mails
from fake_eve.scenario import ScenarioError

from .helpers import call, login

ARIA = 90000001
GWEN = 2112000002
MAIL_SCOPE = "esi-mail.read_mail.v1"


@pytest.fixture
def token(srv):
    def get(character_id: int, scopes=(MAIL_SCOPE,)) -> str:
        return login(srv, character_id, list(scopes))["access_token"]

    return get


def test_mail_routes_need_the_mail_scope(srv, token):
    reply = call(
        srv,
        "GET",
        f"/characters/{ARIA}/mail",
        token=token(ARIA, ["esi-wallet.read_character_wallet.v1"]),
    )
    assert reply.status == 403


def test_mailing_lists(srv, token):
    reply = call(srv, "GET", f"/characters/{ARIA}/mail/lists", token=token(ARIA))
    assert reply.status == 200
    assert reply.json() == [{"mailing_list_id": 145000100, "name": "Jaxon Market Alerts"}]


def test_labels_count_unread_mails(srv, token):
    reply = call(srv, "GET", f"/characters/{ARIA}/mail/labels", token=token(ARIA))
    data = reply.json()
    counts = {label["label_id"]: label["unread_count"] for label in data["labels"]}
    assert counts == {1: 2, 2: 0, 4: 0, 8: 0, 32: 1}
    assert data["total_unread_count"] == 3
    assert {"label_id", "name", "color", "unread_count"} == set(data["labels"][0])


def test_headers_are_newest_first_without_bodies(srv, token):
    headers = call(srv, "GET", f"/characters/{ARIA}/mail", token=token(ARIA)).json()
    ids = [mail["mail_id"] for mail in headers]
    assert ids == sorted(ids, reverse=True) and len(ids) == 10
    assert set(headers[0]) == {
        "mail_id",
        "from",
        "recipients",
        "subject",
        "labels",
        "timestamp",
        "is_read",
    }


def test_headers_follow_the_last_mail_id_cursor_50_at_a_time(srv, token):
    access = token(GWEN)
    seen = []
    cursor = None
    while True:
        path = f"/characters/{GWEN}/mail" + (f"?last_mail_id={cursor}" if cursor else "")
        page = call(srv, "GET", path, token=access).json()
        if not page:
            break
        assert len(page) <= 50
        seen.extend(mail["mail_id"] for mail in page)
        cursor = page[-1]["mail_id"]
    assert len(seen) == len(set(seen)) == 300
    assert seen == sorted(seen, reverse=True)
    assert srv.log.count(route="GetCharactersCharacterIdMail") == 7


def test_headers_can_be_filtered_by_label(srv, token):
    headers = call(srv, "GET", f"/characters/{ARIA}/mail?labels=32", token=token(ARIA)).json()
    assert [mail["mail_id"] for mail in headers] == [370000010, 370000003]


def test_body_of_a_mail(srv, token):
    reply = call(srv, "GET", f"/characters/{ARIA}/mail/370000010", token=token(ARIA))
    data = reply.json()
    assert set(data) == {"body", "from", "labels", "read", "recipients", "subject", "timestamp"}
    assert "showinfo:1230" in data["body"] and data["read"] is False


def test_deleted_mail_is_listed_but_its_body_is_gone(srv, token):
    mails = srv.scenario.character(ARIA)["mails"]
    mails[0]["deleted"] = True
    srv.scenario.update_character(ARIA, {"mails": mails})
    access = token(ARIA)
    ids = [m["mail_id"] for m in call(srv, "GET", f"/characters/{ARIA}/mail", token=access).json()]
    assert mails[0]["mail_id"] in ids
    reply = call(srv, "GET", f"/characters/{ARIA}/mail/{mails[0]['mail_id']}", token=access)
    assert reply.status == 404 and reply.json() == {"error": "Mail not found"}


def test_generated_mailbox_has_lists_labels_and_mailing_list_senders(srv):
    gwen = srv.scenario.character(GWEN)
    list_ids = {row["mailing_list_id"] for row in gwen["mail_lists"]}
    assert len(gwen["mails"]) == 300 and len(list_ids) == 2
    from_lists = [mail for mail in gwen["mails"] if mail["from"] in list_ids]
    assert from_lists and all(
        mail["recipients"][0]["recipient_type"] == "mailing_list" for mail in from_lists
    )
    assert any("<script>" in mail["body"] for mail in gwen["mails"])
    assert {16, 1, 2} <= {label for mail in gwen["mails"] for label in mail["labels"]}


def test_generator_is_deterministic():
    character = {"character_id": GWEN, "corporation_id": 98000003, "alliance_id": 99000002}
    first = generate_mails(character, [1], count=20, seed=3, start="2025-01-01T00:00:00Z")
    again = generate_mails(character, [1], count=20, seed=3, start="2025-01-01T00:00:00Z")
    assert first == again


def test_invalid_recipient_type_is_rejected(srv):
    mail = dict(srv.scenario.character(ARIA)["mails"][0])
    mail["recipients"] = [{"recipient_id": 1, "recipient_type": "fleet"}]
    with pytest.raises(ScenarioError):
        srv.scenario.update_character(ARIA, {"mails": [mail]})
