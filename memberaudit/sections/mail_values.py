"""Turning ESI's mailing lists, labels and mail headers into the plain values the mails
section stores: ids as integers, each thing once, texts that fit their columns."""

from ..fitted_fields import fit_to_column
from ..models import CharacterMail, CharacterMailingList, CharacterMailLabel, CharacterMailRecipient

RecipientKind = CharacterMailRecipient.Kind


def clean_lists(rows) -> list[dict]:
    """Subscribed mailing lists by id, each once, with names that fit their column."""
    lists = {}
    for row in rows or []:
        if row.get("mailing_list_id"):
            lists[int(row["mailing_list_id"])] = fit_to_column(
                CharacterMailingList, "name", row.get("name")
            )
    return [{"list_id": key, "name": lists[key]} for key in sorted(lists)]


def clean_labels(answer) -> list[dict]:
    """Labels by id, each once; a missing unread count is 0."""
    labels = {}
    for row in (answer or {}).get("labels") or []:
        if row.get("label_id") is None:
            continue
        color = getattr(row.get("color"), "value", row.get("color"))
        labels[int(row["label_id"])] = {
            "label_id": int(row["label_id"]),
            "name": fit_to_column(CharacterMailLabel, "name", row.get("name")),
            "color": fit_to_column(CharacterMailLabel, "color", color),
            "unread_count": max(0, int(row.get("unread_count") or 0)),
        }
    return [labels[key] for key in sorted(labels)]


def clean_header(row: dict) -> dict | None:
    """A mail header as stored, or None without a mail id; recipients each once, of a kind
    the model knows. Whether the sender is a mailing list is decided later."""
    if not row.get("mail_id"):
        return None
    sender = row.get("from_") or row.get("from")
    recipients = {}
    for recipient in row.get("recipients") or []:
        if not recipient.get("recipient_id"):
            continue
        kind = getattr(recipient.get("recipient_type"), "value", recipient.get("recipient_type"))
        kind = kind if kind in RecipientKind.values else RecipientKind.UNKNOWN
        recipients[int(recipient["recipient_id"])] = str(kind)
    return {
        "mail_id": int(row["mail_id"]),
        "from_id": int(sender) if sender else None,
        "from_mailing_list": False,
        "subject": fit_to_column(CharacterMail, "subject", row.get("subject")),
        "timestamp": row.get("timestamp"),
        "is_read": bool(row.get("is_read")),
        "labels": sorted({int(label) for label in row.get("labels") or []}),
        "recipients": [
            {"recipient_id": key, "kind": recipients[key]} for key in sorted(recipients)
        ],
    }


def unique_mails(mails: list[dict]) -> list[dict]:
    """Each mail once, at its first place."""
    seen = set()
    result = []
    for mail in mails:
        if mail["mail_id"] not in seen:
            seen.add(mail["mail_id"])
            result.append(mail)
    return result
