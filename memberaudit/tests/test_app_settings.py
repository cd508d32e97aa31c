import pytest

from memberaudit import app_settings
from memberaudit.checks import check_beat_schedule, check_data_export_dir, check_settings

DOCUMENTED_DEFAULTS = {
    "MEMBERAUDIT_APP_NAME": "Member Audit",
    "MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS": 180,
    "MEMBERAUDIT_API_RATE_LIMIT": 60,
    "MEMBERAUDIT_SHARE_MAX_DAYS": 0,
    "MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD": 25,
    "MEMBERAUDIT_BULK_METHODS_BATCH_SIZE": 500,
    "MEMBERAUDIT_COMPLIANCE_GROUPS_ENABLED": True,
    "MEMBERAUDIT_DATA_EXPORT_DIR": "",
    "MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS": 24,
    "MEMBERAUDIT_IMAGE_SERVER_URL": "https://images.evetech.net",
    "MEMBERAUDIT_LOCATION_STALE_HOURS": 24,
    "MEMBERAUDIT_LOG_UPDATE_STATS": False,
    "MEMBERAUDIT_MAX_MAILS": 250,
    "MEMBERAUDIT_RED_FLAGS_DIGEST": False,
    "MEMBERAUDIT_RED_FLAGS_TRANSFER_THRESHOLD": 1_000_000_000,
    "MEMBERAUDIT_TASKS_MAX_ASSETS_PER_PASS": 2500,
    "MEMBERAUDIT_TASKS_TIME_LIMIT": 7200,
    "MEMBERAUDIT_UPDATE_STALE_RING_1": 55,
    "MEMBERAUDIT_UPDATE_STALE_RING_2": 235,
    "MEMBERAUDIT_UPDATE_STALE_RING_3": 475,
}


@pytest.mark.parametrize(("name", "default"), DOCUMENTED_DEFAULTS.items())
def test_should_use_documented_default_when_not_set(settings, name, default):
    if hasattr(settings, name):
        delattr(settings, name)
    assert getattr(app_settings, name) == default


def test_should_know_exactly_the_documented_settings():
    assert {spec.name for spec in app_settings.SPECS} == set(DOCUMENTED_DEFAULTS)


def test_should_use_configured_value(settings):
    settings.MEMBERAUDIT_MAX_MAILS = 1000
    assert app_settings.MEMBERAUDIT_MAX_MAILS == 1000


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("MEMBERAUDIT_MAX_MAILS", "many", "must be a whole number"),
        ("MEMBERAUDIT_MAX_MAILS", 0, "must be at least 1"),
        ("MEMBERAUDIT_TASKS_TIME_LIMIT", 5, "must be at least 60"),
        ("MEMBERAUDIT_LOG_UPDATE_STATS", "yes", "must be True or False"),
        ("MEMBERAUDIT_APP_NAME", "", "must be a non-empty text"),
        ("MEMBERAUDIT_BULK_METHODS_BATCH_SIZE", True, "must be a whole number"),
        ("MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD", 0, "must be at least 1"),
        ("MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD", 100, "must be at most 99"),
        ("MEMBERAUDIT_IMAGE_SERVER_URL", "images.example.com", "must be an address"),
        ("MEMBERAUDIT_IMAGE_SERVER_URL", "ftp://images.example.com", "must be an address"),
        ("MEMBERAUDIT_IMAGE_SERVER_URL", "https://", "must be an address"),
        ("MEMBERAUDIT_IMAGE_SERVER_URL", 42, "must be a non-empty text"),
        ("MEMBERAUDIT_SHARE_MAX_DAYS", -1, "must be at least 0"),
        ("MEMBERAUDIT_SHARE_MAX_DAYS", 7.5, "must be a whole number"),
        ("MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS", 0, "must be at least 1"),
        ("MEMBERAUDIT_COMPLIANCE_GROUPS_ENABLED", "no", "must be True or False"),
        ("MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS", 0, "must be at least 1"),
        ("MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS", "24", "must be a whole number"),
        ("MEMBERAUDIT_DATA_EXPORT_DIR", 42, "must be a text"),
    ],
)
def test_should_report_invalid_setting_as_system_check_error(settings, name, value, reason):
    setattr(settings, name, value)
    errors = check_settings(None)
    assert len(errors) == 1
    assert errors[0].id == "memberaudit.E001"
    assert name in errors[0].msg
    assert reason in errors[0].msg


def test_should_fall_back_to_default_for_invalid_value(settings):
    settings.MEMBERAUDIT_MAX_MAILS = "many"
    assert app_settings.MEMBERAUDIT_MAX_MAILS == 250


def test_should_report_decreasing_stale_rings(settings):
    settings.MEMBERAUDIT_UPDATE_STALE_RING_1 = 300
    errors = check_settings(None)
    assert [error.id for error in errors] == ["memberaudit.E001"]
    assert "should not decrease" in errors[0].msg


def test_should_accept_valid_settings(settings):
    settings.MEMBERAUDIT_LOG_UPDATE_STATS = True
    settings.MEMBERAUDIT_UPDATE_STALE_RING_3 = 600
    assert check_settings(None) == []


def test_should_warn_when_beat_schedule_lacks_regular_updates(settings):
    settings.CELERYBEAT_SCHEDULE = {
        "other": {"task": "other.task", "schedule": 60},
        "purge": {"task": "memberaudit.tasks.purge_access_log", "schedule": 60},
    }
    warnings = check_beat_schedule(None)
    assert [warning.id for warning in warnings] == ["memberaudit.W001"]
    assert "memberaudit.tasks.run_regular_updates" in warnings[0].msg


def test_should_warn_when_beat_schedule_lacks_the_access_log_purge(settings):
    settings.CELERYBEAT_SCHEDULE = {
        "updates": {"task": "memberaudit.tasks.run_regular_updates", "schedule": 60}
    }
    warnings = check_beat_schedule(None)
    assert [warning.id for warning in warnings] == ["memberaudit.W002"]
    assert "memberaudit.tasks.purge_access_log" in warnings[0].msg


def test_should_not_warn_when_beat_schedule_has_regular_updates():
    assert check_beat_schedule(None) == []


def test_should_not_let_the_error_limit_threshold_stop_all_esi_calls(settings):
    """ESI allows 100 errors per window: a threshold of 100 would pause before every call."""
    settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD = 100
    assert app_settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD == 25
    settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD = 99
    assert app_settings.MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD == 99
    assert check_settings(None) == []


def test_should_warn_when_the_data_export_folder_cannot_be_written(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEMBERAUDIT_DATA_EXPORT_DIR = str(blocker / "exports")
    assert [warning.id for warning in check_data_export_dir(None)] == ["memberaudit.W004"]


def test_should_accept_a_data_export_folder_that_can_be_made(settings, tmp_path):
    settings.MEMBERAUDIT_DATA_EXPORT_DIR = str(tmp_path / "new" / "exports")
    assert check_data_export_dir(None) == []
