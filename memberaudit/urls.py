"""URLs of Member Audit. Every URL with a character id checks access through
:func:`memberaudit.access.get_character_or_404_403`; state changes are POST only."""

from django.urls import path

from .views import character_viewer, finder, launcher, reports

app_name = "memberaudit"

urlpatterns = [
    path("", launcher.index, name="index"),
    # launcher
    path("launcher/", launcher.launcher, name="launcher"),
    path("register/", launcher.register_character_view, name="register_character"),
    path("character/<int:character_pk>/share/", launcher.share_character, name="share_character"),
    path(
        "character/<int:character_pk>/unshare/",
        launcher.unshare_character,
        name="unshare_character",
    ),
    path(
        "character/<int:character_pk>/remove/", launcher.remove_character, name="remove_character"
    ),
    # character viewer
    path(
        "character/<int:character_pk>/",
        character_viewer.character_viewer,
        name="character_viewer",
    ),
    path(
        "character/<int:character_pk>/tab/<slug:section_name>/",
        character_viewer.character_tab,
        name="character_tab",
    ),
    path(
        "character/<int:character_pk>/data/<slug:table>/",
        character_viewer.character_data,
        name="character_data",
    ),
    path(
        "character/<int:character_pk>/mail/<int:mail_id>/",
        character_viewer.character_mail,
        name="character_mail",
    ),
    path(
        "character/<int:character_pk>/contract/<int:contract_pk>/",
        character_viewer.character_contract,
        name="character_contract",
    ),
    path(
        "character/<int:character_pk>/asset/<int:item_pk>/",
        character_viewer.character_asset,
        name="character_asset",
    ),
    # finder
    path("finder/", finder.finder, name="finder"),
    path("finder/data/", finder.finder_data, name="finder_data"),
    # reports
    path("reports/", reports.reports, name="reports"),
    path("reports/<slug:report>/data/", reports.report_data, name="report_data"),
    path("reports/<slug:report>/csv/", reports.report_csv, name="report_csv"),
]
