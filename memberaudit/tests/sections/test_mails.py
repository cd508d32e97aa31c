"""The mails section against the fake EVE server."""

from datetime import datetime, timedelta, timezone

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from eveuniverse.models import EveEntity

from memberaudit import esi_gateway, updater
from memberaudit.esi_gateway import EsiGateway
from memberaudit.models import (
    CharacterMailRecipient,
    SectionUpdateStatus,
)
from memberaudit.sections import mail_values
from memberaudit.sections import mails as mails_section

from .helpers import forget_cached_esi_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001
GWEN = 2112000002
ARIA_LIST = 145000100
HEADERS = "GetCharactersCharacterIdMail"
BODY = "GetCharactersCharacterIdMailMailId"
LABELS = "GetCharactersCharacterIdMailLabels"
LISTS = "GetCharactersCharacterIdMailLists"
NAMES = "PostUniverseNames"
HOSTILE = '<script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=y>ok'


def status(character) -> SectionUpdateStatus:
    return SectionUpdateStatus.objects.get(character=character, section="mails")


def scenario_mails(fake_eve, character_id: int) -> list[dict]:
    return [dict(mail) for mail in fake_eve.scenario.character(character_id)["mails"]]


def edit_mails(fake_eve, character_id: int, change) -> None:
    mails = scenario_mails(fake_eve, character_id)
    for mail in mails:
        change(mail)
    fake_eve.scenario.update_character(character_id, {"mails": mails})


def snapshot(character) -> dict:
    return {
        mail.mail_id: (
            mail.subject,
            mail.body,
            mail.is_read,
            mail.from_id,
            sorted(mail.labels.values_list("label_id", flat=True)),
            sorted(mail.recipients.values_list("recipient_id", "kind")),
        )
        for mail in character.mails.prefetch_related("labels", "recipients")
    }


def mail_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "memberaudit_charactermail" in q["sql"].lower()
        and not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]


def new_mail(mail_id: int, **fields) -> dict:
    return {
        "mail_id": mail_id,
        "from": 90000002,
        "recipients": [{"recipient_id": ARIA, "recipient_type": "character"}],
        "subject": f"New {mail_id}",
        "body": f"Body of {mail_id}",
        "labels": [1],
        "timestamp": "now",
        "is_read": False,
        **fields,
    }


class TestFirstUpdate:
    def test_should_store_lists_labels_headers_recipients_and_bodies(self, make_character):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success and outcome.changed, outcome.message
        assert list(character.mailing_lists.values_list("list_id", "name")) == [
            (ARIA_LIST, "Jaxon Market Alerts")
        ]
        labels = {
            label.label_id: (label.name, label.color, label.unread_count)
            for label in character.mail_labels.all()
        }
        assert labels[1] == ("Inbox", "#ffffff", 2)
        assert labels[32] == ("Trade", "#ff6600", 1)
        assert len(labels) == 5
        assert character.mails.count() == 10
        assert not character.mails.filter(body__isnull=True).exists()
        mail = character.mails.get(mail_id=370000010)
        assert mail.sender.name == "Bruno Velkan" and mail.sender_mailing_list is None
        assert mail.subject == "Ore prices" and mail.is_read is False
        assert "showinfo:1230" in mail.body
        assert sorted(mail.labels.values_list("label_id", flat=True)) == [1, 32]
        corp_mail = character.mails.get(mail_id=370000007)
        recipient = corp_mail.recipients.get()
        assert recipient.kind == CharacterMailRecipient.Kind.CORPORATION
        assert recipient.eve_entity_id == 98000001
        assert character.mails.get(mail_id=370000005).recipients.count() == 2

    def test_should_store_mailing_list_senders_without_asking_the_name_resolver(
        self, make_character, fake_eve, monkeypatch
    ):
        sent_to_resolver = []
        original_post = EsiGateway.post

        def spy(self, operation_id, body, **kwargs):
            if operation_id == NAMES:
                sent_to_resolver.extend(body)
            return original_post(self, operation_id, body, **kwargs)

        monkeypatch.setattr(EsiGateway, "post", spy)
        character = make_character(ARIA)

        updater.update_section(character, "mails")

        mail = character.mails.get(mail_id=370000009)
        assert mail.sender is None and mail.from_id == ARIA_LIST
        assert mail.sender_mailing_list.name == "Jaxon Market Alerts"
        assert mail.sender_name == "Jaxon Market Alerts"
        recipient = mail.recipients.get()
        assert recipient.kind == CharacterMailRecipient.Kind.MAILING_LIST
        assert recipient.mailing_list.list_id == ARIA_LIST and recipient.eve_entity is None
        assert ARIA_LIST not in sent_to_resolver
        assert fake_eve.log.count(route=NAMES, status=404) == 0

    def test_should_recognise_mailing_lists_the_character_left(self, make_character, fake_eve):
        fake_eve.scenario.update_character(ARIA, {"mail_lists": []})
        character = make_character(ARIA)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success
        assert fake_eve.log.count(route=NAMES, status=404) == 0
        mail = character.mails.get(mail_id=370000009)
        assert mail.sender_mailing_list.list_id == ARIA_LIST
        assert mail.sender_mailing_list.name == ""

    def test_should_show_hostile_body_only_sanitized(self, make_character, fake_eve):
        edit_mails(fake_eve, ARIA, lambda mail: mail.update(body=HOSTILE))
        character = make_character(ARIA)

        updater.update_section(character, "mails")

        mail = character.mails.get(mail_id=370000010)
        assert mail.body == HOSTILE  # kept as sent
        html = mail.body_html
        assert "<script" not in html and "javascript:" not in html and "onerror" not in html
        assert "ok" in html and "alert(1)" not in html
        assert mail.body_text.endswith("ok")

    def test_should_not_store_mail_whose_body_is_gone(self, make_character, fake_eve):
        edit_mails(fake_eve, ARIA, lambda m: m.update(deleted=m["mail_id"] == 370000005))
        character = make_character(ARIA)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        assert not character.mails.filter(mail_id=370000005).exists()
        assert character.mails.count() == 9

    def test_should_not_ask_again_for_a_deleted_mail_still_listed(self, make_character, fake_eve):
        edit_mails(fake_eve, ARIA, lambda m: m.update(deleted=m["mail_id"] == 370000005))
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        edit_mails(fake_eve, ARIA, lambda m: m.update(is_read=True))  # the list changed
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails", force=True)

        assert outcome.is_success, outcome.message
        assert fake_eve.log.count(route=BODY, status=404) == 1
        assert not character.mails.filter(mail_id=370000005).exists()
        assert character.mails.filter(is_read=True).count() == 9

    def test_should_store_missing_optional_fields_as_empty(self, make_character, fake_eve):
        fake_eve.faults.add(HEADERS, character_id=ARIA, drop_fields=["subject", "labels"])
        character = make_character(ARIA)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        mail = character.mails.get(mail_id=370000010)
        assert mail.subject == "" and mail.labels.count() == 0


class TestCap:
    def test_should_store_only_the_newest_mails_up_to_the_cap(
        self, make_character, fake_eve, settings, monkeypatch
    ):
        monkeypatch.setattr(mails_section.app_settings, "MEMBERAUDIT_MAX_MAILS", 120)
        character = make_character(GWEN)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        newest = sorted(
            (mail["mail_id"] for mail in fake_eve.scenario.character(GWEN)["mails"]),
            reverse=True,
        )[:120]
        assert sorted(character.mails.values_list("mail_id", flat=True), reverse=True) == newest
        assert fake_eve.log.count(route=HEADERS) == 3  # 50 + 50 + 20 of 50
        assert fake_eve.log.count(route=BODY) == 120
        assert fake_eve.log.count(route=NAMES, status=404) == 0
        from_lists = character.mails.filter(sender_mailing_list__isnull=False)
        assert from_lists.exists() and not from_lists.filter(sender__isnull=False).exists()
        assert character.mailing_lists.count() == 2
        assert character.mail_labels.get(label_id=16).mails.exists()


class TestLaterUpdates:
    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "mails")

        assert outcome.is_success and not outcome.changed
        assert mail_writes(queries) == []

    def test_should_write_nothing_when_forced_with_unchanged_data(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "mails", force=True)

        assert outcome.is_success
        assert mail_writes(queries) == []

    def test_should_fetch_each_body_only_once(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        assert fake_eve.log.count(route=BODY) == 10
        edit_mails(fake_eve, ARIA, lambda mail: mail.update(is_read=True))
        forget_cached_esi_answers()

        updater.update_section(character, "mails")
        updater.update_section(character, "mails", force=True)

        assert fake_eve.log.count(route=BODY) == 10
        assert not character.mails.filter(is_read=False).exists()

    def test_should_update_read_flag_and_unread_counts_of_only_what_changed(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        before = snapshot(character)
        edit_mails(
            fake_eve, ARIA, lambda m: m.update(is_read=m["is_read"] or m["mail_id"] == 370000010)
        )
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, "mails")

        assert outcome.is_success and outcome.changed
        after = snapshot(character)
        assert after[370000010][2] is True
        assert {key: value for key, value in after.items() if key != 370000010} == {
            key: value for key, value in before.items() if key != 370000010
        }
        labels = dict(character.mail_labels.values_list("label_id", "unread_count"))
        assert labels[1] == 1 and labels[32] == 0
        writes = mail_writes(queries)
        assert len(writes) == 2  # one UPDATE of the read flag, one of the label counts
        assert all(sql.startswith("UPDATE") for sql in writes)
        assert fake_eve.log.count(route=BODY) == 10

    def test_should_add_new_mails_and_update_labels_of_existing_ones(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        mails = scenario_mails(fake_eve, ARIA)
        mails[0]["labels"] = [1]
        mails.insert(0, new_mail(370000011, labels=[1, 32]))
        fake_eve.scenario.update_character(ARIA, {"mails": mails})
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        assert character.mails.count() == 11
        assert character.mails.get(mail_id=370000011).body == "Body of 370000011"
        assert sorted(
            character.mails.get(mail_id=370000010).labels.values_list("label_id", flat=True)
        ) == [1]
        assert fake_eve.log.count(route=BODY) == 11

    def test_should_keep_mails_that_esi_no_longer_lists(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        fake_eve.scenario.update_character(ARIA, {"mails": scenario_mails(fake_eve, ARIA)[:3]})
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success
        assert character.mails.count() == 10

    def test_should_delete_stored_mail_when_its_missing_body_is_gone(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        fault = fake_eve.faults.add(BODY, character_id=ARIA, status=500)
        updater.update_section(character, "mails")
        fake_eve.faults.remove(fault.id)
        assert character.mails.get(mail_id=370000010).body is None
        edit_mails(fake_eve, ARIA, lambda m: m.update(deleted=m["mail_id"] == 370000010))
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        assert not character.mails.filter(mail_id=370000010).exists()
        assert character.mails.count() == 9


class TestFailures:
    @pytest.mark.parametrize(
        "route, fault",
        [
            (LISTS, {"status": 502}),
            (LABELS, {"status": 500}),
            (HEADERS, {"status": 500}),
            (HEADERS, {"malformed": True}),
        ],
        ids=["lists-bad-gateway", "labels-server-error", "headers-error", "headers-malformed"],
    )
    def test_should_keep_stored_mails_when_esi_fails(self, make_character, fake_eve, route, fault):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        before = snapshot(character)
        edit_mails(fake_eve, ARIA, lambda mail: mail.update(is_read=False, labels=[]))
        fake_eve.faults.add(route, character_id=ARIA, **fault)
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails")

        assert not outcome.is_success
        row = status(character)
        assert row.is_success is False and route in row.error_message
        assert snapshot(character) == before

    def test_should_keep_stored_mails_when_a_later_cursor_page_fails(
        self, make_character, fake_eve, monkeypatch
    ):
        monkeypatch.setattr(mails_section.app_settings, "MEMBERAUDIT_MAX_MAILS", 20)
        monkeypatch.setattr(mails_section, "HEADERS_PER_CALL", 5)
        original_get = EsiGateway.get

        def fail_cursor_calls(self, operation_id, **params):
            if operation_id == HEADERS and "last_mail_id" in params:
                fake_eve.faults.add(HEADERS, character_id=ARIA, status=500, times=1)
            return original_get(self, operation_id, **params)

        character = make_character(ARIA)
        monkeypatch.setattr(EsiGateway, "get", fail_cursor_calls)

        outcome = updater.update_section(character, "mails")

        assert not outcome.is_success and HEADERS in outcome.message
        assert not character.mails.exists()

    def test_should_record_timeout_as_failure(self, make_character, fake_eve, monkeypatch):
        from esi import app_settings as esi_settings

        character = make_character(ARIA)
        updater.update_section(character, "mails")
        before = snapshot(character)
        monkeypatch.setattr(esi_settings, "ESI_REQUESTS_READ_TIMEOUT", 0.5)
        monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_MAX_RETRIES", 1)
        esi_gateway.provider()._client = None  # rebuild the client with the short timeout
        fake_eve.faults.add(HEADERS, character_id=ARIA, latency=2.0)
        forget_cached_esi_answers()
        try:
            outcome = updater.update_section(character, "mails")
        finally:
            esi_gateway.provider()._client = None
        assert not outcome.is_success
        assert "did not answer" in status(character).error_message
        assert snapshot(character) == before

    def test_should_keep_headers_and_bodies_when_a_body_fails_and_recover_next_time(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "mails")
        mails = [new_mail(370000012), new_mail(370000011)] + scenario_mails(fake_eve, ARIA)
        fake_eve.scenario.update_character(ARIA, {"mails": mails})
        fault = fake_eve.faults.add(BODY, character_id=ARIA, status=502)  # beyond retries
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "mails")

        assert not outcome.is_success
        row = status(character)
        assert "2 mail bodies could not be fetched" in row.error_message
        assert BODY in row.error_message
        assert character.mails.count() == 12
        assert character.mails.filter(body__isnull=True).count() == 2
        assert character.mails.get(mail_id=370000010).body  # earlier bodies intact
        bodies_before = fake_eve.log.count(route=BODY)
        fake_eve.faults.remove(fault.id)

        outcome = updater.update_section(character, "mails")

        assert outcome.is_success, outcome.message
        assert fake_eve.log.count(route=BODY) == bodies_before + 2
        assert not character.mails.filter(body__isnull=True).exists()


class TestUnits:
    def test_should_store_unknown_recipient_type_as_unknown(self):
        header = {
            "mail_id": 1,
            "from": 90000002,
            "recipients": [
                {"recipient_id": 5, "recipient_type": "fleet"},
                {"recipient_id": None, "recipient_type": "character"},
            ],
            "subject": None,
            "labels": None,
            "timestamp": None,
            "is_read": None,
        }

        mail = mail_values.clean_header(header)

        assert mail["recipients"] == [{"recipient_id": 5, "kind": "unknown"}]
        assert mail["subject"] == "" and mail["labels"] == [] and mail["is_read"] is False

    def test_should_skip_headers_without_id(self):
        assert mail_values.clean_header({"mail_id": None, "from": 1}) is None

    def test_should_store_with_the_same_queries_for_50_or_300_mails(self, make_character, fake_eve):
        EveEntity.objects.bulk_create(
            [EveEntity(id=95_600_000 + n, name=f"E{n}", category="character") for n in range(20)]
        )

        def queries_for(character_id: int, count: int) -> list[str]:
            character = make_character(character_id)
            with CaptureQueriesContext(connection) as context:
                mails_section.store(character, synthetic_data(count))
            assert character.mails.count() == count
            recipients = CharacterMailRecipient.objects.filter(mail__character=character)
            assert recipients.count() == count * 2
            return [query["sql"] for query in context.captured_queries]

        small = queries_for(90_000_002, 50)
        large = queries_for(ARIA, 300)

        def shapes(queries):
            """Statement kind and table, without inserts (SQLite splits them by its limits)."""
            return [
                sql.split(" WHERE ")[0].split(" IN ")[0]
                for sql in queries
                if not sql.startswith(("INSERT", "SAVEPOINT", "RELEASE"))
            ]

        assert shapes(small) == shapes(large)
        assert len(large) < 40

    def test_unknown_label_ids_are_skipped(self, make_character, fake_eve):
        character = make_character(ARIA)
        data = synthetic_data(3)
        data["mails"][0]["labels"] = [1, 999]

        mails_section.store(character, data)

        mail = character.mails.get(mail_id=data["mails"][0]["mail_id"])
        assert list(mail.labels.values_list("label_id", flat=True)) == [1]


def synthetic_data(count: int) -> dict:
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    mails = []
    for n in range(count):
        from_list = n % 7 == 0
        mails.append(
            {
                "mail_id": count - n,
                "from_id": 145_000_001 if from_list else 95_600_000 + n % 20,
                "from_mailing_list": from_list,
                "subject": f"Mail {n}",
                "timestamp": start - timedelta(hours=n),
                "is_read": n % 3 == 0,
                "labels": [1] if n % 2 else [1, 16],
                "recipients": [
                    {"recipient_id": 145_000_001, "kind": "mailing_list"},
                    {"recipient_id": 95_600_000 + (n + 1) % 20, "kind": "character"},
                ],
            }
        )
    return {
        "lists": [{"list_id": 145_000_001, "name": "List"}],
        "labels": [
            {"label_id": 1, "name": "Inbox", "color": "#ffffff", "unread_count": 3},
            {"label_id": 16, "name": "Custom", "color": "#fe0000", "unread_count": 0},
        ],
        "mails": mails,
        "bodies": [(mail["mail_id"], f"Body {mail['mail_id']}") for mail in mails],
        "deleted": [],
        "body_failure": None,
    }
