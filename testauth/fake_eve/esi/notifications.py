"""Notifications and contact notifications of characters.

Scenario fields of a character:

- ``notifications``: ``[{notification_id, sender_id, sender_type, type, timestamp, is_read,
  text}]`` in ESI's shape; ``text`` is the YAML EVE writes.
- ``notifications_generate``: ``{"count", "seed", "first_id", "start"}`` adds ``count``
  notifications, one every 90 minutes, cycling through every type in ``TEXTS`` (realistic
  YAML), with an unknown type every 11th, broken YAML every 13th and hostile text in some.
- ``contact_notifications``: ``[{notification_id, sender_character_id, standing_level,
  message, send_date}]``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import CHAR_SOCIAL, rate

routes = RouteTable()

NOTIFICATIONS_SCOPE = "esi-characters.read_notifications.v1"
SENDER_TYPES = ("character", "corporation", "alliance", "faction", "other")

CHARACTER_FIELDS = {
    "notifications": list_of(
        obj(
            {
                "notification_id": req("int"),
                "sender_id": req("int"),
                "sender_type": req("str", choices=SENDER_TYPES),
                "type": req("str"),
                "timestamp": req("datetime"),
                "is_read": opt("bool"),
                "text": opt("str"),
            }
        )
    ),
    "notifications_generate": obj(
        {
            "count": req("int"),
            "seed": opt("int"),
            "first_id": opt("int"),
            "start": opt("datetime"),
        }
    ),
    "contact_notifications": list_of(
        obj(
            {
                "notification_id": req("int"),
                "sender_character_id": req("int"),
                "standing_level": req("number"),
                "message": opt("str"),
                "send_date": req("datetime"),
            }
        )
    ),
}


@routes.get(
    "/characters/{character_id}/notifications",
    "GetCharactersCharacterIdNotifications",
    scope=NOTIFICATIONS_SCOPE,
    cache_seconds=600,
    rate_group="char-notification",
    rate_limit=(15, "15m"),
)
def notifications(ctx):
    rows = ctx.character().get("notifications", [])
    return sorted(rows, key=lambda row: row["notification_id"], reverse=True)


@routes.get(
    "/characters/{character_id}/notifications/contacts",
    "GetCharactersCharacterIdNotificationsContacts",
    scope=NOTIFICATIONS_SCOPE,
    cache_seconds=600,
    **rate(CHAR_SOCIAL),
)
def contact_notifications(ctx):
    rows = ctx.character().get("contact_notifications", [])
    return sorted(rows, key=lambda row: row["notification_id"], reverse=True)


# --- generated notifications -----------------------------------------------------------------

HOSTILE = '<script>alert("yaml")</script><img src=x onerror=alert(1)>'
FILETIME_NOW = 134_000_000_000_000_000  # EVE file time, about 2025

# (type, sender type, YAML text) with {me}, {corp}, {other}, {hostile} and {n} filled in.
TEXTS = [
    (
        "CorpAppNewMsg",
        "character",
        "applicationText: 'Hi, I fly {n} ships. {hostile}'\ncharID: {other}\ncorpID: {corp}\n",
    ),
    (
        "CorpAppInvitedMsg",
        "character",
        "charID: {me}\ncorpID: {hostile_corp}\ninvokingCharID: 95000001\n",
    ),
    ("CharAppAcceptMsg", "corporation", "charID: {me}\ncorpID: {corp}\n"),
    ("CorpAppAcceptMsg", "corporation", "charID: {other}\ncorpID: {corp}\n"),
    ("CharAppRejectMsg", "corporation", "charID: {me}\ncorpID: {hostile_corp}\n"),
    ("CorpAppRejectMsg", "corporation", "charID: {other}\ncorpID: {corp}\n"),
    ("CharAppWithdrawMsg", "character", "charID: {me}\ncorpID: {hostile_corp}\n"),
    ("CharLeftCorpMsg", "corporation", "charID: {other}\ncorpID: {corp}\n"),
    (
        "WarDeclared",
        "corporation",
        "againstID: {corp}\ncost: 100000000\ndeclaredByID: 99100001\n"
        "delayHours: 24\nhostileState: false\nwarHQ: <b>Jita</b>\n",
    ),
    ("CorpWarDeclaredMsg", "corporation", "againstID: {corp}\ndeclaredByID: 98100001\n"),
    ("CorpWarDeclaredV2", "corporation", "againstID: {corp}\ndeclaredByID: 98100002\n"),
    ("AllWarDeclaredMsg", "alliance", "againstID: {alliance}\ndeclaredByID: 99100001\n"),
    ("AllianceWarDeclaredV2", "alliance", "againstID: 99100001\ndeclaredByID: {alliance}\n"),
    ("WarInvalid", "corporation", "againstID: {corp}\ndeclaredByID: 99100001\nendDate: {time}\n"),
    ("CorpWarInvalidatedMsg", "corporation", "againstID: {corp}\ndeclaredByID: 98100001\n"),
    ("AllWarInvalidatedMsg", "alliance", "againstID: {alliance}\ndeclaredByID: 99100001\n"),
    ("WarRetracted", "corporation", "againstID: {corp}\ndeclaredByID: 98100002\n"),
    ("CorpWarRetractedMsg", "corporation", "againstID: {corp}\ndeclaredByID: 98100001\n"),
    ("AllWarRetractedMsg", "alliance", "againstID: {alliance}\ndeclaredByID: 99100001\n"),
    ("CorpWarSurrenderMsg", "corporation", "againstID: 98100001\ndeclaredByID: {corp}\n"),
    ("AllWarSurrenderMsg", "alliance", "againstID: 99100001\ndeclaredByID: {alliance}\n"),
    (
        "LocateCharMsg",
        "character",
        "characterID: 95000002\nmessageIndex: 2\ntargetLocation:\n"
        "  3: 10000002\n  4: 20000020\n  5: 30000142\n  15: 60003760\n",
    ),
    ("ContactAdd", "character", "level: 10\nmessage: 'Welcome, {hostile}'\n"),
    ("ContactEdit", "character", "level: -5\nmessage: ''\n"),
    (
        "KillReportVictim",
        "other",
        "killMailHash: 0f0e{n}\nkillMailID: {n}\nvictimShipTypeID: 587\n",
    ),
    (
        "KillReportFinalBlow",
        "other",
        "attackerCharID: {me}\nkillMailHash: 1a1b{n}\nkillMailID: {n}\nvictimShipTypeID: 24698\n",
    ),
    (
        "StructureUnderAttack",
        "corporation",
        "allianceID: 99100001\ncharID: 95000001\n"
        "corpName: Red Dawn\nshieldPercentage: 42.5\nsolarsystemID: 30002813\n"
        "structureID: 1030000000001\nstructureTypeID: 35832\n",
    ),
    (
        "StructureLostShields",
        "corporation",
        "solarsystemID: 30002813\n"
        "structureID: 1030000000001\nstructureTypeID: 35832\ntimeLeft: 1200000000\n",
    ),
    (
        "StructureLostArmor",
        "corporation",
        "solarsystemID: 30002813\nstructureID: 1030000000001\nstructureTypeID: 35832\n",
    ),
    (
        "StructureDestroyed",
        "corporation",
        "isAbandoned: false\nownerCorpName: Sanctum\n"
        "solarsystemID: 30002813\nstructureID: 1030000000001\nstructureTypeID: 35832\n",
    ),
    (
        "MoonminingExtractionStarted",
        "corporation",
        "autoTime: {time}\nmoonID: 40009082\n"
        "readyTime: {time}\nsolarSystemID: 30000144\nstartedBy: {me}\nstructureID: 1030000000002\n"
        "structureName: 'Perimeter - Ore Hole {hostile}'\nstructureTypeID: 35834\n",
    ),
    (
        "MoonminingExtractionFinished",
        "corporation",
        "autoTime: {time}\nmoonID: 40009082\n"
        "solarSystemID: 30000144\nstructureName: Perimeter - Ore Hole\n",
    ),
    (
        "MoonminingExtractionCancelled",
        "corporation",
        "cancelledBy: {other}\nmoonID: 40009082\n"
        "solarSystemID: 30000144\nstructureName: Perimeter - Ore Hole\n",
    ),
    (
        "MoonminingLaserFired",
        "corporation",
        "firedBy: {me}\nmoonID: 40009082\n"
        "solarSystemID: 30000144\nstructureName: Perimeter - Ore Hole\n",
    ),
    (
        "MoonminingAutomaticFracture",
        "corporation",
        "moonID: 40009082\nsolarSystemID: 30000144\nstructureName: Perimeter - Ore Hole\n",
    ),
    (
        "SovStructureReinforced",
        "other",
        "campaignEventType: 2\ndecloakTime: {time}\nsolarSystemID: 30004759\n",
    ),
    ("SovStructureDestroyed", "other", "solarSystemID: 30004759\nstructureTypeID: 35834\n"),
    ("EntosisCaptureStarted", "other", "solarSystemID: 30004759\nstructureTypeID: 35834\n"),
    (
        "SovAllClaimLostMsg",
        "other",
        "allianceID: {alliance}\ncorpID: {corp}\nsolarSystemID: 30004759\n",
    ),
    (
        "SovAllClaimAquiredMsg",
        "other",
        "allianceID: {alliance}\ncorpID: {corp}\nsolarSystemID: 30004759\n",
    ),
    ("InsurancePayoutMsg", "other", "amount: 1234567.89\nitemID: 1040000000001\npayout: 1\n"),
    (
        "InsuranceIssuedMsg",
        "other",
        "endDate: {time}\nisHouseWarmingGift: 0\nlevel: 50.0\n"
        "numWeeks: 12\nshipID: 1040000000001\nstartDate: {time}\ntypeID: 24698\n",
    ),
]
UNKNOWN = ("SkyhookDeployed", "other", "skyhookID: 1040000000009\nsolarSystemID: 30004759\n")
BROKEN = (
    ("CorpAppNewMsg", "character", "charID: [unclosed\ncorpID: {corp}\n"),
    ("StructureUnderAttack", "corporation", "just text, no mapping {hostile}"),
    ("LocateCharMsg", "character", "characterID: not-an-id\ntargetLocation: {{}}\n"),
    ("WarDeclared", "corporation", "!!python/object/apply:os.system ['echo owned']\n"),
)
OTHERS = [90000002, 90000003, 90000004, 2112000001]


def expand_character(character: dict) -> None:
    generator = character.pop("notifications_generate", None)
    if not generator:
        return
    character["notifications"] = character.get("notifications", []) + generate_notifications(
        character, **generator
    )


def generate_notifications(
    character: dict,
    count: int,
    seed: int = 1,
    first_id: int | None = None,
    start: str | None = None,
) -> list[dict]:
    """Deterministic notifications, newest with the highest id; every parsed type shows up
    once ``count`` exceeds the number of types."""
    rng = random.Random(seed)
    me = character["character_id"]
    newest = (
        datetime.fromisoformat(start.replace("Z", "+00:00"))
        if start
        else datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    )
    first = first_id or 2_000_000_000 + me % 10_000 * 10_000
    rows = []
    kind = 0
    for n in range(count):
        if n % 13 == 12:
            notification_type, sender_type, text = BROKEN[n // 13 % len(BROKEN)]
        elif n % 11 == 10:
            notification_type, sender_type, text = UNKNOWN
        else:
            notification_type, sender_type, text = TEXTS[kind % len(TEXTS)]
            kind += 1
        values = {
            "me": me,
            "corp": character["corporation_id"],
            "alliance": character.get("alliance_id") or 99000001,
            "other": rng.choice(OTHERS),
            "hostile_corp": 98100001,
            "hostile": HOSTILE if n % 7 == 0 else "o7",
            "n": 130_000_000 + n,
            "time": FILETIME_NOW + n * 36_000_000_000,
        }
        sender = {
            "character": rng.choice(OTHERS),
            "corporation": character["corporation_id"],
            "alliance": values["alliance"],
            "other": 1000125,
        }[sender_type]
        rows.append(
            {
                "notification_id": first + count - n,
                "sender_id": sender,
                "sender_type": sender_type,
                "type": notification_type,
                "timestamp": (newest - timedelta(minutes=90 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "is_read": rng.random() < 0.7,
                "text": text.format(**values),
            }
        )
    return rows
