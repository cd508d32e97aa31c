"""The skill search: which characters the viewer may find have these skills."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, access_log, app_settings, query_params, selectors, skill_search
from ..csv_export import csv_response
from ..models import Character
from ..reports import all_rows
from ..tables import for_browser
from .finder import FINDER_PERMISSIONS

# More skill points than any character can have: larger numbers are typing errors.
MAX_SKILLPOINTS = 10**12


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
def skill_search_page(request):
    """The search form and its results table."""
    asked = query_params.skill_levels(query_params.params_of(request), "skills")
    names = skill_search.skill_names(asked)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("Skill search"),
        # a link may bring skills to search for: ``?skills=<id>:<level>,...``
        "conditions": [
            {"id": skill_id, "name": names[skill_id], "level": level}
            for skill_id, level in asked.items()
            if skill_id in names
        ],
        "filters": selectors.finder_filter_options(request.user, owners=False),
        "max_conditions": query_params.MAX_SKILL_CONDITIONS,
        "table": for_browser(
            reverse("memberaudit:skill_search_data"), skill_search.results_table().browser_spec()
        ),
    }
    return render(request, "memberaudit/skill_search.html", context)


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
@query_params.json_errors
def skill_search_data(request):
    """One page of matching characters (DataTables protocol); those of other owners are
    recorded in the access log."""
    rows = skill_search.matching_characters(request.user, _search_of(request))
    shown: list[Character] = []
    page = skill_search.results_table(rows, viewer=request.user).page(
        query_params.params_of(request), shown.append
    )
    access.log_listed_characters(request.user, shown, access_log.SKILL_SEARCH)
    return JsonResponse(page)


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
@query_params.json_errors
def skill_search_csv(request):
    """All matching characters as a CSV file."""
    rows = skill_search.matching_characters(request.user, _search_of(request))
    table = skill_search.results_table(rows)
    columns = skill_search.CSV_COLUMNS
    filename = f"memberaudit_skill_search_{timezone.now():%Y%m%d}.csv"

    def lines():
        try:
            for row in all_rows(table):
                yield [row[name] for name in columns]
        finally:
            # the search's characters are recorded when the download ends or is broken off
            access.log_characters_shown(request.user, rows, access_log.SKILL_SEARCH)

    return csv_response(filename, columns.values(), lines())


@login_required
@permission_required(FINDER_PERMISSIONS, raise_exception=True)
def skill_suggestions(request):
    """Skills whose name contains ``q``, for the search form's autocomplete."""
    text = query_params.text(query_params.params_of(request), "q", max_length=100)
    return JsonResponse({"skills": skill_search.skill_suggestions(text)})


def _search_of(request) -> skill_search.SkillSearch:
    params = query_params.params_of(request)
    return skill_search.SkillSearch(
        skills=query_params.skill_levels(params, "skills"),
        min_skillpoints=query_params.integer(
            params, "min_skillpoints", minimum=0, maximum=MAX_SKILLPOINTS
        ),
        corporation=query_params.identifier(params, "corporation"),
        alliance=query_params.identifier(params, "alliance"),
    )
