"""Read fittings in EFT format, as EVE's fitting window copies them to the clipboard.

    [Drake, My Drake]
    Ballistic Control System II
    [Empty Low slot]

    Heavy Missile Launcher II, Scourge Heavy Missile
    Damage Control II /OFFLINE

    Hobgoblin II x5
    Scourge Heavy Missile x1000

The first line names the ship and the fitting. Then come modules (optionally with a loaded
charge after a comma, and ``/OFFLINE`` when offline), empty slots, and items with a quantity
(``x5``: drones, charges, cargo). Sections are separated by blank lines. Parsing is tolerant:
Windows line endings, extra spaces and blank lines, and lines starting with ``#`` are ignored.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

_HEADER = re.compile(r"^\[\s*(?P<ship>[^,\]]+?)\s*(?:,\s*(?P<name>.*?)\s*)?\]$")
_EMPTY_SLOT = re.compile(r"^\[\s*empty\b.*\]$", re.IGNORECASE)
_QUANTITY = re.compile(r"^(?P<name>.+?)\s+x\s*(?P<quantity>\d+)$", re.IGNORECASE)
_OFFLINE = re.compile(r"\s*/\s*offline\s*$", re.IGNORECASE)


class EftFormatError(ValueError):
    """The text is not a fitting in EFT format; the message is meant for humans."""


@dataclass(frozen=True)
class EftItem:
    name: str
    quantity: int = 1
    is_offline: bool = False


@dataclass(frozen=True)
class EftFitting:
    ship_type_name: str
    name: str
    items: list[EftItem] = field(default_factory=list)

    def type_names(self) -> list[str]:
        """Every distinct type name of the fitting, the ship first, in order of appearance."""
        names = [self.ship_type_name] + [item.name for item in self.items]
        return list(dict.fromkeys(names))


def parse_eft(text: str) -> EftFitting:
    """Parse a fitting in EFT format; raise :class:`EftFormatError` when there is none."""
    lines = [_clean(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise EftFormatError(_("The fitting is empty."))
    header = _HEADER.match(lines[0])
    if not header or _EMPTY_SLOT.match(lines[0]):
        raise EftFormatError(
            _("The first line must name the ship and the fitting, like [Drake, My Drake].")
        )
    items = [item for line in lines[1:] for item in parse_items(line)]
    return EftFitting(
        ship_type_name=header.group("ship").strip(),
        name=(header.group("name") or "").strip(),
        items=items,
    )


def parse_items(line: str) -> list[EftItem]:
    """The items of one line: nothing for an empty slot, a module and its loaded charge, or one
    item with a quantity."""
    line = _clean(line)
    if not line or _EMPTY_SLOT.match(line):
        return []
    is_offline = bool(_OFFLINE.search(line))
    line = _OFFLINE.sub("", line)
    quantity_match = _QUANTITY.match(line)
    if quantity_match:
        return [EftItem(quantity_match.group("name").strip(), int(quantity_match["quantity"]))]
    module, _, charge = line.partition(",")
    items = [EftItem(module.strip(), 1, is_offline)]
    if charge.strip():
        items.append(EftItem(charge.strip(), 1))
    return items


def _clean(line: str) -> str:
    return line.replace("\ufeff", "").replace("\xa0", " ").strip()
