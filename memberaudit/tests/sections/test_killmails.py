"""The killmails section against the fake EVE server."""

import threading
import time

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import esi_gateway, updater
from memberaudit.esi_gateway import EsiGateway, EsiUnavailable
from memberaudit.models import CharacterKillmail, Killmail, KillmailAttacker, KillmailItem
from memberaudit.sections import killmails

from .helpers import forget_cached_esi_answers, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001
BRUNO = 90000002
DAX = 90000004
SHARED = 124000001
LOSS = 124000002
RECENT = "GetCharactersCharacterIdKillmailsRecent"
DETAILS = "GetKillmailsKillmailIdKillmailHash"
KILLMAIL_TABLES = (
    "memberaudit_killmail",
    "memberaudit_killmailattacker",
    "memberaudit_killmailitem",
    "memberaudit_characterkillmail",
    "eveuniverse_eveentity",
)


def _fetched_killmail_ids(fake_eve) -> list[int]:
    return [
        int(entry.path.split("/killmails/")[1].split("/")[0])
        for entry in fake_eve.log.entries()
        if entry.route == DETAILS
    ]


class TestFirstUpdate:
    def test_should_store_kills_and_losses_with_their_details(self, make_character):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "killmails")

        assert outcome.is_success and outcome.changed, outcome.message
        links = dict(character.killmails.values_list("killmail_id", "is_loss"))
        assert links == {SHARED: False, LOSS: True, 124000003: False}
        killmail = Killmail.objects.get(id=SHARED)
        assert killmail.victim_character.name == "Vex Morrigan"
        assert killmail.victim_ship_type.name == "Drake"
        assert killmail.solar_system.name == "Tama"
        assert killmail.attacker_count == 3
        final_blow = killmail.attackers.get(is_final_blow=True)
        assert final_blow.character_id == ARIA and final_blow.damage_done == 9100
        items = {item.position: item for item in killmail.items.all()}
        assert len(items) == 4
        container = next(i for i in items.values() if i.item_type_id == 3467)
        inside = next(i for i in items.values() if i.item_type_id == 34)
        assert inside.parent_position == container.position and inside.quantity_dropped == 5000
        assert Killmail.objects.get(id=124000003).war_id == 745001

    def test_should_keep_npc_attackers_without_a_character(self, make_character):
        character = make_character(ARIA)

        updater.update_section(character, "killmails")

        npc = KillmailAttacker.objects.get(killmail_id=LOSS, character__isnull=True)
        assert npc.faction.name == "Caldari State" and npc.ship_type.name == "Raven"


class TestSharedKillmails:
    def test_should_fetch_a_killmail_once_for_all_characters_on_it(self, make_character, fake_eve):
        characters = [make_character(ARIA), make_character(BRUNO), make_character(DAX)]

        for character in characters:
            assert updater.update_section(character, "killmails").is_success

        assert Killmail.objects.filter(id=SHARED).count() == 1
        assert CharacterKillmail.objects.filter(killmail_id=SHARED).count() == 3
        assert _fetched_killmail_ids(fake_eve).count(SHARED) == 1
        assert fake_eve.log.count(route=DETAILS) == 3  # Aria's three, none for Bruno and Dax

    def test_should_make_one_detail_request_per_distinct_killmail(self, make_character, fake_eve):
        gwen = make_character(2112000002)
        cyra = make_character(90000003)

        assert updater.update_section(cyra, "killmails").is_success
        assert updater.update_section(gwen, "killmails").is_success

        assert fake_eve.log.count(route=DETAILS) == 1000  # 300 shared + 700 of Gwen's own
        assert Killmail.objects.count() == 1000
        assert gwen.killmails.count() == 1000 and cyra.killmails.count() == 300
        assert fake_eve.log.count(route=RECENT, character_id=2112000002) == 4  # 250 per page

    def test_should_store_a_killmail_once_when_two_workers_store_it_at_the_same_time(
        self, make_character, monkeypatch
    ):
        """The second worker looked for the killmail before the first one committed it."""
        from memberaudit.sections import killmails

        aria, bruno = make_character(ARIA), make_character(BRUNO)
        assert updater.update_section(aria, "killmails").is_success
        attackers, items = KillmailAttacker.objects.count(), KillmailItem.objects.count()
        monkeypatch.setattr(killmails, "_stored_killmail_ids", lambda ids: set())

        outcome = updater.update_section(bruno, "killmails", force=True)

        assert outcome.is_success, outcome.message
        assert Killmail.objects.filter(id=SHARED).count() == 1
        assert KillmailAttacker.objects.count() == attackers
        assert KillmailItem.objects.count() == items
        positions = list(
            KillmailAttacker.objects.filter(killmail_id=SHARED).values_list("position", flat=True)
        )
        assert sorted(positions) == [0, 1, 2]


class TestFailures:
    def test_should_retry_failed_details_next_run_without_refetching_stored_ones(
        self, make_character, fake_eve
    ):
        bruno = make_character(BRUNO)
        assert updater.update_section(bruno, "killmails").is_success  # stores the shared one
        character = make_character(ARIA)
        fault = fake_eve.faults.add(route=DETAILS, status=503)

        outcome = updater.update_section(character, "killmails")

        assert not outcome.is_success
        assert "2 killmails could not be fetched yet" in outcome.message
        assert character.killmails.count() == 3  # all links kept, two wait for details
        assert set(
            character.killmails.filter(is_loss__isnull=True).values_list("killmail_id", flat=True)
        ) == {LOSS, 124000003}
        fake_eve.faults.remove(fault.id)
        fake_eve.log.clear()

        outcome = updater.update_section(character, "killmails")

        assert outcome.is_success, outcome.message
        assert sorted(_fetched_killmail_ids(fake_eve)) == [LOSS, 124000003]
        assert not character.killmails.filter(is_loss__isnull=True).exists()
        assert Killmail.objects.count() == 3

    def test_should_keep_details_fetched_before_a_failure(self, make_character, monkeypatch):
        character = make_character(ARIA)
        real_get = EsiGateway.get

        def failing_for_the_loss(self, operation_id, **params):
            if operation_id == DETAILS and params.get("killmail_id") == LOSS:
                raise EsiUnavailable("ESI answered 503", 503)
            return real_get(self, operation_id, **params)

        monkeypatch.setattr(EsiGateway, "get", failing_for_the_loss)

        outcome = updater.update_section(character, "killmails")

        assert not outcome.is_success
        assert set(Killmail.objects.values_list("id", flat=True)) == {124000003}
        assert character.killmails.get(killmail_id=124000003).is_loss is False

    def test_should_fetch_details_concurrently_in_bounded_number(self, make_character, monkeypatch):
        character = make_character(2112000002)  # a thousand killmails
        monkeypatch.setattr(killmails, "MAX_DETAILS_PER_RUN", 40)
        real_get = EsiGateway.get
        lock = threading.Lock()
        in_flight, most = [0], [0]

        def counting_get(self, operation_id, **params):
            if operation_id != DETAILS:
                return real_get(self, operation_id, **params)
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            try:
                time.sleep(0.002)  # an answer takes a moment, as over a network
                return real_get(self, operation_id, **params)
            finally:
                with lock:
                    in_flight[0] -= 1

        monkeypatch.setattr(EsiGateway, "get", counting_get)

        outcome = updater.update_section(character, "killmails")

        assert outcome.is_success, outcome.message
        assert Killmail.objects.count() == 40  # the newest; the others wait for the next run
        assert most[0] == esi_gateway.MAX_REQUESTS_IN_FLIGHT > 1

    def test_should_not_fail_for_a_killmail_esi_does_not_know(self, make_character, fake_eve):
        unknown = {"killmail_id": 124999999, "killmail_hash": "0" * 40}  # ESI answers 422
        fake_eve.scenario.append_to_character(ARIA, "killmails", [unknown])
        character = make_character(ARIA)

        outcome = updater.update_section(character, "killmails")

        assert outcome.is_success, outcome.message
        assert fake_eve.log.count(route=DETAILS, status=422) == 1
        assert character.killmails.get(killmail_id=124999999).is_loss is None
        assert Killmail.objects.count() == 3

    @pytest.mark.parametrize("status", [400, 403, 404, 420, 429, 500, 502, 503, 504])
    def test_should_keep_stored_killmails_when_the_list_fails(
        self, make_character, fake_eve, status
    ):
        character = make_character(ARIA)
        updater.update_section(character, "killmails")
        forget_cached_esi_answers()
        fake_eve.faults.add(route=RECENT, status=status)

        outcome = updater.update_section(character, "killmails", force=True)

        assert not outcome.is_success
        assert character.killmails.count() == 3
        assert Killmail.objects.count() == 3 and KillmailItem.objects.count() == 5

    def test_should_keep_stored_killmails_when_the_list_is_malformed(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "killmails")
        forget_cached_esi_answers()
        fake_eve.faults.add(route=RECENT, malformed=True)

        outcome = updater.update_section(character, "killmails", force=True)

        assert not outcome.is_success
        assert character.killmails.count() == 3

    def test_should_keep_links_when_esi_stops_listing_them(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "killmails")
        fake_eve.scenario.update_character(ARIA, {"killmails": []})
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "killmails")

        assert outcome.is_success, outcome.message
        assert character.killmails.count() == 3


class TestNoChange:
    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "killmails")
        fake_eve.log.clear()
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as not_modified:
            outcome = updater.update_section(character, "killmails")  # ESI answers 304
        with CaptureQueriesContext(connection) as forced:
            forced_outcome = updater.update_section(character, "killmails", force=True)

        assert outcome.is_success and not outcome.changed
        assert forced_outcome.is_success
        assert writes_to(not_modified.captured_queries, *KILLMAIL_TABLES) == []
        assert writes_to(forced.captured_queries, *KILLMAIL_TABLES) == []
        assert fake_eve.log.count(route=DETAILS) == 0
        assert fake_eve.log.count(route=RECENT, status=304) == 1
