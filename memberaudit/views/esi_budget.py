"""The ESI budget dashboard, for admins: how the app spends ESI's rate and error limits."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import app_settings, esi_budget, esi_usage, query_params
from ..access import VIEW_ESI_BUDGET


@login_required
@permission_required(VIEW_ESI_BUDGET, raise_exception=True)
def esi_budget_page(request):
    """Tables of the period (``?period=24h`` or ``7d``) and its charts."""
    period = _period_of(request)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        "page_title": _("ESI budget"),
        "periods": esi_budget.PERIOD_TITLES,
        "days_kept": esi_usage.HOURS_KEPT // 24,
        "charts": [
            {
                "name": name,
                "title": title,
                "url": f"{reverse('memberaudit:esi_budget_chart', args=[name])}?period={period}",
            }
            for name, title in (
                ("requests", _("Requests per hour")),
                ("tokens", _("Rate-limit tokens spent per hour, by group")),
                ("error_limit", _("Lowest error limit left per hour")),
            )
        ],
        **esi_budget.dashboard(period),
    }
    return render(request, "memberaudit/esi_budget.html", context)


@login_required
@permission_required(VIEW_ESI_BUDGET, raise_exception=True)
@query_params.json_errors
def esi_budget_chart(request, budget_chart: str):
    """The data of one chart of the dashboard."""
    build = esi_budget.CHARTS.get(budget_chart)
    if build is None:
        raise Http404
    return JsonResponse(build(_period_of(request)))


def _period_of(request) -> str:
    period = query_params.text(query_params.params_of(request), "period", max_length=8)
    if not period:
        return esi_budget.DEFAULT_PERIOD
    if period not in esi_budget.PERIODS:
        raise query_params.InvalidParameter(
            _("period: one of %(periods)s is expected.")
            % {"periods": ", ".join(esi_budget.PERIODS)}
        )
    return period
