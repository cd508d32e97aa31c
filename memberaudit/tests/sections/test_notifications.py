"""The notifications and contact notifications sections against the fake EVE server."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberaudit import json_tables, notification_texts, updater
from memberaudit.models import CharacterNotification

from .helpers import create_character, forget_cached_esi_answers, install_canned_esi, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001
GWEN = 2112000002
NOTIFICATIONS = "GetCharactersCharacterIdNotifications"
CONTACT_NOTIFICATIONS = "GetCharactersCharacterIdNotificationsContacts"
FAULTS = [
    {"status": 400},
    {"status": 403},
    {"status": 404},
    {"status": 420},
    {"status": 429},
    {"status": 500},
    {"status": 502},
    {"status": 503},
    {"status": 504},
    {"malformed": True},
]


def sentence(notification) -> str:
    parts = notification_texts.segments(notification.type, notification.details)
    return "".join(part["text"] for part in parts)


class TestNotifications:
    def test_should_store_every_notification_with_parsed_fields(self, make_character):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "notifications")

        assert outcome.is_success and outcome.changed, outcome.message
        assert character.notifications.count() == 62
        application = character.notifications.get(notification_id=1999000001)
        assert application.is_parsed and application.group == "corporation"
        assert sentence(application) == (
            "Ilya Drask applied to join Eclipse Shipyards: Looking for a new home"
        )
        assert application.sender.name == "Eclipse Shipyards"
        parsed_types = set(
            character.notifications.filter(is_parsed=True).values_list("type", flat=True)
        )
        assert parsed_types == set(notification_texts.TYPES)

    def test_should_keep_unknown_and_broken_notifications_with_their_raw_text(self, make_character):
        character = make_character(ARIA)

        updater.update_section(character, "notifications")

        unknown = character.notifications.filter(type="SkyhookDeployed")
        assert unknown.exists()
        assert all(row.group == "other" and "skyhookID" in row.text for row in unknown)
        broken = character.notifications.filter(is_parsed=False).exclude(type="SkyhookDeployed")
        assert broken.count() == 4
        assert broken.filter(text__contains="!!python/object").exists()

    def test_should_keep_hostile_text_as_data(self, make_character):
        character = make_character(ARIA)

        updater.update_section(character, "notifications")

        contact = character.notifications.get(notification_id=1999000002)
        assert "<script>" in contact.details["message"]["value"]  # shown escaped, never run
        assert sentence(contact).startswith("Vex Morrigan added the character as a contact")

    def test_should_store_the_others_when_one_notification_breaks_the_parser(
        self, make_character, monkeypatch
    ):
        real_parse = notification_texts._parse

        def parse_breaking_on_applications(known, text, sender_id):
            if "Looking for a new home" in str(text):
                raise RecursionError("maximum recursion depth exceeded")
            return real_parse(known, text, sender_id)

        monkeypatch.setattr(notification_texts, "_parse", parse_breaking_on_applications)
        character = make_character(ARIA)

        outcome = updater.update_section(character, "notifications")

        assert outcome.is_success, outcome.message
        assert character.notifications.count() == 62
        assert not character.notifications.get(notification_id=1999000001).is_parsed

    def test_should_skip_rows_without_id_or_time_and_store_the_others(
        self, make_character, fake_eve
    ):
        fake_eve.scenario.append_to_character(
            ARIA,
            "notifications",
            [
                {
                    "notification_id": 1999000009,
                    "sender_id": 1,
                    "sender_type": "other",
                    "type": "NoSuchTypeYet",
                    "timestamp": "now",
                    "text": "{{{{",
                }
            ],
        )
        character = make_character(ARIA)

        outcome = updater.update_section(character, "notifications")

        assert outcome.is_success, outcome.message
        new_type = character.notifications.get(notification_id=1999000009)
        assert new_type.group == "other" and new_type.text == "{{{{" and new_type.sender is None

    def test_should_keep_notifications_esi_no_longer_lists(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "notifications")
        fake_eve.scenario.update_character(ARIA, {"notifications": []})
        forget_cached_esi_answers()

        outcome = updater.update_section(character, "notifications")

        assert outcome.is_success, outcome.message
        assert character.notifications.count() == 62

    def test_should_follow_the_read_flag(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "notifications")
        rows = [
            dict(row, is_read=True) for row in fake_eve.scenario.character(ARIA)["notifications"]
        ]
        fake_eve.scenario.update_character(ARIA, {"notifications": rows})
        forget_cached_esi_answers()

        updater.update_section(character, "notifications")

        assert not character.notifications.filter(is_read=False).exists()

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_notifications_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        updater.update_section(character, "notifications")
        before = list(character.notifications.values_list("notification_id", "is_read", "details"))
        forget_cached_esi_answers()
        fake_eve.faults.add(route=NOTIFICATIONS, **fault)

        outcome = updater.update_section(character, "notifications", force=True)

        assert not outcome.is_success
        after = list(character.notifications.values_list("notification_id", "is_read", "details"))
        assert after == before

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        updater.update_section(character, "notifications")
        forget_cached_esi_answers()

        with CaptureQueriesContext(connection) as not_modified:
            assert updater.update_section(character, "notifications").is_success
        with CaptureQueriesContext(connection) as forced:
            assert updater.update_section(character, "notifications", force=True).is_success

        tables = ("memberaudit_characternotification", "eveuniverse_eveentity")
        assert writes_to(not_modified.captured_queries, *tables) == []
        assert writes_to(forced.captured_queries, *tables) == []
        assert fake_eve.log.count(route=NOTIFICATIONS, status=304) == 1

    def test_should_list_the_heavy_characters_notifications_by_group(self, make_character):
        character = make_character(GWEN)

        assert updater.update_section(character, "notifications").is_success

        assert character.notifications.count() == 500
        table = json_tables.notifications(character)
        page = table.page({"group": "war", "length": "500"})
        assert page["recordsTotal"] == character.notifications.filter(group="war").count() > 0
        sentences = [row for row in page["data"] if isinstance(row["message"], list)]
        raw = [row for row in page["data"] if isinstance(row["message"], str)]
        assert len(sentences) == character.notifications.filter(group="war", is_parsed=True).count()
        assert all("!!python" in row["message"] for row in raw)  # the broken war declarations


class TestContactNotifications:
    def test_should_store_who_added_the_character_with_sanitized_message(self, make_character):
        character = make_character(ARIA)

        outcome = updater.update_section(character, "contact_notifications")

        assert outcome.is_success and outcome.changed, outcome.message
        rows = {row.notification_id: row for row in character.contact_notifications.all()}
        assert set(rows) == {1998000001, 1998000002}
        hostile = rows[1998000002]
        assert hostile.sender_name == "Vex Morrigan" and hostile.standing_level == 10.0
        html = hostile.message_html
        assert "<script" not in html and "javascript:" not in html and "Welcome" in html

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        updater.update_section(character, "contact_notifications")
        forget_cached_esi_answers()
        fake_eve.faults.add(route=CONTACT_NOTIFICATIONS, **fault)

        outcome = updater.update_section(character, "contact_notifications", force=True)

        assert not outcome.is_success
        assert character.contact_notifications.count() == 2

    def test_should_keep_rows_esi_no_longer_lists_and_write_nothing_unchanged(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        updater.update_section(character, "contact_notifications")
        forget_cached_esi_answers()
        with CaptureQueriesContext(connection) as not_modified:
            assert updater.update_section(character, "contact_notifications").is_success
        fake_eve.scenario.update_character(ARIA, {"contact_notifications": []})
        forget_cached_esi_answers()

        assert updater.update_section(character, "contact_notifications").is_success

        assert (
            writes_to(not_modified.captured_queries, "memberaudit_charactercontactnotification")
            == []
        )
        assert character.contact_notifications.count() == 2


def test_notification_model_keeps_the_raw_text():
    assert CharacterNotification._meta.get_field("text").max_length is None


notification_rows = st.lists(
    st.fixed_dictionaries(
        {
            "notification_id": st.integers(1, 2**40),
            "sender_id": st.integers(1, 2**31),
            "sender_type": st.sampled_from(["character", "corporation", "other", "faction"]),
            "type": st.sampled_from(sorted(notification_texts.TYPES)) | st.text(max_size=30),
            "timestamp": st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
            "is_read": st.booleans(),
            "text": st.text(max_size=300)
            | st.sampled_from(["charID: 1\ncorpID: 2\n", "!!python/object:x {}", "a: [b"]),
        }
    ),
    max_size=25,
    unique_by=lambda row: row["notification_id"],
)


@given(rows=notification_rows)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_should_store_every_notification_whatever_its_text(rows, monkeypatch):
    character = create_character(95_500_001)
    try:
        install_canned_esi(monkeypatch, {NOTIFICATIONS: rows, "PostUniverseNames": []})

        outcome = updater.update_section(character, "notifications")

        assert outcome.is_success, outcome.message
        stored = {row.notification_id: row for row in character.notifications.all()}
        assert set(stored) == {row["notification_id"] for row in rows}
        for row in rows:
            notification = stored[row["notification_id"]]
            # NUL bytes are dropped and over-long texts cut on every write (fitted_fields)
            assert notification.text == row["text"].replace("\x00", "")
            assert row["type"].replace("\x00", "").startswith(notification.type.rstrip("…"))
            if not notification.is_parsed:
                assert notification.details == {}
    finally:
        character.delete()
        character.eve_character.delete()
