"""Django system checks of Member Audit's configuration."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .app_settings import setting_problems

REGULAR_UPDATES_TASK = "memberaudit.tasks.run_regular_updates"
PURGE_ACCESS_LOG_TASK = "memberaudit.tasks.purge_access_log"
API_APP_NAME = "memberaudit_api"  # the namespace of the read API's URL hook


@register(Tags.compatibility)
def check_settings(app_configs, **kwargs):
    """Report every ``MEMBERAUDIT_*`` setting with a wrong type or value."""
    return [
        Error(
            f"{name} {reason}.",
            hint=f"Fix {name} in your settings; until then its default is used.",
            id="memberaudit.E001",
        )
        for name, reason in setting_problems()
    ]


@register(Tags.compatibility)
def check_beat_schedule(app_configs, **kwargs):
    """Warn when the periodic update task or the access log purge is missing from the Celery
    beat schedule."""
    schedule = getattr(settings, "CELERYBEAT_SCHEDULE", None) or {}
    tasks = {entry.get("task") for entry in schedule.values() if isinstance(entry, dict)}
    warnings = []
    if PURGE_ACCESS_LOG_TASK not in tasks:
        warnings.append(
            Warning(
                f"No Celery beat entry runs {PURGE_ACCESS_LOG_TASK}: the access log keeps "
                "growing beyond MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS.",
                hint=(
                    "Add CELERYBEAT_SCHEDULE['memberaudit_purge_access_log'] = "
                    f"{{'task': '{PURGE_ACCESS_LOG_TASK}', "
                    "'schedule': crontab(minute=30, hour=3)} to your settings."
                ),
                id="memberaudit.W002",
            )
        )
    if REGULAR_UPDATES_TASK in tasks:
        return warnings
    return [
        *warnings,
        Warning(
            f"No Celery beat entry runs {REGULAR_UPDATES_TASK}: characters will not be updated.",
            hint=(
                "Add CELERYBEAT_SCHEDULE['memberaudit_run_regular_updates'] = "
                f"{{'task': '{REGULAR_UPDATES_TASK}', "
                "'schedule': crontab(minute=0, hour='*/1')} to your settings."
            ),
            id="memberaudit.W001",
        ),
    ]


@register(Tags.compatibility)
def check_api_is_public(app_configs, **kwargs):
    """Warn when Alliance Auth would send the read API's token calls to its login page."""
    if API_APP_NAME in getattr(settings, "APPS_WITH_PUBLIC_VIEWS", []):
        return []
    return [
        Warning(
            f"'{API_APP_NAME}' is not in APPS_WITH_PUBLIC_VIEWS: Alliance Auth redirects calls "
            "to the read API to its login page instead of letting them show their token.",
            hint=f"Add '{API_APP_NAME}' to APPS_WITH_PUBLIC_VIEWS in your settings.",
            id="memberaudit.W003",
        )
    ]


@register(Tags.compatibility)
def check_data_export_dir(app_configs, **kwargs):
    """Warn when the folder for data export files cannot be written."""
    from .data_export import export_dir

    folder = export_dir(create=False)
    existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    if existing is not None and existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return []
    return [
        Warning(
            f"The folder for data exports ({folder}) cannot be written: exports will fail.",
            hint="Set MEMBERAUDIT_DATA_EXPORT_DIR to a folder the workers can write to and "
            "the web server can read.",
            id="memberaudit.W004",
        )
    ]
