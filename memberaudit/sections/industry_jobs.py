"""Industry jobs: active and completed jobs (``include_completed``), kept as history.

ESI shows completed jobs for about 90 days; a job's row is kept after that. The facility is
resolved like any place: a structure the character may not see stays an unknown place and
the job is kept. Activities and statuses that ESI adds later are stored as unknown.
"""

import logging

from django.utils.translation import gettext_lazy as _

from .. import app_settings, json_tables, selectors
from ..entities import resolve_entities
from ..locations import resolve_locations
from ..models import CharacterIndustryJob
from .base import NavGroup, Section, ViewerTab, registry
from .esi_values import as_datetime, as_id, as_int, as_money, load_types, plain

logger = logging.getLogger(__name__)

OPERATION = "GetCharactersCharacterIdIndustryJobs"
Activity = CharacterIndustryJob.Activity
Status = CharacterIndustryJob.Status
DATE_FIELDS = ("start_date", "end_date", "pause_date", "completed_date")
STORED_FIELDS = (
    "activity_id",
    "status",
    "blueprint_id",
    "blueprint_type_id",
    "product_type_id",
    "runs",
    "licensed_runs",
    "successful_runs",
    "probability",
    "cost",
    "facility_id",
    "installer_id",
    *DATE_FIELDS,
)


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get(OPERATION, character_id=character.character_id, include_completed=True)
    jobs = {}
    for row in rows or []:
        job = _clean(row)
        if job is not None:
            jobs[job["job_id"]] = job
    load_types(
        {job[field] for job in jobs.values() for field in ("blueprint_type_id", "product_type_id")},
        _("industry jobs"),
        gateway,
    )
    places = resolve_locations({job["facility_id"] for job in jobs.values()}, gateway)
    installers = resolve_entities({job["installer_id"] for job in jobs.values()}, gateway)
    for job in jobs.values():
        if job["facility_id"] not in places:
            job["facility_id"] = None
        if job["installer_id"] not in installers:
            job["installer_id"] = None
    return [jobs[key] for key in sorted(jobs)]


def _clean(row: dict) -> dict | None:
    job_id = as_id(row.get("job_id"))
    start, end = as_datetime(row.get("start_date")), as_datetime(row.get("end_date"))
    if not job_id or start is None or end is None or not as_id(row.get("blueprint_type_id")):
        return None
    activity = as_int(row.get("activity_id"), 0)
    if activity not in Activity.values:
        logger.info("Industry activity %r is not known: stored as unknown", activity)
        activity = Activity.UNKNOWN
    status = plain(row.get("status"))
    if status not in Status.values:
        logger.info("Industry job status %r is not known: stored as unknown", status)
        status = Status.UNKNOWN
    cost = as_money(row.get("cost"))
    probability = row.get("probability")
    dates = {field: as_datetime(row.get(field)) for field in DATE_FIELDS}
    return {
        "job_id": job_id,
        "activity_id": int(activity),
        "status": str(status),
        "blueprint_id": as_int(row.get("blueprint_id"), 0),
        "blueprint_type_id": as_id(row.get("blueprint_type_id")),
        "product_type_id": as_id(row.get("product_type_id")),
        "runs": as_int(row.get("runs"), 0),
        "licensed_runs": as_int(row.get("licensed_runs")),
        "successful_runs": as_int(row.get("successful_runs")),
        "probability": float(probability) if isinstance(probability, int | float) else None,
        "cost": str(cost) if cost is not None else None,
        "facility_id": as_id(row.get("facility_id")) or as_id(row.get("station_id")),
        "installer_id": as_id(row.get("installer_id")),
        **{field: value.isoformat() if value else None for field, value in dates.items()},
    }


def store(character, data: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    stored = {job.job_id: job for job in character.industry_jobs.all()}
    new, changed, changed_fields = [], [], set()
    for row in data:
        values = {field: row[field] for field in STORED_FIELDS}
        values.update({field: as_datetime(row[field]) for field in DATE_FIELDS})
        values["cost"] = as_money(values["cost"])
        job = stored.get(row["job_id"])
        if job is None:
            new.append(CharacterIndustryJob(character=character, job_id=row["job_id"], **values))
            continue
        differing = [field for field, value in values.items() if getattr(job, field) != value]
        if differing:
            for field in differing:
                setattr(job, field, values[field])
            changed.append(job)
            changed_fields.update(differing)
    if changed:
        fields = [field for field in STORED_FIELDS if field in changed_fields]
        CharacterIndustryJob.objects.bulk_update(changed, fields, batch_size=batch_size)
    if new:
        CharacterIndustryJob.objects.bulk_create(new, batch_size=batch_size)
    return bool(new or changed)


registry.register(
    Section(
        name="industry_jobs",
        title=_("industry jobs"),
        ring=2,
        scopes=("esi-industry.read_character_jobs.v1",),
        operations=(OPERATION,),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.ASSETS,
            title=_("Industry jobs"),
            template="memberaudit/tabs/industry_jobs.html",
            context=selectors.industry_jobs_tab,
            tables={"industry_jobs": json_tables.industry_jobs},
        ),
    )
)
