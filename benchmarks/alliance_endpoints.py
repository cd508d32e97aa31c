"""The endpoints ``benchmarks/alliance.py`` measures, found from the app itself: the tables'
columns and filters come from their declarations (the viewer tabs of the section registry, the
finder, the reports, the skill search, the red flags, the access log), so a new table or
column is measured without changing the benchmark; every route of ``memberaudit.urls`` is
either measured or named in :data:`NOT_MEASURED` with the reason.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from alliance_data import FIRST_SKILL_ID

PAGE_LENGTH = 50
ADMIN = ("superuser",)  # pages for admins only (the ESI budget)
# Texts each searchable table is searched for: digits of a few rows, a letter of nearly every
# name, a digit of about half the names, and a name's start that few rows hold (clustered at
# the end of the names' order)
SEARCH_TEXTS = ("42", "e", "1", "Pilot 09")
# searched once more without the table's total known (see table_endpoints)
COUNTED_SEARCH_TEXT = "1"
# Targets of the p95 in ms (this 2-core machine, MariaDB): every JSON table, the viewer
# page, the launcher and the CSVs of reports
TABLE_TARGET_MS = 100
TARGETS_MS = {"character_viewer": 150, "launcher": 100, "report_csv": 5000}


@dataclass
class Endpoint:
    """One request to time: ``url`` with ``params``; ``last_page`` asks for the table's last
    page (its start depends on how many rows the viewer sees)."""

    name: str
    route: str
    url: str
    params: dict = field(default_factory=dict)
    target_ms: int | None = None
    viewers: tuple[str, ...] = ("superuser", "recruiter")
    last_page: bool = False


# Values for the filters tables declare, by the filter's request parameter: a function of
# the heavy character giving {label: value}. A filter not named here is listed as not measured.
def _filter_values(character) -> dict[str, dict[str, str]]:
    from django.db.models import Count

    labels = character.mail_labels.order_by("label_id").values_list("label_id", flat=True)
    mailing_list = character.mailing_lists.order_by("list_id").values_list("list_id", flat=True)
    busiest = (
        character.assets.filter(parent__isnull=True, location__isnull=False)
        .values("location_id")
        .annotate(items=Count("pk"))
        .order_by("-items")
        .values_list("location_id", flat=True)
        .first()
    )
    return {
        "folder": {
            "inbox": f"label:{labels.first()}",
            "mailing list": f"list:{mailing_list.first()}",
            "unread": "unread",
        },
        "location": {"busiest place": str(busiest)},
        "state": {"open": "open", "closed": "closed"},
        "group": {"corporation": "corporation"},
        "table killmails.kind": {"losses": "losses"},
        "table changes.kind": {"skill points injected": "skill_injected"},
        "severity": {"high": "3"},
        "new": {"new": "1"},
        "reason": {"corporation": "corporation"},
        "since": {"today": dt.date.today().isoformat()},
    }


# Pages whose rows depend on the viewer's scope: also measured for a recruiter who sees their
# whole alliance (half the characters), whose scope is a long list of keys.
SCOPED_ROUTES = {
    "finder",
    "finder_data",
    "skill_search",
    "skill_search_data",
    "skill_search_csv",
    "reports",
    "report_data",
    "report_csv",
    "red_flags",
    "red_flags_data",
    "access_log",
    "access_log_data",
}


# Routes not measured, with the reason (every route of memberaudit.urls is either measured
# or named here, which the test of this benchmark checks).
NOT_MEASURED = {
    "index": "redirects to the launcher",
    "register_character": "starts the EVE SSO login",
    "share_character": "POST, changes data",
    "revoke_share": "POST, changes data",
    "unshare_character": "POST, changes data",
    "remove_character": "POST, changes data",
    "data_export_start": "POST, starts an export",
    "data_export_download": "needs a finished export file",
    "revoke_api_token": "POST, changes data",
    "character_killmail": "the benchmark has no killmails",
}


def table_endpoints(
    name: str, route: str, url: str, columns, params=None, filters=None
) -> list[Endpoint]:
    """First page, last page, a search, each filter and each sortable column of a table."""
    params = dict(params or {})
    base = {"draw": "1", "start": "0", "length": str(PAGE_LENGTH), **params}
    shown = [column for column in columns if column.is_shown]
    endpoints = [
        Endpoint(f"{name}: first page", route, url, base, TABLE_TARGET_MS),
        Endpoint(f"{name}: last page", route, url, base, TABLE_TARGET_MS, last_page=True),
    ]
    if any(column.search for column in columns):
        for text in SEARCH_TEXTS:
            # as the browser asks once it has read the table's first page: the table's total
            # is known, not counted again
            searched = {**base, "search[value]": text, "total_known": "1"}
            endpoints.append(
                Endpoint(f"{name}: search '{text}'", route, url, searched, TABLE_TARGET_MS)
            )
        # as the browser asks when the search is sent before the table's total is known
        # (the filters changed during a search)
        counted = {**base, "search[value]": COUNTED_SEARCH_TEXT}
        endpoints.append(
            Endpoint(
                f"{name}: search '{COUNTED_SEARCH_TEXT}', total counted",
                route,
                url,
                counted,
                TABLE_TARGET_MS,
            )
        )
    for filter_name, examples in (filters or {}).items():
        for label, value in examples.items():
            narrowed = {**base, filter_name: value}
            endpoints.append(
                Endpoint(f"{name}: {filter_name} {label}", route, url, narrowed, TABLE_TARGET_MS)
            )
    for index, column in enumerate(shown):
        if column.order_by:
            ordered = {
                **base,
                "order[0][column]": str(index),
                "order[0][dir]": "asc",
                f"columns[{index}][data]": column.name,
            }
            endpoints.append(
                Endpoint(f"{name}: sort {column.name}", route, url, ordered, TABLE_TARGET_MS)
            )
    return endpoints


def discover(character) -> tuple[list[Endpoint], list[str]]:
    """Every endpoint to measure for the heavy ``character``, and the table filters that are
    not measured (no value known for them)."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from memberaudit import charts, esi_budget, json_tables, red_flags, skill_search
    from memberaudit.models import AccessLogEntry
    from memberaudit.reports import REPORTS
    from memberaudit.sections import registry

    pk = character.pk
    values = _filter_values(character)
    endpoints: list[Endpoint] = []
    unmeasured: list[str] = []

    def add_table(name, route, url, columns, filters=(), params=None):
        known = {}
        for filter_name in filters:
            found = values.get(f"{name}.{filter_name}", values.get(filter_name))
            if found:
                known[filter_name] = found
            else:
                unmeasured.append(f"{name}: filter {filter_name}")
        endpoints.extend(table_endpoints(name, route, url, columns, params, known))

    def add_server_table(name, route, url, table, params=None):
        add_table(name, route, url, table.columns, list(table.filters), params)

    def page(name, route, url, params=None, target=None, viewers=("superuser", "recruiter")):
        endpoints.append(Endpoint(name, route, url, params or {}, target, viewers))

    page(
        "launcher",
        "launcher",
        reverse("memberaudit:launcher"),
        target=TARGETS_MS["launcher"],
        viewers=("superuser", "recruiter", "pilot"),
    )
    viewer_url = reverse("memberaudit:character_viewer", args=[pk])
    page("character viewer", "character_viewer", viewer_url, target=TARGETS_MS["character_viewer"])
    for section in registry.viewer_tabs():
        if section.tab.lazy:
            url = reverse("memberaudit:character_tab", args=[pk, section.name])
            page(f"tab {section.name}", "character_tab", url)
        for table_name, build in section.tab.tables.items():
            url = reverse("memberaudit:character_data", args=[pk, table_name])
            add_server_table(f"table {table_name}", "character_data", url, build(character))
    box = character.assets.filter(children__isnull=False).order_by("pk").first()
    if box is not None:
        url = reverse("memberaudit:character_asset", args=[pk, box.pk])
        contents = json_tables.asset_children(character, box)
        add_server_table("asset contents", "character_asset", url, contents)
    for chart in charts.CHARTS:
        page(
            f"chart {chart}",
            "character_chart",
            reverse("memberaudit:character_chart", args=[pk, chart]),
        )
    mail = character.mails.order_by("-timestamp").first()
    if mail:
        url = reverse("memberaudit:character_mail", args=[pk, mail.mail_id])
        page("mail", "character_mail", url)
    contract = character.contracts.order_by("-date_issued").first()
    if contract:
        url = reverse("memberaudit:character_contract", args=[pk, contract.pk])
        page("contract", "character_contract", url)

    page("finder", "finder", reverse("memberaudit:finder"))
    finder_url = reverse("memberaudit:finder_data")
    add_server_table("finder", "finder_data", finder_url, json_tables.finder())
    skill = FIRST_SKILL_ID
    page("skill search", "skill_search", reverse("memberaudit:skill_search"))
    add_server_table(
        "skill search",
        "skill_search_data",
        reverse("memberaudit:skill_search_data"),
        skill_search.results_table(),
        {"skills": f"{skill}:3,{skill + 1}:4"},
    )
    page(
        "skill search CSV",
        "skill_search_csv",
        reverse("memberaudit:skill_search_csv"),
        {"skills": f"{skill}:3,{skill + 1}:4"},
    )
    page(
        "skill suggestions",
        "skill_suggestions",
        reverse("memberaudit:skill_suggestions"),
        {"q": "Bench Skill"},
    )
    superuser = User.objects.filter(is_superuser=True).first()
    page("reports", "reports", reverse("memberaudit:reports"))
    for report in REPORTS.values():
        url = reverse("memberaudit:report_data", args=[report.name])
        filters = list(getattr(report.table(superuser), "filters", {}))
        add_table(f"report {report.name}", "report_data", url, report.columns, filters)
        csv_url = reverse("memberaudit:report_csv", args=[report.name])
        page(f"report {report.name} CSV", "report_csv", csv_url, target=TARGETS_MS["report_csv"])
    page("red flags", "red_flags", reverse("memberaudit:red_flags"))
    flags = red_flags.red_flags_table(superuser)
    add_server_table("red flags", "red_flags_data", reverse("memberaudit:red_flags_data"), flags)
    page("access log", "access_log", reverse("memberaudit:access_log"))
    log_table = json_tables.access_log(AccessLogEntry.objects.none())
    add_server_table(
        "access log", "access_log_data", reverse("memberaudit:access_log_data"), log_table
    )
    page("ESI budget", "esi_budget", reverse("memberaudit:esi_budget"), viewers=ADMIN)
    for chart in esi_budget.CHARTS:
        url = reverse("memberaudit:esi_budget_chart", args=[chart])
        page(f"ESI budget chart {chart}", "esi_budget_chart", url, viewers=ADMIN)
    page("data export", "data_export", reverse("memberaudit:data_export"))
    page("data export status", "data_export_status", reverse("memberaudit:data_export_status"))
    page("API tokens", "api_tokens", reverse("memberaudit:api_tokens"))
    wide = [
        dataclasses.replace(endpoint, viewers=(*endpoint.viewers, "alliance recruiter"))
        if endpoint.route in SCOPED_ROUTES
        else endpoint
        for endpoint in endpoints
    ]
    return wide, unmeasured
