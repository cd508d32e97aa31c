"""Django system checks of Member Audit's configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .app_settings import setting_problems

REGULAR_UPDATES_TASK = "memberaudit.tasks.run_regular_updates"


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
    """Warn when the periodic update task is missing from the Celery beat schedule."""
    schedule = getattr(settings, "CELERYBEAT_SCHEDULE", None) or {}
    tasks = {entry.get("task") for entry in schedule.values() if isinstance(entry, dict)}
    if REGULAR_UPDATES_TASK in tasks:
        return []
    return [
        Warning(
            f"No Celery beat entry runs {REGULAR_UPDATES_TASK}: characters will not be updated.",
            hint=(
                "Add CELERYBEAT_SCHEDULE['memberaudit_run_regular_updates'] = "
                f"{{'task': '{REGULAR_UPDATES_TASK}', "
                "'schedule': crontab(minute=0, hour='*/1')} to your settings."
            ),
            id="memberaudit.W001",
        )
    ]
