import socket
import struct
import time
from urllib.parse import urlsplit

import pytest

from fake_eve.faults import FaultRegistry

from .helpers import call, login

ARIA = 90000001


@pytest.mark.parametrize("status", [420, 429, 500, 502, 503, 504, 401, 403, 404])
def test_status_faults(srv, status):
    srv.faults.add(route="GetCharactersCharacterId", status=status, times=1)
    reply = call(srv, "GET", "/characters/90000001")
    assert reply.status == status and "error" in reply.json()
    if status == 429:
        assert reply.headers["Retry-After"] == "5"
    assert call(srv, "GET", "/characters/90000001").status == 200


def test_fault_times_and_character(srv):
    srv.faults.add(route="GetCharactersCharacterId", character_id=90000002, status=502, times=2)
    assert call(srv, "GET", "/characters/90000001").status == 200
    assert [call(srv, "GET", "/characters/90000002").status for _ in range(3)] == [502, 502, 200]
    assert srv.log.count(route="GetCharactersCharacterId", status=502) == 2


def test_latency_fault(srv):
    srv.faults.add(route="GetStatus", latency=0.3, times=1)
    started = time.monotonic()
    assert call(srv, "GET", "/status").status == 200
    assert time.monotonic() - started >= 0.3


def test_client_giving_up_during_latency_is_no_server_error(srv, capfd):
    srv.faults.add(route="GetStatus", latency=0.3, times=1)
    address = urlsplit(srv.base_url)
    client = socket.create_connection((address.hostname, address.port), timeout=5)
    client.sendall(f"GET /status HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
    # give up at once, as a client whose timeout is shorter than the latency: reset, not FIN
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    time.sleep(0.6)

    assert "Traceback" not in capfd.readouterr().err
    assert call(srv, "GET", "/status").status == 200


def test_malformed_fault(srv):
    srv.faults.add(route="GetCharactersCharacterId", malformed=True)
    reply = call(srv, "GET", "/characters/90000001")
    assert reply.status == 200
    with pytest.raises(ValueError):
        reply.json()


def test_drop_fields_fault(srv):
    srv.faults.add(route="GetCharactersCharacterId", drop_fields=["alliance_id", "title"])
    data = call(srv, "GET", "/characters/90000001").json()
    assert "alliance_id" not in data and "title" not in data and data["name"]


def test_page_fault(srv):
    token = login(srv, ARIA)["access_token"]
    srv.faults.add(route="GetCharactersCharacterIdWalletJournal", page=2, status=500)
    path = "/characters/90000001/wallet/journal"
    assert call(srv, "GET", f"{path}?page=1", token=token).status == 200
    assert call(srv, "GET", f"{path}?page=2", token=token).status == 500
    assert call(srv, "GET", f"{path}?page=3", token=token).status == 200


def test_sso_fault(srv):
    srv.faults.add(route="sso_token", status=503, times=1)
    reply = call(srv, "POST", "/v2/oauth/token", form={"grant_type": "refresh_token"})
    assert reply.status == 503


def test_faults_via_control_api_and_reset(srv):
    reply = call(srv, "POST", "/_fake/faults", json_body={"route": "*", "status": 503})
    assert reply.status == 201
    fault_id = reply.json()[0]["id"]
    assert call(srv, "GET", "/universe/races").status == 503
    assert call(srv, "DELETE", f"/_fake/faults/{fault_id}").status == 200
    assert call(srv, "GET", "/universe/races").status == 200
    call(srv, "POST", "/_fake/faults", json_body=[{"status": 500}])
    call(srv, "POST", "/_fake/reset")
    assert call(srv, "GET", "/universe/races").status == 200
    assert call(srv, "POST", "/_fake/faults", json_body={"bogus": 1}).status == 400


def test_fault_registry_validation():
    registry = FaultRegistry()
    with pytest.raises(ValueError):
        registry.add(route="x")
    with pytest.raises(ValueError):
        registry.add(route="x", status=200)
