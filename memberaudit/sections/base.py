"""What a section is: declared once, found by name in the registry."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from ..esi_gateway import EsiGateway
    from ..models import Character


@dataclass(frozen=True)
class ViewerTab:
    """How a section shows in the character viewer: one tab.

    ``template`` renders the tab body with ``character``, ``status`` (the section's
    :class:`~memberaudit.models.SectionUpdateStatus` or ``None``) and whatever
    ``context(character)`` returns. ``context`` must cost a constant number of queries.
    ``tables`` names the server-side tables the tab fetches as JSON from
    ``character/<pk>/data/<name>/``: each maps to ``build(character) -> ServerSideTable``.
    ``lazy`` tabs are fetched from ``character/<pk>/tab/<section>/`` when first opened.
    """

    template: str
    context: Callable[["Character"], dict] | None = None
    tables: dict[str, Callable[["Character"], Any]] = field(default_factory=dict)
    title: str | Promise = ""
    lazy: bool = False


@dataclass(frozen=True)
class Section:
    """One kind of character data kept in sync with ESI.

    ``fetch(character, gateway)`` asks ESI for the data through the gateway and returns plain
    Python data (dicts, lists, numbers, strings, datetimes); it never writes. It raises
    :class:`memberaudit.esi_gateway.NotModified` when ESI says nothing changed.
    ``store(character, data)`` writes that data, in one transaction opened by the engine, and
    returns whether anything was written.
    """

    name: str
    title: str | Promise
    ring: int
    fetch: Callable[["Character", "EsiGateway"], Any]
    store: Callable[["Character", Any], bool]
    scopes: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    after_store: Callable[["Character", bool], None] | None = None
    needs_token: bool = True
    tab: ViewerTab | None = None  # None: no tab of its own in the character viewer
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.ring not in (1, 2, 3):
            raise ValueError(f"Section {self.name}: ring must be 1, 2 or 3, not {self.ring}")


class SectionRegistry:
    """All known sections, in registration order."""

    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> Section:
        if section.name in self._sections:
            raise ValueError(f"Section {section.name} is registered twice")
        self._sections[section.name] = section
        return section

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

    def all_operations(self) -> list[str]:
        return sorted({op for section in self for op in section.operations})


registry = SectionRegistry()
