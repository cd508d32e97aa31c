"""Every ``MEMBERAUDIT_*`` setting, read once, with its documented default.

A value of the wrong type or out of range does not crash here: it falls back to
the default and :mod:`memberaudit.checks` reports it as a system check error.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class SettingSpec:
    """How one setting is named, typed and bounded."""

    name: str
    default: Any
    kind: type
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    is_url: bool = False
    blank: bool = False  # text that may be left empty (the default then applies)

    def problem(self, value: Any) -> str | None:
        """Return why ``value`` is not acceptable, or ``None`` when it is fine."""
        if self.kind is bool:
            if not isinstance(value, bool):
                return f"must be True or False, not {value!r}"
            return None
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return f"must be a whole number, not {value!r}"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum}, not {value}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum}, not {value}"
            return None
        if self.kind is str and self.blank:
            return None if isinstance(value, str) else f"must be a text, not {value!r}"
        if self.kind is str and (not isinstance(value, str) or not value.strip()):
            return f"must be a non-empty text, not {value!r}"
        if self.is_url and not _is_web_address(value):
            return f"must be an address starting with http:// or https://, not {value!r}"
        return None


SPECS = (
    SettingSpec("MEMBERAUDIT_APP_NAME", "Member Audit", str, help="Name in the sidebar."),
    SettingSpec(
        "MEMBERAUDIT_ESI_ERROR_LIMIT_THRESHOLD",
        25,
        int,
        minimum=1,
        # ESI allows 100 errors per window: from 100 on, no call would ever be made.
        maximum=99,
        help="Stop calling ESI when this many errors remain in the current window.",
    ),
    SettingSpec(
        "MEMBERAUDIT_ACCESS_LOG_RETENTION_DAYS",
        180,
        int,
        minimum=1,
        help="Days the access log keeps its entries; older ones are purged.",
    ),
    SettingSpec(
        "MEMBERAUDIT_API_RATE_LIMIT",
        60,
        int,
        minimum=1,
        help="Calls per minute one API token may make; more answer 429.",
    ),
    SettingSpec("MEMBERAUDIT_BULK_METHODS_BATCH_SIZE", 500, int, minimum=1),
    SettingSpec(
        "MEMBERAUDIT_COMPLIANCE_GROUPS_ENABLED",
        True,
        bool,
        help="Whether compliance groups are filled and emptied by Member Audit.",
    ),
    SettingSpec(
        "MEMBERAUDIT_DATA_EXPORT_DIR",
        "",
        str,
        blank=True,
        help="Folder for export files, readable by the web server and the workers; empty: "
        "memberaudit_exports in the Auth project folder.",
    ),
    SettingSpec(
        "MEMBERAUDIT_DATA_EXPORT_RETENTION_HOURS",
        24,
        int,
        minimum=1,
        help="Hours an export file is kept for download before it is deleted.",
    ),
    SettingSpec(
        "MEMBERAUDIT_IMAGE_SERVER_URL",
        "https://images.evetech.net",
        str,
        is_url=True,
        help="Where portraits, logos and type icons are loaded from.",
    ),
    SettingSpec("MEMBERAUDIT_LOCATION_STALE_HOURS", 24, int, minimum=1),
    SettingSpec("MEMBERAUDIT_LOG_UPDATE_STATS", False, bool),
    SettingSpec("MEMBERAUDIT_MAX_MAILS", 250, int, minimum=1),
    SettingSpec(
        "MEMBERAUDIT_SHARE_MAX_DAYS",
        0,
        int,
        minimum=0,
        help="Longest share in days a pilot may choose; 0 also allows shares until revoked.",
    ),
    SettingSpec(
        "MEMBERAUDIT_RED_FLAGS_DIGEST",
        False,
        bool,
        help="Send users with receive_red_flags a daily digest of new red flags.",
    ),
    SettingSpec(
        "MEMBERAUDIT_RED_FLAGS_TRANSFER_THRESHOLD",
        1_000_000_000,
        int,
        minimum=0,
        help="ISK from which a donation or contract price outside the alliance is an event.",
    ),
    SettingSpec("MEMBERAUDIT_TASKS_MAX_ASSETS_PER_PASS", 2500, int, minimum=1),
    SettingSpec("MEMBERAUDIT_TASKS_TIME_LIMIT", 7200, int, minimum=60),
    SettingSpec("MEMBERAUDIT_UPDATE_STALE_RING_1", 55, int, minimum=1),
    SettingSpec("MEMBERAUDIT_UPDATE_STALE_RING_2", 235, int, minimum=1),
    SettingSpec("MEMBERAUDIT_UPDATE_STALE_RING_3", 475, int, minimum=1),
)
SPECS_BY_NAME = {spec.name: spec for spec in SPECS}


def setting_problems() -> list[tuple[str, str]]:
    """Return ``(setting name, reason)`` for every configured value that is invalid."""
    problems = []
    for spec in SPECS:
        if hasattr(settings, spec.name):
            reason = spec.problem(getattr(settings, spec.name))
            if reason:
                problems.append((spec.name, reason))
    ring_values = [_value(f"MEMBERAUDIT_UPDATE_STALE_RING_{ring}") for ring in (1, 2, 3)]
    if ring_values != sorted(ring_values):
        problems.append(
            (
                "MEMBERAUDIT_UPDATE_STALE_RING_1",
                "the stale minutes of rings 1, 2 and 3 should not decrease "
                f"(now {ring_values[0]}, {ring_values[1]}, {ring_values[2]})",
            )
        )
    return problems


def _is_web_address(value: str) -> bool:
    scheme, _, rest = value.strip().partition("://")
    return scheme in ("http", "https") and bool(rest.strip("/")) and " " not in value.strip()


def _value(name: str) -> Any:
    spec = SPECS_BY_NAME[name]
    value = getattr(settings, name, spec.default)
    return spec.default if spec.problem(value) else value


def __getattr__(name: str) -> Any:
    # Read at access time so that tests overriding settings see their value.
    if name in SPECS_BY_NAME:
        return _value(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
