"""Industry jobs: active and completed jobs kept as history; unknown facilities kept too."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fake_eve.esi.industry import generate_jobs
from memberaudit import json_tables, updater
from memberaudit.models import CharacterIndustryJob, Location

from ..factories import create_item_type
from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_013
OPERATION = "GetCharactersCharacterIdIndustryJobs"
TABLE = CharacterIndustryJob._meta.db_table
ARIA = 90_000_001
GWEN = 2_112_000_002
NO_DOCKING_RIGHTS = 1_022_734_985_679
Status = CharacterIndustryJob.Status


def make_job(job_id: int, type_id: int, **fields) -> dict:
    return {
        "job_id": job_id,
        "activity_id": 1,
        "blueprint_id": 55,
        "blueprint_location_id": 60_003_760,
        "blueprint_type_id": type_id,
        "product_type_id": type_id,
        "duration": 3600,
        "start_date": "2025-12-01T10:00:00Z",
        "end_date": "2025-12-01T11:00:00Z",
        "facility_id": 60_003_760,
        "station_id": 60_003_760,
        "installer_id": CHARACTER_ID,
        "output_location_id": 60_003_760,
        "runs": 4,
        "status": "active",
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def type_id(db):
    return create_item_type().id


@pytest.fixture
def esi(monkeypatch, db):
    Location.objects.create(id=60_003_760, name="Jita IV", updated_at="2030-01-01T00:00:00Z")
    return install_canned_esi(
        monkeypatch,
        {
            OPERATION: [],
            "PostUniverseNames": lambda params: [
                {"id": i, "name": f"Pilot {i}", "category": "character"} for i in params["body"]
            ],
        },
    )


class TestWithCannedEsi:
    def test_should_ask_for_completed_jobs_and_store_every_field(self, character, esi, type_id):
        esi[OPERATION] = [
            make_job(
                1,
                type_id,
                activity_id=5,
                licensed_runs=7,
                cost=1234.5,
                probability=0.5,
                status="delivered",
                completed_date="2025-12-01T11:05:00Z",
                successful_runs=4,
            )
        ]

        outcome = updater.update_section(character, "industry_jobs")

        assert outcome.is_success, outcome.message
        assert [call[1]["include_completed"] for call in esi["calls"] if call[0] == OPERATION] == [
            True
        ]
        job = character.industry_jobs.get()
        assert job.get_activity_id_display() == "copying"
        assert job.status == Status.DELIVERED and job.runs == 4 and job.licensed_runs == 7
        assert job.blueprint_type_id == type_id and job.product_type_id == type_id
        assert job.facility.name == "Jita IV" and job.installer.name == f"Pilot {CHARACTER_ID}"
        assert str(job.cost) == "1234.50" and job.probability == 0.5 and job.successful_runs == 4
        assert job.completed_date.isoformat() == "2025-12-01T11:05:00+00:00"

    def test_should_keep_jobs_esi_no_longer_returns(self, character, esi, type_id):
        esi[OPERATION] = [make_job(1, type_id), make_job(2, type_id)]
        updater.update_section(character, "industry_jobs")
        esi[OPERATION] = [make_job(2, type_id, status="delivered")]

        updater.update_section(character, "industry_jobs")

        assert dict(character.industry_jobs.values_list("job_id", "status")) == {
            1: Status.ACTIVE,
            2: Status.DELIVERED,
        }

    def test_should_store_activities_and_statuses_esi_adds_later_as_unknown(
        self, character, esi, type_id
    ):
        esi[OPERATION] = [make_job(1, type_id, activity_id=42, status="on_strike")]

        outcome = updater.update_section(character, "industry_jobs")

        assert outcome.is_success
        job = character.industry_jobs.get()
        assert job.activity_id == 0 and job.status == Status.UNKNOWN

    def test_should_keep_a_job_in_a_structure_the_character_cannot_see(
        self, character, esi, type_id
    ):
        esi[OPERATION] = [make_job(1, type_id, facility_id=NO_DOCKING_RIGHTS)]

        outcome = updater.update_section(character, "industry_jobs")

        assert outcome.is_success, outcome.message
        job = character.industry_jobs.get()
        assert job.facility_id == NO_DOCKING_RIGHTS
        assert job.facility.display_name == f"Unknown structure #{NO_DOCKING_RIGHTS}"

    def test_should_show_the_remaining_time_of_active_jobs_only(self, character, esi, type_id):
        now = timezone.now()
        ends = (now + dt.timedelta(hours=3)).isoformat()
        esi[OPERATION] = [
            make_job(1, type_id, start_date=now.isoformat(), end_date=ends),
            make_job(2, type_id, status="ready"),
        ]
        updater.update_section(character, "industry_jobs")

        rows = json_tables.industry_jobs(character).page({"length": "10"})["data"]

        by_status = {row["status"]: row["remaining"] for row in rows}
        assert 3 * 3600 - 60 <= by_status["active"] <= 3 * 3600
        assert by_status["ready"] is None

    def test_should_write_only_the_job_that_changed(self, character, esi, type_id):
        esi[OPERATION] = [make_job(n, type_id) for n in range(1, 11)]
        updater.update_section(character, "industry_jobs")
        esi[OPERATION] = [
            make_job(n, type_id, status="ready" if n == 3 else "active") for n in range(1, 11)
        ]

        with CaptureQueriesContext(connection) as context:
            updater.update_section(character, "industry_jobs")

        writes = writes_to(context.captured_queries, TABLE)
        assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")


@pytest.mark.integration
class TestOverHttp:
    def test_should_store_the_200_jobs_of_the_heavy_character(self, make_character, fake_eve):
        character = make_character(GWEN)

        outcome = updater.update_section(character, "industry_jobs")

        assert outcome.is_success, outcome.message
        assert character.industry_jobs.count() == 200
        assert character.industry_jobs.filter(status=Status.DELIVERED).exists()
        assert character.industry_jobs.filter(facility_id=NO_DOCKING_RIGHTS).exists()

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "industry_jobs").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "industry_jobs")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        assert updater.update_section(character, "industry_jobs").is_success
        before = rows_of(character.industry_jobs.all())
        fake_eve.scenario.update_character(ARIA, {"industry_jobs": generate_jobs(ARIA, 4)})

        outcome = update_with_fault(fake_eve, character, "industry_jobs", OPERATION, fault)

        assert not outcome.is_success
        assert status_of(character, "industry_jobs").is_success is False
        assert rows_of(character.industry_jobs.all()) == before
