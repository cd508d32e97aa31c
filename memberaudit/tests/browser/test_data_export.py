"""An auditor exports the wallet journal of the characters they may open: picks the topic,
follows the progress on the page and downloads the compressed CSV."""

import csv
import gzip
import io

import pytest
from playwright.sync_api import expect

from django.contrib.auth.models import Permission
from django.utils import timezone

from memberaudit import data_export
from memberaudit.export_topics import TOPICS
from memberaudit.models import CharacterWalletJournalEntry, DataExport

from .conftest import ARIA, BRUNO, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def auditor(role_user, settings, tmp_path):
    """Bruno, alliance auditor with ``exports_access``; Aria of his alliance has a journal."""
    settings.MEMBERAUDIT_DATA_EXPORT_DIR = str(tmp_path / "exports")
    role_user("Normal user", ARIA, sections=("wallet_journal",))
    user = role_user("Alliance Auditor", BRUNO)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="memberaudit", codename="exports_access")
    )
    return user


def test_auditor_exports_the_wallet_journal_and_downloads_it(page, site, auditor):
    login(page, site, BRUNO)
    page.goto(f"{site}/member-audit/data-export/")
    buttons = page.locator("#data-export-topics button")
    expect(buttons).to_have_count(len(TOPICS))
    expect(page.locator("#data-export-table tbody")).to_contain_text("No exports yet")

    page.locator("button[data-topic='wallet_journal']").click()

    row = page.locator("#data-export-table tbody tr").first
    expect(row).to_contain_text("Wallet journal")
    expect(row.locator(".progress-bar")).to_contain_text("Done")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv.gz")
    with gzip.open(download.path(), "rt", encoding="utf-8") as file:
        header, *rows = list(csv.reader(io.StringIO(file.read())))
    assert header[:2] == ["character ID", "character"]
    journal = CharacterWalletJournalEntry.objects.filter(
        character__eve_character__character_id=ARIA
    )
    assert len(rows) == journal.count() > 0
    assert {row[1] for row in rows} == {"Aria Jaxon"}
    screenshot(page, "data-export")


def test_page_follows_a_running_export_until_its_file_is_ready(page, site, auditor):
    export = DataExport.objects.create(
        user=auditor,
        topic="assets",
        status=DataExport.Status.RUNNING,
        rows_total=200,
        rows_done=50,
        file_name="memberaudit_assets_test.csv.gz",
    )
    login(page, site, BRUNO)
    page.goto(f"{site}/member-audit/data-export/")
    row = page.locator("#data-export-table tbody tr").first
    expect(row.locator(".progress-bar")).to_have_text("25%")
    expect(row).to_contain_text("50 of 200 rows")

    path = data_export.file_path(export)
    with gzip.open(path, "wt") as file:
        file.write("character ID,character\n")
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.DONE, rows_done=200, finished_at=timezone.now(), file_size=60
    )

    expect(row.get_by_role("link", name="Download")).to_be_visible()
    expect(row.locator(".progress-bar")).to_contain_text("Done")
