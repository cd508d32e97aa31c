"""Data exports: a compressed CSV of one topic for exactly the characters the exporter may
open, streamed in constant memory, followed on a page, kept for a while, then purged."""

import csv
import gzip
import io
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import access, data_export, exports
from memberaudit.csv_export import FORMULA_STARTS, LEADING_BLANKS
from memberaudit.export_topics import TOPICS
from memberaudit.models import (
    AccessLogEntry,
    Character,
    CharacterWalletJournalEntry,
    DataExport,
)

from .factories import create_character, create_user_with_main, share_with_all_recruiters

pytestmark = pytest.mark.django_db

EXPORTER = ("memberaudit.basic_access", "memberaudit.exports_access")
JOURNAL = TOPICS["wallet_journal"]


@pytest.fixture(autouse=True)
def export_folder(settings, tmp_path):
    settings.MEMBERAUDIT_DATA_EXPORT_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


def read_gzip_csv(path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def add_journal(character: Character, count: int = 1, **fields) -> None:
    start = CharacterWalletJournalEntry.objects.filter(character=character).count()
    CharacterWalletJournalEntry.objects.bulk_create(
        [
            CharacterWalletJournalEntry(
                character=character,
                entry_id=start + number + 1,
                date=timezone.now(),
                ref_type="player_donation",
                amount=Decimal("-100.50"),
                balance=Decimal("1000"),
                description=fields.get("description", f"Entry {number}"),
                reason=fields.get("reason", ""),
            )
            for number in range(count)
        ],
        batch_size=5000,
    )


def exporter(*permissions, **main_fields):
    user = create_user_with_main(**main_fields)
    AuthUtils.add_permissions_to_user_by_name([*EXPORTER, *permissions], user)
    return type(user).objects.get(pk=user.pk)


def export_for(user, topic=JOURNAL, capture=None) -> DataExport:
    """Start an export the way the page does and run its task."""
    with capture(execute=True):
        export, created = data_export.start_export(user, topic)
    assert created
    export.refresh_from_db()
    return export


def exported_character_ids(export: DataExport) -> set[int]:
    rows = read_gzip_csv(data_export.file_path(export))
    return {int(row[0]) for row in rows[1:]}


# --- what is exported ---


def test_should_write_a_gzip_csv_with_a_header_and_a_row_per_entry(
    django_capture_on_commit_callbacks,
):
    user = exporter()
    character = create_character(user, character_name="Exporting Pilot")
    add_journal(character, 3)

    export = export_for(user, capture=django_capture_on_commit_callbacks)

    assert export.status == DataExport.Status.DONE
    assert (export.rows_total, export.rows_done, export.percent) == (3, 3, 100)
    rows = read_gzip_csv(data_export.file_path(export))
    assert rows[0][:4] == ["character ID", "character", "entry ID", "date"]
    assert len(rows) == 4
    assert rows[1][1] == "Exporting Pilot"
    assert rows[1][rows[0].index("amount")] == "-100.50"  # a number, not neutralised


@pytest.mark.parametrize(
    "permissions",
    [
        (),
        ("memberaudit.characters_access", "memberaudit.view_same_corporation"),
        ("memberaudit.characters_access", "memberaudit.view_same_alliance"),
        ("memberaudit.characters_access", "memberaudit.view_everything"),
        ("memberaudit.view_shared_characters",),
        ("memberaudit.view_same_corporation",),  # a scope without characters_access
    ],
)
def test_should_export_exactly_the_characters_the_access_module_opens(
    permissions, django_capture_on_commit_callbacks
):
    user = exporter(*permissions, corporation_id=98_000_001, alliance_id=99_000_001)
    own = create_character(user)
    same_corp = create_character(create_user_with_main(corporation_id=98_000_001))
    other_corp_same_alliance = create_character(
        create_user_with_main(corporation_id=98_000_002, alliance_id=99_000_001)
    )
    stranger = create_character(create_user_with_main(corporation_id=98_000_009))
    shared = create_character(create_user_with_main(corporation_id=98_000_009))
    shared.owner.user_permissions.add(
        *AuthUtils.get_permission_by_name("memberaudit.share_characters").__class__.objects.filter(
            codename="share_characters"
        )
    )
    share_with_all_recruiters(Character.objects.get(pk=shared.pk))
    for character in (own, same_corp, other_corp_same_alliance, stranger, shared):
        add_journal(character, 2)

    export = export_for(user, capture=django_capture_on_commit_callbacks)

    opened = set(
        access.accessible_characters(user).values_list("eve_character__character_id", flat=True)
    )
    assert exported_character_ids(export) == opened
    assert own.character_id in opened
    if "memberaudit.view_everything" not in permissions:
        assert stranger.character_id not in exported_character_ids(export)


def test_should_record_exports_of_other_owners_characters_in_the_access_log(
    django_capture_on_commit_callbacks,
):
    user = exporter("memberaudit.characters_access", "memberaudit.view_everything")
    own = create_character(user)
    other = create_character()
    add_journal(own)
    add_journal(other)

    export_for(user, capture=django_capture_on_commit_callbacks)

    entries = AccessLogEntry.objects.filter(viewer=user)
    assert list(entries.values_list("character", "section", "reason")) == [
        (other.pk, "export:wallet_journal", AccessLogEntry.Reason.EVERYTHING)
    ]


def test_should_fail_an_export_whose_user_lost_the_permission_before_it_ran(
    django_capture_on_commit_callbacks,
):
    user = exporter()
    add_journal(create_character(user))
    export, _ = data_export.start_export(user, JOURNAL)  # queued, not run yet
    user.user_permissions.clear()
    type(user).objects.get(pk=user.pk)

    data_export.run_export(export.pk)

    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED
    assert not data_export.file_path(export).exists() or not export.file_name


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_should_export_every_topic(topic, tmp_path):
    user = exporter()
    create_character(user)

    rows = data_export.write_topic(
        TOPICS[topic], access.accessible_characters(user), tmp_path / "topic.csv.gz"
    )

    assert rows == 0
    header = read_gzip_csv(tmp_path / "topic.csv.gz")[0]
    assert header[:2] == ["character ID", "character"]
    assert len(header) == len(TOPICS[topic].fields)


# --- spreadsheet formulas ---


def test_should_neutralise_cells_a_spreadsheet_would_run_as_formulas(
    django_capture_on_commit_callbacks,
):
    user = exporter()
    character = create_character(user)
    add_journal(character, description='=HYPERLINK("http://evil","x")', reason="@SUM(A1)")
    add_journal(character, description="+1+1", reason="-2")

    export = export_for(user, capture=django_capture_on_commit_callbacks)

    header, *rows = read_gzip_csv(data_export.file_path(export))
    cells = [(row[header.index("description")], row[header.index("reason")]) for row in rows]
    assert cells == [('\'=HYPERLINK("http://evil","x")', "'@SUM(A1)"), ("'+1+1", "'-2")]


@settings(max_examples=50, deadline=None)
@given(
    st.builds(
        lambda blanks, sign, rest: blanks + sign + rest,
        st.text(alphabet=" \t\r\n", max_size=3),
        st.sampled_from(["", *FORMULA_STARTS]),
        st.text(max_size=20).filter(lambda text: "\x00" not in text),
    )
)
def test_should_never_write_an_export_cell_that_runs_as_a_formula(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("cells") / "cells.csv.gz"

    exports.write_csv_gz(path, ["text"], [[text]])

    [cell] = read_gzip_csv(path)[1]
    assert cell[:1] not in ("\t", "\r")
    assert cell.lstrip(LEADING_BLANKS)[:1] not in FORMULA_STARTS


# --- streaming ---


def test_should_read_rows_in_key_ordered_chunks(django_assert_num_queries):
    character = create_character()
    add_journal(character, 25)
    queryset = CharacterWalletJournalEntry.objects.filter(character=character)

    with django_assert_num_queries(3):  # 10 + 10 + 5 rows
        rows = list(exports.rows_by_key(queryset, ["entry_id"], chunk_size=10))

    assert [row[0] for row in rows] == list(range(1, 26))


def test_should_read_objects_in_the_querysets_order_across_chunk_boundaries():
    character = create_character()
    add_journal(character, 11)
    # an order that is not the key order, with ties broken by the key
    for entry in CharacterWalletJournalEntry.objects.all():
        entry.description = f"Entry {(entry.entry_id * 7) % 4}"
        entry.save()
    queryset = CharacterWalletJournalEntry.objects.order_by("-description", "pk")

    objects = list(exports.objects_in_order(queryset, chunk_size=3))

    assert [entry.pk for entry in objects] == list(queryset.values_list("pk", flat=True))
    assert [entry.pk for entry in objects] != sorted(entry.pk for entry in objects)


def test_should_read_keys_in_chunks_in_key_order_without_reading_all_keys(
    django_assert_num_queries,
):
    character = create_character()
    add_journal(character, 7)
    queryset = CharacterWalletJournalEntry.objects.all()

    with django_assert_num_queries(3):  # 3 + 3 + 1 keys, each chunk after the last key
        chunks = list(exports.key_chunks(queryset, chunk_size=3))

    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert sum(chunks, []) == sorted(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("rows, chunk_size", [(4, 2), (8, 4), (16, 8)])
def test_should_read_objects_in_one_query_per_chunk_whatever_the_number_of_rows(
    django_assert_num_queries, rows, chunk_size
):
    character = create_character()
    add_journal(character, rows)
    queryset = CharacterWalletJournalEntry.objects.order_by("-entry_id")

    with django_assert_num_queries(1 + 2):  # the keys, then two chunks of rows
        objects = list(exports.objects_in_order(queryset, chunk_size=chunk_size))

    assert [entry.entry_id for entry in objects] == list(range(rows, 0, -1))


def test_should_load_chosen_rows_from_the_unscoped_queryset_and_skip_deleted_ones():
    character = create_character()
    other = create_character()
    add_journal(character, 3)
    add_journal(other, 3)
    chosen = CharacterWalletJournalEntry.objects.filter(character=character).order_by("-pk")
    unscoped = CharacterWalletJournalEntry.objects.select_related("character")
    objects = exports.objects_in_order(chosen, chunk_size=2, rows=unscoped)
    first = next(objects)
    CharacterWalletJournalEntry.objects.filter(character=character).order_by("pk").first().delete()

    rest = list(objects)

    assert first.character_id == character.pk
    assert [entry.entry_id for entry in [first, *rest]] == [3, 2]
    assert all(entry.character_id == character.pk for entry in rest)


def test_should_leave_no_partial_file_when_writing_fails(tmp_path):
    def rows():
        yield [1]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        exports.write_csv_gz(tmp_path / "broken.csv.gz", ["n"], rows())

    assert list(tmp_path.iterdir()) == []


def insert_journal_rows(character: Character, count: int, first: int = 0) -> None:
    """Journal entries ``first`` up to ``count`` (exclusive) at once, in plain SQL (model
    instances would take minutes)."""
    table = CharacterWalletJournalEntry._meta.db_table
    columns = (
        "character_id, entry_id, date, ref_type, amount, balance, description, reason, "
        "context_id_type"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(first, count, 10_000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        character.pk,
                        number,
                        now,
                        "player_donation",
                        Decimal("-1234.56"),
                        Decimal("100000.00"),
                        f"Donation number {number} with a description of some length",
                        "",
                        "",
                    )
                    for number in range(start, min(start + 10_000, count))
                ],
            )


def export_peak(tmp_path, rows: int) -> int:
    """The peak of Python allocations while exporting ``rows`` journal rows (after adding
    rows up to that number)."""
    character = Character.objects.first() or create_character()
    stored = character.wallet_journal.count()
    insert_journal_rows(character, rows, first=stored)
    path = tmp_path / f"journal-{rows}.csv.gz"
    tracemalloc.start()
    try:
        written = data_export.write_topic(JOURNAL, Character.objects.all(), path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == rows
    with gzip.open(path, "rt", encoding="utf-8") as file:
        assert sum(1 for _line in file) == rows + 1
    return peak


def test_should_export_journal_rows_in_constant_memory(tmp_path):
    """Rows are read in key-ordered chunks and written as they come: exporting eight times
    the rows takes no more memory (holding 40,000 rows would take about 40 MB more). The
    figures at 100,000 rows are in docs/performance.md."""
    peak_small = export_peak(tmp_path, 5_000)
    peak_large = export_peak(tmp_path, 40_000)

    assert peak_large < 10 * 1024 * 1024
    assert peak_large < peak_small * 1.5 + 512 * 1024


# --- the page, its status and the download ---


def test_should_refuse_the_page_without_exports_access(client):
    client.force_login(create_user_with_main())

    assert client.get(reverse("memberaudit:data_export")).status_code == 403
    assert client.get(reverse("memberaudit:data_export_status")).status_code == 403


def test_should_list_every_topic_on_the_page(client):
    client.force_login(exporter())

    response = client.get(reverse("memberaudit:data_export"))

    assert response.status_code == 200
    for topic in TOPICS.values():
        assert reverse("memberaudit:data_export_start", args=[topic.name]).encode() in (
            response.content
        )


def test_should_start_an_export_and_show_its_progress_and_file(
    client, django_capture_on_commit_callbacks
):
    user = exporter()
    add_journal(create_character(user), 5)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("memberaudit:data_export_start", args=["wallet_journal"]))
    assert response.status_code == 302

    [row] = client.get(reverse("memberaudit:data_export_status")).json()["exports"]
    assert (row["status"], row["percent"], row["rows_done"]) == ("done", 100, 5)
    download = client.get(row["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/gzip"
    content = gzip.decompress(b"".join(download.streaming_content)).decode()
    assert len(list(csv.reader(io.StringIO(content)))) == 6


def test_should_not_start_a_second_export_of_a_topic_still_running(client):
    user = exporter()
    client.force_login(user)
    url = reverse("memberaudit:data_export_start", args=["wallet_journal"])

    client.post(url)  # queued: its task runs when the request's transaction commits
    client.post(url)

    assert DataExport.objects.filter(user=user).count() == 1


def test_should_only_start_exports_by_post_of_a_known_topic(client):
    client.force_login(exporter())

    assert client.get(reverse("memberaudit:data_export_start", args=["assets"])).status_code == 405
    assert client.post(reverse("memberaudit:data_export_start", args=["nope"])).status_code == 404


def test_should_never_hand_out_someone_elses_file(client, django_capture_on_commit_callbacks):
    owner = exporter()
    add_journal(create_character(owner))
    export = export_for(owner, capture=django_capture_on_commit_callbacks)
    client.force_login(exporter("memberaudit.view_everything", "memberaudit.characters_access"))

    url = reverse("memberaudit:data_export_download", args=[export.pk])

    assert client.get(url).status_code == 404
    assert client.get(reverse("memberaudit:data_export_status")).json() == {"exports": []}


# --- retention ---


def test_should_purge_exports_and_their_files_after_the_retention(
    settings, django_capture_on_commit_callbacks
):
    settings.MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS = 2
    user = exporter()
    add_journal(create_character(user))
    old = export_for(user, capture=django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=3)
    )
    fresh = export_for(user, topic=TOPICS["skills"], capture=django_capture_on_commit_callbacks)

    assert data_export.purge_expired_exports() == 1

    assert not data_export.file_path(old).exists()
    assert data_export.file_path(fresh).exists()
    assert list(DataExport.objects.values_list("pk", flat=True)) == [fresh.pk]


# --- management command ---


def test_should_export_all_characters_with_the_command(tmp_path):
    for _ in range(3):
        add_journal(create_character(), 2)
    out = io.StringIO()

    call_command("memberaudit_data_export", "wallet_journal", destination=str(tmp_path), stdout=out)

    [path] = tmp_path.glob("memberaudit_wallet_journal_*.csv.gz")
    assert len(read_gzip_csv(path)) == 7
    assert "Wrote 6 rows" in out.getvalue()


def test_should_refuse_a_missing_destination_or_an_unknown_topic(tmp_path):
    with pytest.raises(CommandError):
        call_command("memberaudit_data_export", "wallet_journal", destination=str(tmp_path / "x"))
    with pytest.raises(CommandError):
        call_command("memberaudit_data_export", "everything", destination=str(tmp_path))


def test_should_not_let_an_export_that_died_with_its_worker_block_a_new_one():
    user = exporter()
    dead, _ = data_export.start_export(user, JOURNAL)
    DataExport.objects.filter(pk=dead.pk).update(
        status=DataExport.Status.RUNNING,
        created_at=timezone.now() - timezone.timedelta(hours=3),
    )

    export, created = data_export.start_export(user, JOURNAL)

    assert created
    assert export.pk != dead.pk
