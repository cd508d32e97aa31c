"""EVE mail: mailing lists, labels, mail headers (cursor paging) and mail bodies.

Scenario fields of a character:

- ``mail_lists``: mailing lists the character is subscribed to;
- ``mail_labels``: labels; their unread counts are computed from the mails;
- ``mails``: mails with header and body; ``"deleted": true`` keeps a mail in the headers
  while its body answers 404, as ESI does right after a mail was deleted in game;
- ``mails_generate``: ``{"count", "seed", "first_id", "start"}`` generates that many mails
  (plus two mailing lists and a custom label when the character has none).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from ..messages import EsiError
from ..router import RouteTable
from ..validation import list_of, obj, opt, req
from .common import CHAR_SOCIAL, rate

routes = RouteTable()

MAIL_SCOPE = "esi-mail.read_mail.v1"
HEADERS_PER_CALL = 50
RECIPIENT_TYPES = ("alliance", "character", "corporation", "mailing_list")
LABEL_COLORS = (
    "#0000fe",
    "#006634",
    "#0099ff",
    "#00ff33",
    "#01ffff",
    "#349800",
    "#660066",
    "#666666",
    "#999999",
    "#99ffff",
    "#9a0000",
    "#ccff9a",
    "#e6e6e6",
    "#fe0000",
    "#ff6600",
    "#ffff01",
    "#ffffcd",
    "#ffffff",
)

MAIL = {
    "mail_id": req("int"),
    "from": req("int"),
    "recipients": list_of(
        obj(
            {
                "recipient_id": req("int"),
                "recipient_type": req("str", choices=RECIPIENT_TYPES),
            }
        )
    ),
    "subject": opt("str"),
    "body": opt("str"),
    "labels": list_of(opt("int")),
    "timestamp": req("datetime"),
    "is_read": opt("bool"),
    "deleted": opt("bool"),
}
CHARACTER_FIELDS = {
    "mail_lists": list_of(obj({"mailing_list_id": req("int"), "name": req("str")})),
    "mail_labels": list_of(
        obj(
            {
                "label_id": req("int"),
                "name": opt("str"),
                "color": opt("str", choices=LABEL_COLORS),
            }
        )
    ),
    "mails": list_of(obj(MAIL)),
    "mails_generate": obj(
        {
            "count": req("int"),
            "seed": opt("int"),
            "first_id": opt("int"),
            "start": opt("datetime"),
        }
    ),
}
HEADER_FIELDS = ("mail_id", "from", "recipients", "subject", "labels", "timestamp", "is_read")


def _mails(ctx) -> list[dict]:
    return sorted(ctx.character().get("mails", []), key=lambda m: m["mail_id"], reverse=True)


@routes.get(
    "/characters/{character_id}/mail/lists",
    "GetCharactersCharacterIdMailLists",
    scope=MAIL_SCOPE,
    cache_seconds=120,
    **rate(CHAR_SOCIAL),
)
def mailing_lists(ctx):
    return ctx.character().get("mail_lists", [])


@routes.get(
    "/characters/{character_id}/mail/labels",
    "GetCharactersCharacterIdMailLabels",
    scope=MAIL_SCOPE,
    cache_seconds=30,
    **rate(CHAR_SOCIAL),
)
def mail_labels(ctx):
    unread = [m for m in ctx.character().get("mails", []) if not m.get("is_read")]
    labels = []
    for label in ctx.character().get("mail_labels", []):
        count = sum(1 for m in unread if label["label_id"] in m.get("labels", []))
        labels.append({**label, "unread_count": count})
    return {"labels": labels, "total_unread_count": len(unread)}


@routes.get(
    "/characters/{character_id}/mail",
    "GetCharactersCharacterIdMail",
    scope=MAIL_SCOPE,
    cache_seconds=30,
    **rate(CHAR_SOCIAL),
)
def mail_headers(ctx):
    mails = _mails(ctx)
    last_mail_id = ctx.request.arg("last_mail_id")
    if last_mail_id:
        try:
            before = int(last_mail_id)
        except ValueError as exc:
            raise EsiError(
                400, "failed to coerce value into type integer for last_mail_id"
            ) from exc
        mails = [m for m in mails if m["mail_id"] < before]
    wanted = _label_filter(ctx)
    if wanted:
        mails = [m for m in mails if wanted & set(m.get("labels", []))]
    return [{f: m[f] for f in HEADER_FIELDS if f in m} for m in mails[:HEADERS_PER_CALL]]


def _label_filter(ctx) -> set[int]:
    labels = set()
    for value in ctx.request.query.get("labels", []):
        for part in value.split(","):
            try:
                labels.add(int(part))
            except ValueError as exc:
                raise EsiError(400, "failed to coerce value into type integer for labels") from exc
    return labels


@routes.get(
    "/characters/{character_id}/mail/{mail_id}",
    "GetCharactersCharacterIdMailMailId",
    scope=MAIL_SCOPE,
    cache_seconds=30,
    **rate(CHAR_SOCIAL),
)
def mail_body(ctx):
    for mail in ctx.character().get("mails", []):
        if mail["mail_id"] == ctx.params["mail_id"] and not mail.get("deleted"):
            body = {
                "body": mail.get("body", ""),
                "from": mail["from"],
                "labels": mail.get("labels", []),
                "read": mail.get("is_read", False),
                "recipients": mail.get("recipients", []),
                "subject": mail.get("subject", ""),
                "timestamp": mail["timestamp"],
            }
            return body
    raise EsiError(404, "Mail not found")


# --- generated mailboxes --------------------------------------------------------------------

DEFAULT_LABELS = [
    {"label_id": 1, "name": "Inbox", "color": "#ffffff"},
    {"label_id": 2, "name": "Sent", "color": "#ffffff"},
    {"label_id": 4, "name": "[Corp]", "color": "#ffffff"},
    {"label_id": 8, "name": "[Alliance]", "color": "#ffffff"},
]
SENDERS = [90000001, 90000002, 90000003, 90000004, 2112000001, 2112000003]
SUBJECTS = [
    "Fleet tonight at {h}:00",
    "Re: buyback prices",
    "Doctrine update",
    "Welcome aboard",
    "Moon schedule",
    "SRP paid",
    "Structure timer in {h}h",
    "Skill plan for newbros",
]
BODIES = [
    '<font size="12" color="#bfffffff">Hi,<br>form up in <a href="showinfo:5//30000142">Jita'
    "</a> at {h}:00.</font>",
    '<font size="14" color="#ffd98d00"><b>Important:</b></font> read the '
    '<a href="https://wiki.example.com/doctrine">doctrine page</a>.',
    'Thanks for the help, <a href="showinfo:1377//{sender}">pilot</a>!<br>o7',
    '<font size="12" color="#bfffffff">Plain update, nothing to see.</font>',
]
HOSTILE_BODY = (
    '<script>alert("mail")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">free isk</a><iframe src="https://evil.example"></iframe>'
    '<font color="red" style="position:fixed" onmouseover="alert(3)">click me</font>'
)


def expand_character(character: dict) -> None:
    generator = character.pop("mails_generate", None)
    if not generator:
        return
    lists = character.setdefault(
        "mail_lists",
        [
            {
                "mailing_list_id": 145000001 + character["character_id"] % 1000 * 10,
                "name": "Halcyon Announcements",
            },
            {
                "mailing_list_id": 145000002 + character["character_id"] % 1000 * 10,
                "name": "Industry Chat",
            },
        ],
    )
    character.setdefault(
        "mail_labels", [*DEFAULT_LABELS, {"label_id": 16, "name": "Important", "color": "#fe0000"}]
    )
    character["mails"] = character.get("mails", []) + generate_mails(
        character, [m["mailing_list_id"] for m in lists], **generator
    )


def generate_mails(
    character: dict,
    list_ids: list[int],
    count: int,
    seed: int = 1,
    first_id: int | None = None,
    start: str | None = None,
) -> list[dict]:
    """Deterministic mails, newest with the highest id, one every 3 hours.

    Every 7th mail comes from a mailing list, every 5th was sent by the character, the
    second newest mail carries hostile markup.
    """
    rng = random.Random(seed)
    me = character["character_id"]
    newest = (
        datetime.fromisoformat(start.replace("Z", "+00:00"))
        if start
        else datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    )
    first = first_id or 380_000_000 + me % 1000 * 10_000
    mails = []
    for n in range(count):
        hour = rng.randrange(0, 24)
        sender = rng.choice(SENDERS)
        labels = [1]
        recipients = [{"recipient_id": me, "recipient_type": "character"}]
        if list_ids and n % 7 == 3:
            sender = list_ids[n % len(list_ids)]
            labels = []
            recipients = [{"recipient_id": sender, "recipient_type": "mailing_list"}]
        elif n % 5 == 4:
            sender, labels = me, [2]
            recipients = [{"recipient_id": rng.choice(SENDERS), "recipient_type": "character"}]
        elif n % 11 == 6:
            labels = [1, 4]
            recipients = [
                {"recipient_id": character["corporation_id"], "recipient_type": "corporation"}
            ]
        elif n % 13 == 8 and character.get("alliance_id"):
            labels = [1, 8]
            recipients = [{"recipient_id": character["alliance_id"], "recipient_type": "alliance"}]
        if n % 9 == 0 and labels:
            labels = [*labels, 16]
        body = HOSTILE_BODY if n == 1 else rng.choice(BODIES).format(h=hour, sender=sender)
        mails.append(
            {
                "mail_id": first + count - n,
                "from": sender,
                "recipients": recipients,
                "subject": rng.choice(SUBJECTS).format(h=hour),
                "body": body,
                "labels": labels,
                "timestamp": (newest - timedelta(hours=3 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "is_read": sender == me or rng.random() < 0.8,
            }
        )
    return mails
