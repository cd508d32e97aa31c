from .helpers import call, login

ARIA = 90000001


def test_edit_wallet_balance_and_journal(srv):
    token = login(srv, ARIA)["access_token"]
    reply = call(srv, "PATCH", "/_fake/characters/90000001", json_body={"wallet_balance": 5.5})
    assert reply.status == 200
    assert call(srv, "GET", "/characters/90000001/wallet", token=token).json() == 5.5
    entry = {
        "id": 99999999999,
        "date": "now",
        "ref_type": "player_donation",
        "description": "gift",
        "amount": 10.0,
    }
    reply = call(srv, "POST", "/_fake/characters/90000001/wallet_journal", json_body=entry)
    assert reply.status == 200
    srv.set_page_size("GetCharactersCharacterIdWalletJournal", 1000)
    journal = call(srv, "GET", "/characters/90000001/wallet/journal", token=token).json()
    assert journal[0]["id"] == 99999999999 and journal[0]["date"].endswith("Z")
    assert len(journal) == 251
    srv.reset()
    assert call(srv, "GET", "/characters/90000001/wallet", token=token).json() == 1254321987.55


def test_invalid_edit_is_rejected(srv):
    reply = call(srv, "PATCH", "/_fake/characters/90000001", json_body={"wallet_balance": "x"})
    assert reply.status == 400 and "wallet_balance" in reply.json()["error"]
    assert call(srv, "PATCH", "/_fake/characters/1", json_body={}).status == 404


def test_python_edit_api(srv):
    srv.scenario.update_character(90000002, {"online": {"online": True}})
    token = login(srv, 90000002)["access_token"]
    assert call(srv, "GET", "/characters/90000002/online", token=token).json() == {"online": True}


def test_settings_and_tokens_endpoints(srv):
    reply = call(
        srv,
        "PATCH",
        "/_fake/settings",
        json_body={"page_sizes": {"GetCharactersCharacterIdContacts": 2}, "error_limit": 50},
    )
    assert reply.json()["error_limit"] == 50
    tokens = call(
        srv,
        "POST",
        "/_fake/tokens",
        json_body={"character_id": ARIA, "scopes": ["esi-characters.read_contacts.v1"]},
    ).json()
    reply = call(srv, "GET", "/characters/90000001/contacts", token=tokens["access_token"])
    assert reply.headers["X-Pages"] == "3"
    assert call(srv, "GET", "/_fake/health").json()["ok"] is True
