"""Titles: the corporation titles of a character (names in EVE markup)."""

from django.utils.translation import gettext_lazy as _

from .. import character_sheet_selectors as selectors
from ..bulk import sync_by_key
from .base import NavGroup, Section, ViewerTab, registry


def fetch(character, gateway) -> list[dict]:
    rows = gateway.get("GetCharactersCharacterIdTitles", character_id=character.character_id)
    titles = {}
    for row in rows or []:
        if isinstance(row, dict) and row.get("title_id") is not None:
            titles[int(row["title_id"])] = str(row.get("name") or "")
    return [{"title_id": key, "name": titles[key]} for key in sorted(titles)]


def store(character, data: list[dict]) -> bool:
    wanted = {row["title_id"]: {"name": row["name"]} for row in data}
    *_rows, changed = sync_by_key(
        character.titles.all(), "title_id", wanted, ("name",), character=character
    )
    return changed


registry.register(
    Section(
        name="titles",
        title=_("titles"),
        ring=2,
        scopes=("esi-characters.read_titles.v1",),
        operations=("GetCharactersCharacterIdTitles",),
        fetch=fetch,
        store=store,
        tab=ViewerTab(
            group=NavGroup.CHARACTER,
            template="memberaudit/tabs/titles.html",
            context=selectors.titles_tab,
        ),
    )
)
