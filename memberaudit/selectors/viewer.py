"""The character viewer's page: the character, its navigation and one tab."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)
from django.urls import reverse
from django.utils import translation

from allianceauth.eveonline.models import EveCharacter

from .. import access
from ..models import (
    Character,
    CharacterSkillqueueEntry,
    SectionUpdateStatus,
)
from ..tables import for_browser
from .related import OWNER, VIEWER_RELATIONS


@dataclass
class ViewerTabContent:
    """One tab of the viewer for one character, ready for the template."""

    name: str
    title: Any
    template: str
    lazy: bool
    status: SectionUpdateStatus | None
    data: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # name -> tables.for_browser(...)
    has_status: bool = True  # False for a page no section fills (never updated itself)


def viewer_page(user: User, character: Character) -> dict:
    """Everything the character viewer shows: overview, tabs and sidebar."""
    from ..sections import registry

    shared = Exists(access.live_shares().filter(character=OuterRef("pk")))
    character = (
        Character.objects.select_related(*VIEWER_RELATIONS)
        .with_status()
        .annotate(is_shared=shared)
        .get(pk=character.pk)
    )
    statuses = {status.section: status for status in character.update_status_set.all()}
    tabs = [
        viewer_tab(character, section, statuses.get(section.name), with_data=not section.tab.lazy)
        for section in registry.viewer_tabs()
    ]
    nav_groups = navigation_groups(tabs, {s.name: s.tab.group for s in registry.viewer_tabs()})
    overview_parts = [
        {
            "template": section.overview.template,
            "data": section.overview.context(character) if section.overview.context else {},
            "status": statuses.get(section.name),
        }
        for section in registry.with_overview()
    ]
    return {
        "character": character,
        "main_character": main_character_of(character),
        "training": _training_of(character, tabs),
        "overview_parts": overview_parts,
        "nav_groups": nav_groups,
        "tabs": [tab for group in nav_groups for tab in group.tabs],
        "sidebar_characters": sidebar_characters(user, character),
    }


@dataclass
class NavigationGroup:
    """One menu of the viewer's navigation: a :class:`~memberaudit.sections.NavGroup` and its
    tabs, in registry order."""

    name: str
    title: Any
    tabs: list[ViewerTabContent]

    @property
    def has_errors(self) -> bool:
        return any(tab.status and tab.status.is_success is False for tab in self.tabs)


def navigation_groups(
    tabs: list[ViewerTabContent], group_of: dict[str, str]
) -> list[NavigationGroup]:
    """The tabs grouped by their section's navigation group, groups in
    :class:`~memberaudit.sections.NavGroup` order; a group without tabs is left out."""
    from ..sections.base import NavGroup

    groups = [
        NavigationGroup(name, title, [tab for tab in tabs if group_of[tab.name] == name])
        for name, title in NavGroup.TITLES.items()
    ]
    return [group for group in groups if group.tabs]


def viewer_tab(
    character: Character, section, status: SectionUpdateStatus | None, with_data: bool = True
) -> ViewerTabContent:
    """One tab with its status and (unless loaded later) its data; ``section`` may also be a
    :class:`~memberaudit.sections.ViewerPage`."""
    from ..sections import ViewerPage

    tab = section.tab
    data = tab.context(character) if with_data and tab.context else {}
    tables = {
        name: for_browser(
            reverse("memberaudit:character_data", args=[character.pk, name]),
            _table_spec(name, build, character),
        )
        for name, build in tab.tables.items()
    }
    return ViewerTabContent(
        name=section.name,
        title=tab.title or section.title,
        template=tab.template,
        lazy=tab.lazy and not with_data,
        status=status,
        data=data,
        tables=tables,
        has_status=not isinstance(section, ViewerPage),
    )


_TABLE_SPECS: dict[tuple[str, str], dict] = {}


def _table_spec(name: str, build, character: Character) -> dict:
    """The browser spec of a viewer table: its columns, the same for every character, built
    once per language (building a table prepares its queryset, which costs more than the
    page's queries)."""
    key = (name, translation.get_language())
    spec = _TABLE_SPECS.get(key)
    if spec is None:
        spec = _TABLE_SPECS[key] = build(character).browser_spec()
    return spec


def section_status(character: Character, section_name: str) -> SectionUpdateStatus | None:
    return character.update_status_set.filter(section=section_name).first()


def main_character_of(character: Character) -> EveCharacter | None:
    """The main of the character's owner (loaded by the viewer's select_related)."""
    try:
        return character.eve_character.character_ownership.user.profile.main_character
    except ObjectDoesNotExist:
        return None


def _training_of(character: Character, tabs: list[ViewerTabContent]):
    """The skill in training now, taken from the skill queue tab when the page loaded it (the
    entries come in queue order, each knowing whether it trains now)."""
    queue = next((tab.data for tab in tabs if tab.name == "skill_queue" and tab.data), None)
    if queue is None:
        return active_training(character)
    return next((entry for entry in queue["entries"] if entry.in_training), None)


def active_training(character: Character) -> CharacterSkillqueueEntry | None:
    """The skill queue entry in training now; None for a paused or empty queue."""
    return (
        CharacterSkillqueueEntry.objects.filter(character=character)
        .select_related("eve_type")
        .active_entry()
    )


def sidebar_characters(user: User, character: Character) -> QuerySet[Character]:
    """The owner's characters that ``user`` may open, the shown one included."""
    owner = character.owner
    if owner is None:
        return Character.objects.filter(pk=character.pk)
    return (
        access.accessible_characters(user)
        .filter(**{OWNER: owner})
        .select_related("eve_character")
        .only("eve_character__character_id", "eve_character__character_name")
        .order_by("eve_character__character_name")
    )
