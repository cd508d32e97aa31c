"""The character viewer: one character's overview and a tab per section."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render

from .. import access, app_settings, selectors
from ..sections import registry


@login_required
@permission_required("memberaudit.basic_access")
def character_viewer(request, character_pk: int):
    character = access.get_character_or_404_403(request.user, character_pk)
    context = {
        "app_name": app_settings.MEMBERAUDIT_APP_NAME,
        **selectors.viewer_page(request.user, character),
    }
    return render(request, "memberaudit/character_viewer.html", context)


@login_required
@permission_required("memberaudit.basic_access")
def character_tab(request, character_pk: int, section_name: str):
    """One tab of the viewer on its own, for tabs that load when first opened."""
    character = access.get_character_or_404_403(request.user, character_pk)
    section = _section_with_tab(section_name)
    tab = selectors.viewer_tab(
        character, section, selectors.section_status(character, section.name)
    )
    context = {"character": character, "tab": tab}
    return render(request, "memberaudit/partials/viewer_tab.html", context)


@login_required
@permission_required("memberaudit.basic_access")
def character_data(request, character_pk: int, table: str):
    """A server-side table of a tab (DataTables protocol)."""
    character = access.get_character_or_404_403(request.user, character_pk)
    build = _table_builder(table)
    return build(character).response(request)


def _section_with_tab(name: str):
    if name not in registry or not registry.get(name).tab:
        raise Http404
    return registry.get(name)


def _table_builder(name: str):
    for section in registry.with_tabs():
        if name in section.tab.tables:
            return section.tab.tables[name]
    raise Http404
