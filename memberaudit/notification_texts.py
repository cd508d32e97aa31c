"""What an in-game notification says: its YAML text parsed into fields, shown as one sentence.

ESI sends a notification's content as YAML (``charID: 90000001\ncorpID: 98000001``). For the
types an auditor cares about, :func:`parse` reads it with PyYAML's ``safe_load`` (never a
loader that builds Python objects) into ``details``: one entry per placeholder of the type's
sentence. Ids are resolved to names by the section, then :func:`segments` turns the details
into the sentence as plain data (text parts and links) that the browser escapes.

Any other type, and any text that cannot be parsed, is kept as it is and shown raw (escaped):
a notification never fails its section.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import yaml

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_PARSED_TEXT = 20_000  # longer texts are not parsed (no real notification comes close)
MAX_TEXT_VALUE = 1_000
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# Kinds of values in a notification's YAML.
ENTITY = "entity"  # an id of a character, corporation, alliance, faction, type, system ...
TEXT = "text"
NUMBER = "number"
ISK = "isk"
TIME = "time"  # EVE's file time (100 ns since 1601) or a date
KILLMAIL = "killmail"  # a killmail id; its hash under ``hash_key``
SENDER = "sender"  # not in the YAML: the notification's sender


class Group:
    """Groups of notification types, to filter the tab."""

    CORPORATION = "corporation"
    WAR = "war"
    LOCATOR = "locator"
    CONTACTS = "contacts"
    COMBAT = "combat"
    STRUCTURES = "structures"
    MOONS = "moons"
    SOVEREIGNTY = "sovereignty"
    INSURANCE = "insurance"
    OTHER = "other"

    TITLES = {
        CORPORATION: _("Corporation membership"),
        WAR: _("Wars"),
        LOCATOR: _("Locator agents"),
        CONTACTS: _("Contacts"),
        COMBAT: _("Kill reports"),
        STRUCTURES: _("Structures"),
        MOONS: _("Moon mining"),
        SOVEREIGNTY: _("Sovereignty"),
        INSURANCE: _("Insurance"),
        OTHER: _("Other"),
    }


@dataclass(frozen=True)
class Field:
    """Where a placeholder's value is in the YAML (``a.b`` for nested keys) and its kind."""

    key: str
    kind: str = ENTITY
    optional: bool = False
    hash_key: str = ""


@dataclass(frozen=True)
class NotificationType:
    group: str
    sentence: Any  # lazy translatable text with %(placeholder)s
    fields: dict[str, Field] = field(default_factory=dict)


def _war(sentence) -> NotificationType:
    return NotificationType(
        Group.WAR, sentence, {"aggressor": Field("declaredByID"), "defender": Field("againstID")}
    )


_APPLICATION = {"character": Field("charID"), "corporation": Field("corpID")}
_STRUCTURE = {"structure_type": Field("structureTypeID"), "solar_system": Field("solarsystemID")}
_MOON = {"structure": Field("structureName", TEXT), "solar_system": Field("solarSystemID")}
_SOV = {"structure_type": Field("structureTypeID"), "solar_system": Field("solarSystemID")}

TYPES: dict[str, NotificationType] = {
    # corporation membership
    "CorpAppNewMsg": NotificationType(
        Group.CORPORATION,
        _("%(character)s applied to join %(corporation)s: %(text)s"),
        {**_APPLICATION, "text": Field("applicationText", TEXT, optional=True)},
    ),
    "CorpAppInvitedMsg": NotificationType(
        Group.CORPORATION,
        _("%(inviter)s invited %(character)s to join %(corporation)s"),
        {**_APPLICATION, "inviter": Field("invokingCharID")},
    ),
    "CharAppAcceptMsg": NotificationType(
        Group.CORPORATION,
        _("%(character)s joined %(corporation)s: the application was accepted"),
        _APPLICATION,
    ),
    "CorpAppAcceptMsg": NotificationType(
        Group.CORPORATION,
        _("%(corporation)s accepted the application of %(character)s"),
        _APPLICATION,
    ),
    "CharAppRejectMsg": NotificationType(
        Group.CORPORATION,
        _("%(corporation)s rejected the application of %(character)s"),
        _APPLICATION,
    ),
    "CorpAppRejectMsg": NotificationType(
        Group.CORPORATION,
        _("%(corporation)s rejected the application of %(character)s"),
        _APPLICATION,
    ),
    "CharAppWithdrawMsg": NotificationType(
        Group.CORPORATION,
        _("%(character)s withdrew the application to %(corporation)s"),
        _APPLICATION,
    ),
    "CharLeftCorpMsg": NotificationType(
        Group.CORPORATION, _("%(character)s left %(corporation)s"), _APPLICATION
    ),
    # wars
    "WarDeclared": _war(_("%(aggressor)s declared war on %(defender)s")),
    "CorpWarDeclaredMsg": _war(_("%(aggressor)s declared war on %(defender)s")),
    "CorpWarDeclaredV2": _war(_("%(aggressor)s declared war on %(defender)s")),
    "AllWarDeclaredMsg": _war(_("%(aggressor)s declared war on %(defender)s")),
    "AllianceWarDeclaredV2": _war(_("%(aggressor)s declared war on %(defender)s")),
    "WarInvalid": _war(_("The war of %(aggressor)s against %(defender)s ended")),
    "CorpWarInvalidatedMsg": _war(_("The war of %(aggressor)s against %(defender)s ended")),
    "AllWarInvalidatedMsg": _war(_("The war of %(aggressor)s against %(defender)s ended")),
    "WarRetracted": _war(_("%(aggressor)s retracted the war against %(defender)s")),
    "CorpWarRetractedMsg": _war(_("%(aggressor)s retracted the war against %(defender)s")),
    "AllWarRetractedMsg": _war(_("%(aggressor)s retracted the war against %(defender)s")),
    "CorpWarSurrenderMsg": _war(_("The war of %(aggressor)s against %(defender)s ended")),
    "AllWarSurrenderMsg": _war(_("The war of %(aggressor)s against %(defender)s ended")),
    # locator agents
    "LocateCharMsg": NotificationType(
        Group.LOCATOR,
        _("A locator agent found %(character)s in %(solar_system)s, %(region)s"),
        {
            "character": Field("characterID"),
            "solar_system": Field("targetLocation.5"),
            "region": Field("targetLocation.3", optional=True),
        },
    ),
    # contacts
    "ContactAdd": NotificationType(
        Group.CONTACTS,
        _("%(sender)s added the character as a contact with standing %(standing)s: %(message)s"),
        {
            "sender": Field("", SENDER),
            "standing": Field("level", NUMBER),
            "message": Field("message", TEXT, optional=True),
        },
    ),
    "ContactEdit": NotificationType(
        Group.CONTACTS,
        _("%(sender)s changed the standing towards the character to %(standing)s: %(message)s"),
        {
            "sender": Field("", SENDER),
            "standing": Field("level", NUMBER),
            "message": Field("message", TEXT, optional=True),
        },
    ),
    # kill reports
    "KillReportVictim": NotificationType(
        Group.COMBAT,
        _("The character lost a %(ship)s: %(killmail)s"),
        {
            "ship": Field("victimShipTypeID"),
            "killmail": Field("killMailID", KILLMAIL, hash_key="killMailHash"),
        },
    ),
    "KillReportFinalBlow": NotificationType(
        Group.COMBAT,
        _("The character dealt the final blow on a %(ship)s: %(killmail)s"),
        {
            "ship": Field("victimShipTypeID"),
            "killmail": Field("killMailID", KILLMAIL, hash_key="killMailHash"),
        },
    ),
    # structures
    "StructureUnderAttack": NotificationType(
        Group.STRUCTURES,
        _(
            "%(structure_type)s in %(solar_system)s is under attack by %(attacker)s "
            "(shield %(shield)s %%)"
        ),
        {
            **_STRUCTURE,
            "attacker": Field("charID"),
            "shield": Field("shieldPercentage", NUMBER, optional=True),
        },
    ),
    "StructureLostShields": NotificationType(
        Group.STRUCTURES, _("%(structure_type)s in %(solar_system)s lost its shields"), _STRUCTURE
    ),
    "StructureLostArmor": NotificationType(
        Group.STRUCTURES, _("%(structure_type)s in %(solar_system)s lost its armor"), _STRUCTURE
    ),
    "StructureDestroyed": NotificationType(
        Group.STRUCTURES, _("%(structure_type)s in %(solar_system)s was destroyed"), _STRUCTURE
    ),
    # moon mining
    "MoonminingExtractionStarted": NotificationType(
        Group.MOONS,
        _("%(structure)s in %(solar_system)s started a moon extraction, ready at %(ready)s"),
        {**_MOON, "ready": Field("readyTime", TIME)},
    ),
    "MoonminingExtractionFinished": NotificationType(
        Group.MOONS,
        _("The moon extraction of %(structure)s in %(solar_system)s is ready"),
        _MOON,
    ),
    "MoonminingExtractionCancelled": NotificationType(
        Group.MOONS,
        _("%(character)s cancelled the moon extraction of %(structure)s in %(solar_system)s"),
        {**_MOON, "character": Field("cancelledBy")},
    ),
    "MoonminingLaserFired": NotificationType(
        Group.MOONS,
        _("%(character)s fired the moon drill of %(structure)s in %(solar_system)s"),
        {**_MOON, "character": Field("firedBy")},
    ),
    "MoonminingAutomaticFracture": NotificationType(
        Group.MOONS,
        _("The moon chunk of %(structure)s in %(solar_system)s fractured automatically"),
        _MOON,
    ),
    # sovereignty
    "SovStructureReinforced": NotificationType(
        Group.SOVEREIGNTY,
        _("A sovereignty structure in %(solar_system)s was reinforced until %(decloak)s"),
        {"solar_system": Field("solarSystemID"), "decloak": Field("decloakTime", TIME)},
    ),
    "SovStructureDestroyed": NotificationType(
        Group.SOVEREIGNTY, _("%(structure_type)s in %(solar_system)s was destroyed"), _SOV
    ),
    "EntosisCaptureStarted": NotificationType(
        Group.SOVEREIGNTY,
        _("Someone started to capture %(structure_type)s in %(solar_system)s"),
        _SOV,
    ),
    "SovAllClaimLostMsg": NotificationType(
        Group.SOVEREIGNTY,
        _("%(alliance)s lost sovereignty in %(solar_system)s"),
        {"alliance": Field("allianceID"), "solar_system": Field("solarSystemID")},
    ),
    "SovAllClaimAquiredMsg": NotificationType(
        Group.SOVEREIGNTY,
        _("%(alliance)s claimed sovereignty in %(solar_system)s"),
        {"alliance": Field("allianceID"), "solar_system": Field("solarSystemID")},
    ),
    # insurance
    "InsurancePayoutMsg": NotificationType(
        Group.INSURANCE,
        _("Insurance paid out %(amount)s ISK"),
        {"amount": Field("amount", ISK)},
    ),
    "InsuranceIssuedMsg": NotificationType(
        Group.INSURANCE,
        _("A %(ship)s was insured until %(end)s"),
        {"ship": Field("typeID"), "end": Field("endDate", TIME)},
    ),
}


class MalformedNotification(ValueError):
    """The text is not YAML of the shape its type has."""


@dataclass
class Parsed:
    group: str
    details: dict
    is_parsed: bool


def group_of(notification_type: str) -> str:
    known = TYPES.get(notification_type)
    return known.group if known else Group.OTHER


def parse(notification_type: str, text: Any, sender_id: int | None = None) -> Parsed:
    """The fields of a notification of a known type; never raises.

    Unknown types give empty details; texts that are not what their type expects give empty
    details with ``is_parsed`` false (they are shown raw).
    """
    known = TYPES.get(notification_type)
    if known is None:
        return Parsed(Group.OTHER, {}, False)
    try:
        details = _parse(known, text, sender_id)
    except Exception:  # noqa: BLE001  any text, however broken, must not fail the section
        return Parsed(known.group, {}, False)
    return Parsed(known.group, details, True)


def _parse(known: NotificationType, text: Any, sender_id: int | None) -> dict:
    if not isinstance(text, str) or len(text) > MAX_PARSED_TEXT:
        raise MalformedNotification("no text to parse")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise MalformedNotification("not a mapping")
    details = {}
    for name, spec in known.fields.items():
        if spec.kind == SENDER:
            details[name] = {"kind": ENTITY, "id": _id(sender_id)}
            continue
        value = _lookup(data, spec.key)
        if value is None:
            if spec.optional:
                continue
            raise MalformedNotification(f"{spec.key} is missing")
        details[name] = _value(spec, value, data)
    return details


def _lookup(data: dict, key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
        elif part.isdigit() and int(part) in value:
            value = value[int(part)]
        else:
            return None
    return value


def _value(spec: Field, value: Any, data: dict) -> dict:
    if spec.kind == ENTITY:
        return {"kind": ENTITY, "id": _id(value)}
    if spec.kind == TEXT:
        if isinstance(value, dict | list):
            raise MalformedNotification(f"{spec.key} is not text")
        return {"kind": TEXT, "value": str(value)[:MAX_TEXT_VALUE]}
    if spec.kind in (NUMBER, ISK):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MalformedNotification(f"{spec.key} is not a number")
        if value != value or value in (float("inf"), float("-inf")):
            raise MalformedNotification(f"{spec.key} is not a finite number")
        return {"kind": spec.kind, "value": value}
    if spec.kind == TIME:
        return {"kind": TIME, "value": _time(value).isoformat()}
    if spec.kind == KILLMAIL:
        killmail_hash = _lookup(data, spec.hash_key)
        if not isinstance(killmail_hash, str):
            raise MalformedNotification("killmail hash missing")
        return {"kind": KILLMAIL, "id": _id(value), "hash": killmail_hash[:64]}
    raise MalformedNotification(f"unknown kind {spec.kind}")


def _id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise MalformedNotification(f"{value!r} is not an id")
    return value


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return FILETIME_EPOCH + timedelta(microseconds=value // 10)
    raise MalformedNotification(f"{value!r} is not a time")


def entity_ids(details: dict) -> set[int]:
    """The ids in parsed details that need a name."""
    return {
        value["id"]
        for value in details.values()
        if value.get("kind") == ENTITY and isinstance(value.get("id"), int)
    }


def add_names(details: dict, names: dict[int, tuple[str, str | None]]) -> dict:
    """The details with each entity's name and category, where known."""
    result = {}
    for key, value in details.items():
        value = dict(value)
        if value.get("kind") == ENTITY and value.get("id") in names:
            value["name"], value["category"] = names[value["id"]]
        result[key] = value
    return result


ENTITY_LINKS = {
    "character": "https://evewho.com/character/{id}",
    "corporation": "https://evewho.com/corporation/{id}",
    "alliance": "https://evewho.com/alliance/{id}",
    "solar_system": "https://evemaps.dotlan.net/system/{name}",
    "inventory_type": "https://everef.net/type/{id}",  # ships, structures, items
}
KILLMAIL_LINK = "https://zkillboard.com/kill/{id}/"


def segments(notification_type: str, details: dict) -> list[dict] | None:
    """The sentence of a parsed notification as parts ``{"text"}`` or ``{"text", "url"}``;
    None for notifications that have no sentence (unknown types, unparsable texts)."""
    known = TYPES.get(notification_type)
    if known is None or not isinstance(details, dict):
        return None
    sentence = gettext(str(known.sentence))
    parts: list[dict] = []
    position = 0
    for match in PLACEHOLDER.finditer(sentence):
        _add_text(parts, sentence[position : match.start()])
        value = details.get(match.group(1))
        parts.append(_segment(value) if isinstance(value, dict) else {"text": "?"})
        position = match.end()
    _add_text(parts, sentence[position:])
    return parts


def _add_text(parts: list[dict], text: str) -> None:
    text = text.replace("%%", "%")
    if text:
        parts.append({"text": text})


def _segment(value: dict) -> dict:
    kind = value.get("kind")
    if kind == ENTITY:
        name = value.get("name") or f"#{value.get('id')}"
        link = ENTITY_LINKS.get(value.get("category") or "")
        if link and value.get("name"):
            url = link.format(id=int(value["id"]), name=quote(value["name"].replace(" ", "_")))
            return {"text": name, "url": url}
        return {"text": name}
    if kind == KILLMAIL:
        return {
            "text": gettext("killmail %(id)s") % {"id": value.get("id")},
            "url": KILLMAIL_LINK.format(id=value.get("id")),
        }
    if kind == ISK:
        return {"text": f"{float(value.get('value') or 0):,.2f}"}
    if kind == NUMBER:
        number = value.get("value")
        return {"text": f"{number:g}" if isinstance(number, int | float) else "?"}
    if kind == TIME:
        return {"text": str(value.get("value") or "")[:16].replace("T", " ")}
    return {"text": str(value.get("value") or "")}
