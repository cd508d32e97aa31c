"""What a section is: declared once, found by name in the registry."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from ..esi_gateway import EsiGateway
    from ..models import Character


class NavGroup:
    """The viewer's navigation groups, in the order they show; a tab declares its group."""

    CHARACTER = "character"
    SKILLS = "skills"
    FINANCES = "finances"
    ASSETS = "assets"
    SOCIAL = "social"
    INTEL = "intel"

    TITLES = {
        CHARACTER: _("Character"),
        SKILLS: _("Skills"),
        FINANCES: _("Finances"),
        ASSETS: _("Assets & industry"),
        SOCIAL: _("Mail & contacts"),
        INTEL: _("Intel"),
    }


@dataclass(frozen=True)
class ViewerTab:
    """How a section shows in the character viewer: one tab.

    ``template`` renders the tab body with ``character``, ``status`` (the section's
    :class:`~memberaudit.models.SectionUpdateStatus` or ``None``) and whatever
    ``context(character)`` returns. ``context`` must cost a constant number of queries.
    ``tables`` names the server-side tables the tab fetches as JSON from
    ``character/<pk>/data/<name>/``: each maps to ``build(character) -> ServerSideTable``.
    ``lazy`` tabs are fetched from ``character/<pk>/tab/<section>/`` when first opened.
    ``group`` is the :class:`NavGroup` the tab is listed under.
    """

    template: str
    context: Callable[["Character"], dict] | None = None
    tables: dict[str, Callable[["Character"], Any]] = field(default_factory=dict)
    title: str | Promise = ""
    lazy: bool = False
    group: str = NavGroup.CHARACTER

    def __post_init__(self):
        if self.group not in NavGroup.TITLES:
            raise ValueError(f"Unknown navigation group: {self.group}")


@dataclass(frozen=True)
class OverviewPart:
    """What a section adds to the viewer's overview: rows of the overview's definition list.

    ``template`` renders ``<dt>``/``<dd>`` pairs with ``character``, ``data``, the dict
    ``context(character)`` returns (a constant number of queries), and ``status``, the
    section's update status (``None`` before its first update).
    """

    template: str
    context: Callable[["Character"], dict] | None = None


@dataclass(frozen=True)
class Section:
    """One kind of character data kept in sync with ESI.

    ``fetch(character, gateway)`` asks ESI for the data through the gateway and returns plain
    Python data (dicts, lists, numbers, strings, datetimes); it never writes. It raises
    :class:`memberaudit.esi_gateway.NotModified` when ESI says nothing changed.
    ``store(character, data)`` writes that data, in one transaction opened by the engine, and
    returns whether anything was written.
    ``stored`` names the relations of :class:`~memberaudit.models.Character` that hold the
    rows the section writes (the read API serves them when the section has no viewer
    tables); by default the relation named like the section.
    ``events(character, diff)`` finds notable changes in what the store reported writing
    (:mod:`memberaudit.change_events`); it is not called on a character's first update.
    """

    name: str
    title: str | Promise
    ring: int
    fetch: Callable[["Character", "EsiGateway"], Any]
    store: Callable[["Character", Any], bool]
    scopes: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    after_store: Callable[["Character", bool], None] | None = None
    events: Callable[["Character", Any], Any] | None = None
    needs_token: bool = True
    tab: ViewerTab | None = None  # None: no tab of its own in the character viewer
    overview: OverviewPart | None = None  # rows it adds to the viewer's overview
    stored: tuple[str, ...] = ()  # Character relations holding its rows; () the one named like it
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.ring not in (1, 2, 3):
            raise ValueError(f"Section {self.name}: ring must be 1, 2 or 3, not {self.ring}")


@dataclass(frozen=True)
class ViewerPage:
    """A tab of the character viewer that no section fills (e.g. the Changes tab): it shows
    data of several sections, is never updated from ESI and has no update status."""

    name: str
    title: str | Promise
    tab: ViewerTab


class SectionRegistry:
    """All known sections, in registration order, and the viewer's other tabs."""

    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}
        self._pages: dict[str, ViewerPage] = {}

    def register(self, section: Section) -> Section:
        if section.name in self._sections:
            raise ValueError(f"Section {section.name} is registered twice")
        self._sections[section.name] = section
        return section

    def register_page(self, page: ViewerPage) -> ViewerPage:
        if page.name in self._pages or page.name in self._sections:
            raise ValueError(f"Viewer tab {page.name} is registered twice")
        self._pages[page.name] = page
        return page

    def get(self, name: str) -> Section:
        try:
            return self._sections[name]
        except KeyError:
            raise KeyError(f"Unknown section: {name}") from None

    def names(self) -> list[str]:
        return list(self._sections)

    def all(self) -> list[Section]:
        return list(self._sections.values())

    def in_ring(self, ring: int) -> list[Section]:
        return [section for section in self._sections.values() if section.ring == ring]

    def __contains__(self, name: object) -> bool:
        return name in self._sections

    def __iter__(self):
        return iter(self._sections.values())

    def __len__(self) -> int:
        return len(self._sections)

    def all_scopes(self) -> list[str]:
        return sorted({scope for section in self for scope in section.scopes})

    def with_tabs(self) -> list[Section]:
        """Sections that show as a tab in the character viewer, in viewer order."""
        return [section for section in self._sections.values() if section.tab]

    def viewer_tabs(self) -> list["Section | ViewerPage"]:
        """Everything that shows as a tab in the viewer: sections, then the other pages."""
        return [*self.with_tabs(), *self._pages.values()]

    def viewer_tab_owner(self, name: str) -> "Section | ViewerPage | None":
        """The section or page whose tab is called ``name``, or None."""
        found = self._sections.get(name) or self._pages.get(name)
        return found if found is not None and found.tab else None

    def with_overview(self) -> list[Section]:
        """Sections that add rows to the viewer's overview, in registration order."""
        return [section for section in self._sections.values() if section.overview]

    def all_operations(self) -> list[str]:
        return sorted({op for section in self for op in section.operations})


registry = SectionRegistry()
