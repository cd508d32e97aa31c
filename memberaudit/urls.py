"""URLs of Member Audit. Every URL with a character id checks access through
:func:`memberaudit.access.get_character_or_404_403` (or, to change a character,
:func:`memberaudit.access.get_own_character_or_404_403`); state changes are POST only."""

from django.urls import path

from .query_params import register_id_converter
from .views import (
    access_log,
    api_tokens,
    character_viewer,
    data_export,
    esi_budget,
    finder,
    launcher,
    reports,
    skill_search,
)

register_id_converter()

app_name = "memberaudit"

urlpatterns = [
    path("", launcher.index, name="index"),
    # launcher
    path("launcher/", launcher.launcher, name="launcher"),
    path("register/", launcher.register_character_view, name="register_character"),
    path("character/<id:character_pk>/share/", launcher.share_character, name="share_character"),
    path(
        "character/<id:character_pk>/share/<id:share_pk>/revoke/",
        launcher.revoke_share,
        name="revoke_share",
    ),
    path(
        "character/<id:character_pk>/unshare/",
        launcher.unshare_character,
        name="unshare_character",
    ),
    path("character/<id:character_pk>/remove/", launcher.remove_character, name="remove_character"),
    # character viewer
    path(
        "character/<id:character_pk>/",
        character_viewer.character_viewer,
        name="character_viewer",
    ),
    path(
        "character/<id:character_pk>/tab/<slug:section_name>/",
        character_viewer.character_tab,
        name="character_tab",
    ),
    path(
        "character/<id:character_pk>/data/<slug:table>/",
        character_viewer.character_data,
        name="character_data",
    ),
    path(
        "character/<id:character_pk>/chart/<slug:chart>/",
        character_viewer.character_chart,
        name="character_chart",
    ),
    path(
        "character/<id:character_pk>/mail/<id:mail_id>/",
        character_viewer.character_mail,
        name="character_mail",
    ),
    path(
        "character/<id:character_pk>/contract/<id:contract_pk>/",
        character_viewer.character_contract,
        name="character_contract",
    ),
    path(
        "character/<id:character_pk>/killmail/<id:killmail_id>/",
        character_viewer.character_killmail,
        name="character_killmail",
    ),
    path(
        "character/<id:character_pk>/asset/<id:item_pk>/",
        character_viewer.character_asset,
        name="character_asset",
    ),
    # finder
    path("finder/", finder.finder, name="finder"),
    path("finder/data/", finder.finder_data, name="finder_data"),
    # skill search
    path("skill-search/", skill_search.skill_search_page, name="skill_search"),
    path("skill-search/data/", skill_search.skill_search_data, name="skill_search_data"),
    path("skill-search/csv/", skill_search.skill_search_csv, name="skill_search_csv"),
    path("skill-search/skills/", skill_search.skill_suggestions, name="skill_suggestions"),
    # ESI budget
    path("esi-budget/", esi_budget.esi_budget_page, name="esi_budget"),
    path(
        "esi-budget/chart/<slug:budget_chart>/",
        esi_budget.esi_budget_chart,
        name="esi_budget_chart",
    ),
    # access log
    path("access-log/", access_log.access_log, name="access_log"),
    path("access-log/data/", access_log.access_log_data, name="access_log_data"),
    # personal tokens of the read API
    path("api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path("api-tokens/<id:token_pk>/revoke/", api_tokens.revoke_api_token, name="revoke_api_token"),
    # reports
    path("reports/", reports.reports, name="reports"),
    path("reports/red-flags/", reports.red_flags_report, name="red_flags"),
    path("reports/red-flags/data/", reports.red_flags_data, name="red_flags_data"),
    path("reports/<slug:report>/data/", reports.report_data, name="report_data"),
    path("reports/<slug:report>/csv/", reports.report_csv, name="report_csv"),
    # data export
    path("data-export/", data_export.data_export_page, name="data_export"),
    path("data-export/status/", data_export.data_export_status, name="data_export_status"),
    path(
        "data-export/<slug:topic>/start/",
        data_export.data_export_start,
        name="data_export_start",
    ),
    path(
        "data-export/file/<id:export_pk>/",
        data_export.data_export_download,
        name="data_export_download",
    ),
]
