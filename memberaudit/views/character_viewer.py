"""The character viewer: one character's overview, a tab per section, and the objects behind
the tabs' rows (a mail, a contract, a killmail, the contents of a ship or container).

Child objects are always fetched through the checked character: an id of another character's
mail, contract or item is 404, never that object. Each view names what it opens, for the
access log kept by :mod:`memberaudit.access`.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from .. import access, access_log, app_settings, charts, json_tables, selectors
from ..sections import registry

OVERVIEW = access_log.OVERVIEW


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_viewer(request, character_pk: int):
    character = access.get_character_or_404_403(request.user, character_pk, OVERVIEW)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        **selectors.viewer_page(request.user, character),
    }
    return render(request, "memberaudit/character_viewer.html", context)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_tab(request, character_pk: int, section_name: str):
    """One tab of the viewer on its own, for tabs that load when first opened."""
    section = _section_with_tab(section_name)
    character = access.get_character_or_404_403(request.user, character_pk, section.name)
    tab = selectors.viewer_tab(
        character, section, selectors.section_status(character, section.name)
    )
    context = {"character": character, "tab": tab}
    return render(request, "memberaudit/partials/viewer_tab.html", context)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_data(request, character_pk: int, table: str):
    """A server-side table of a tab (DataTables protocol)."""
    section_name, build = _table_builder(table)
    character = access.get_character_or_404_403(request.user, character_pk, section_name)
    return build(character).response(request)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_chart(request, character_pk: int, chart: str):
    """The data of one chart (JSON for Chart.js)."""
    build = charts.CHARTS.get(chart)
    if build is None:  # before the access check: the access log needs a known section
        raise Http404(f"Unknown chart: {chart}")
    opened = charts.CHART_SECTIONS[chart]
    character = access.get_character_or_404_403(request.user, character_pk, opened)
    return JsonResponse(build(character))


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_mail(request, character_pk: int, mail_id: int):
    """The mail reader: one mail with its sanitized body (an HTML partial)."""
    character = access.get_character_or_404_403(request.user, character_pk, "mails")
    mail = get_object_or_404(selectors.character_mails(character), mail_id=mail_id)
    return render(request, "memberaudit/partials/mail.html", {"character": character, "mail": mail})


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_contract(request, character_pk: int, contract_pk: int):
    """One contract with its items and bids (an HTML partial)."""
    character = access.get_character_or_404_403(request.user, character_pk, "contracts")
    contract = get_object_or_404(selectors.character_contracts(character), pk=contract_pk)
    context = {"character": character, "contract": contract}
    return render(request, "memberaudit/partials/contract.html", context)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_killmail(request, character_pk: int, killmail_id: int):
    """One killmail of the character: victim, attackers, items (an HTML partial)."""
    character = access.get_character_or_404_403(request.user, character_pk, "killmails")
    link = selectors.character_killmail(character, killmail_id)
    if link is None:
        raise Http404
    context = {"character": character, "link": link, "killmail": link.killmail}
    return render(request, "memberaudit/partials/killmail.html", context)


@login_required
@permission_required("memberaudit.basic_access", raise_exception=True)
def character_asset(request, character_pk: int, item_pk: int):
    """The items inside one ship, container or office (a server-side table)."""
    character = access.get_character_or_404_403(request.user, character_pk, "assets")
    item = get_object_or_404(character.assets.only("pk"), pk=item_pk)
    return json_tables.asset_children(character, item).response(request)


def _section_with_tab(name: str):
    owner = registry.viewer_tab_owner(name)
    if owner is None:
        raise Http404
    return owner


def _table_builder(name: str):
    for section in registry.viewer_tabs():
        if name in section.tab.tables:
            return section.name, section.tab.tables[name]
    raise Http404
