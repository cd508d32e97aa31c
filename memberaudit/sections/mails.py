"""Mails: mailing lists, labels, mail headers and bodies.

- Headers come newest first, 50 per call; older ones are asked for with the ``last_mail_id``
  cursor until ``MEMBERAUDIT_MAX_MAILS`` headers are known.
- Each body is fetched once and never again (refetching bodies has got apps banned), also
  for mails that fell out of the newest ``MEMBERAUDIT_MAX_MAILS``: mailboxes are history.
- A 404 on a body means the mail was deleted in game: it is deleted here too, and its id is
  remembered for a while, so that a header ESI still lists from its cache is not stored and
  its body not asked for again.
- A sender can be a mailing list, which ``/universe/names`` cannot resolve: mailing list ids
  are recognised and never sent to the name resolver.
- When a body cannot be fetched, headers and the bodies fetched so far are stored, the
  section is marked failed, and the next update fetches only the missing bodies.
"""

from django.core.cache import cache
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import app_settings, change_events, json_tables, selectors
from ..entities import resolve_entities
from ..esi_gateway import EsiError, EsiNotFound, EsiTokenError
from ..models import (
    CharacterMail,
    CharacterMailingList,
    CharacterMailLabel,
    CharacterMailRecipient,
)
from .base import NavGroup, Section, ViewerTab, registry
from .mail_values import clean_header, clean_labels, clean_lists, unique_mails

HEADERS_PER_CALL = 50
DELETED_MAILS_REMEMBERED_DAYS = 7
RecipientKind = CharacterMailRecipient.Kind
ENTITY_KINDS = {RecipientKind.ALLIANCE, RecipientKind.CHARACTER, RecipientKind.CORPORATION}

# Why the last body fetch of a character failed, from store() to after_store().
_body_failures: dict[int, str] = {}


def fetch(character, gateway) -> dict:
    _body_failures.pop(character.pk, None)
    character_id = character.character_id
    answers = gateway.get_unchanged_together(
        {
            "lists": ("GetCharactersCharacterIdMailLists", {"character_id": character_id}),
            "labels": ("GetCharactersCharacterIdMailLabels", {"character_id": character_id}),
            "headers": ("GetCharactersCharacterIdMail", {"character_id": character_id}),
        }
    )
    use_etag = gateway.use_etag
    gateway.use_etag = False  # something changed: older pages and bodies are needed in full
    try:
        headers = _older_headers(character_id, answers["headers"] or [], gateway)
        lists = clean_lists(answers["lists"])
        mails = [mail for row in headers if (mail := clean_header(row))]
        mails.sort(key=lambda mail: mail["mail_id"], reverse=True)
        mails = unique_mails(mails)[: app_settings.MEMBERAUDIT_MAX_MAILS]
        list_ids = _known_list_ids(character, lists, mails)
        _mark_mailing_lists(mails, list_ids)
        _resolve_new_entities(character, mails, gateway)
        gone = _remembered_deleted(character)
        mails = [mail for mail in mails if mail["mail_id"] not in gone]
        bodies, deleted, failure = _fetch_missing_bodies(character, mails, gateway, gone)
        if deleted - gone:
            _remember_deleted(character, gone | deleted)
    finally:
        gateway.use_etag = use_etag
    return {
        "lists": lists,
        "labels": clean_labels(answers["labels"]),
        "mails": [mail for mail in mails if mail["mail_id"] not in deleted],
        "bodies": sorted(bodies.items()),
        "deleted": sorted(deleted),
        "body_failure": failure,
    }


def _older_headers(character_id: int, first_page: list, gateway) -> list[dict]:
    """Follow the ``last_mail_id`` cursor until enough headers are known or none are left."""
    headers = list(first_page)
    page = first_page
    cursor = None
    while len(page) >= HEADERS_PER_CALL and len(headers) < app_settings.MEMBERAUDIT_MAX_MAILS:
        ids = [row["mail_id"] for row in page if row.get("mail_id")]
        if not ids or (cursor is not None and min(ids) >= cursor):
            break  # a cursor that does not move would loop forever
        cursor = min(ids)
        page = (
            gateway.get(
                "GetCharactersCharacterIdMail", character_id=character_id, last_mail_id=cursor
            )
            or []
        )
        headers.extend(page)
    return headers


def _known_list_ids(character, lists: list[dict], mails: list[dict]) -> set[int]:
    """Mailing list ids: subscribed, stored before, or named as such in a recipient list."""
    ids = {row["list_id"] for row in lists}
    ids |= set(character.mailing_lists.values_list("list_id", flat=True))
    ids |= {
        recipient["recipient_id"]
        for mail in mails
        for recipient in mail["recipients"]
        if recipient["kind"] == RecipientKind.MAILING_LIST
    }
    return ids


def _mark_mailing_lists(mails: list[dict], list_ids: set[int]) -> None:
    for mail in mails:
        mail["from_mailing_list"] = mail["from_id"] in list_ids
        for recipient in mail["recipients"]:
            if recipient["recipient_id"] in list_ids:
                recipient["kind"] = str(RecipientKind.MAILING_LIST)


def _resolve_new_entities(character, mails: list[dict], gateway) -> None:
    """Name the senders and recipients of mails not stored yet (stored ones never change)."""
    stored = set(character.mails.values_list("mail_id", flat=True))
    ids = set()
    for mail in mails:
        if mail["mail_id"] in stored:
            continue
        if mail["from_id"] and not mail["from_mailing_list"]:
            ids.add(mail["from_id"])
        ids |= {
            recipient["recipient_id"]
            for recipient in mail["recipients"]
            if recipient["kind"] in ENTITY_KINDS
        }
    resolve_entities(ids, gateway)


def _deleted_key(character) -> str:
    return f"memberaudit-mails-deleted-{character.pk}"


def _remembered_deleted(character) -> set[int]:
    return set(cache.get(_deleted_key(character)) or ())


def _remember_deleted(character, mail_ids: set[int]) -> None:
    timeout = DELETED_MAILS_REMEMBERED_DAYS * 24 * 3600
    cache.set(_deleted_key(character), sorted(mail_ids), timeout=timeout)


def _fetch_missing_bodies(character, mails: list[dict], gateway, gone: set[int]):
    """Fetch the bodies never fetched before, a few at a time, newest first; stop at the first
    failure. Mails known to be deleted (``gone``) are not asked for again.

    Returns the bodies by mail id, the ids of deleted mails (ESI answered 404 now or before),
    and the failure (or None).
    """
    fetched = set(character.mails.filter(body__isnull=False).values_list("mail_id", flat=True))
    missing = {mail["mail_id"] for mail in mails if mail["mail_id"] not in fetched}
    missing |= set(character.mails.filter(body__isnull=True).values_list("mail_id", flat=True))
    bodies: dict[int, str] = {}
    deleted: set[int] = missing & gone
    missing -= gone
    answers = gateway.get_each(
        "GetCharactersCharacterIdMailMailId",
        [
            {"character_id": character.character_id, "mail_id": mail_id}
            for mail_id in sorted(missing, reverse=True)
        ],
        stop=lambda answer: not isinstance(answer.error, EsiNotFound),
    )
    for answer in answers:
        mail_id = answer.params["mail_id"]
        if isinstance(answer.error, EsiNotFound):
            deleted.add(mail_id)
        elif isinstance(answer.error, EsiTokenError):
            raise answer.error
        elif answer.error is not None:
            left = len(missing) - len(bodies) - len(deleted - gone)
            failure = gettext("%(count)d mail bodies could not be fetched yet: %(error)s") % {
                "count": left,
                "error": answer.error,
            }
            return bodies, deleted, failure
        else:
            bodies[mail_id] = str((answer.data or {}).get("body") or "")
    return bodies, deleted, None


def store(character, data: dict) -> bool:
    if data["body_failure"]:
        _body_failures[character.pk] = data["body_failure"]
    changed = _delete_mails(character, data["deleted"])
    changed |= _store_mailing_lists(character, data["lists"], data["mails"])
    changed |= _store_labels(character, data["labels"])
    changed |= _store_mails(character, data["mails"], dict(data["bodies"]))
    changed |= _store_mail_labels(character, data["mails"])
    return changed


def after_store(character, changed: bool) -> None:
    """Fail the run while bodies are missing, after headers and fetched bodies were kept."""
    failure = _body_failures.pop(character.pk, None)
    if failure:
        raise EsiError(failure)


def _batches(items: list, size: int | None = None):
    size = size or app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delete_mails(character, mail_ids: list[int]) -> bool:
    deleted = 0
    for batch in _batches(mail_ids):
        deleted += character.mails.filter(mail_id__in=batch).delete()[0]
    return bool(deleted)


def _store_mailing_lists(character, lists: list[dict], mails: list[dict]) -> bool:
    """Subscribed lists with names; lists only seen in mails are kept without a name."""
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {row["list_id"]: row["name"] for row in lists}
    seen_in_mails = {mail["from_id"] for mail in mails if mail["from_mailing_list"]} | {
        recipient["recipient_id"]
        for mail in mails
        for recipient in mail["recipients"]
        if recipient["kind"] == RecipientKind.MAILING_LIST
    }
    stored = {row.list_id: row for row in character.mailing_lists.all()}
    renamed = []
    for list_id, row in stored.items():
        if list_id in wanted and wanted[list_id] != row.name:
            row.name = wanted[list_id]
            renamed.append(row)
    new = [
        CharacterMailingList(character=character, list_id=list_id, name=wanted.get(list_id, ""))
        for list_id in sorted((wanted.keys() | seen_in_mails) - stored.keys())
    ]
    keep = wanted.keys() | seen_in_mails
    gone = [row.pk for list_id, row in stored.items() if list_id not in keep]
    deleted = 0
    for batch in _batches(gone):  # unsubscribed lists stay while a stored mail names them
        deleted += (
            CharacterMailingList.objects.filter(
                pk__in=batch, sent_mails__isnull=True, received_mails__isnull=True
            )
            .distinct()
            .delete()[0]
        )
    if renamed:
        CharacterMailingList.objects.bulk_update(renamed, fields=["name"], batch_size=batch_size)
    if new:
        CharacterMailingList.objects.bulk_create(new, batch_size=batch_size)
    return bool(renamed or new or deleted)


def _store_labels(character, labels: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    fields = ("name", "color", "unread_count")
    wanted = {row["label_id"]: row for row in labels}
    stored = {row.label_id: row for row in character.mail_labels.all()}
    changed = []
    for label_id, row in stored.items():
        values = wanted.get(label_id)
        if values and any(getattr(row, field) != values[field] for field in fields):
            for field in fields:
                setattr(row, field, values[field])
            changed.append(row)
    new = [
        CharacterMailLabel(character=character, **values)
        for label_id, values in wanted.items()
        if label_id not in stored
    ]
    gone = [row.pk for label_id, row in stored.items() if label_id not in wanted]
    for batch in _batches(gone):
        CharacterMailLabel.objects.filter(pk__in=batch).delete()
    if changed:
        CharacterMailLabel.objects.bulk_update(changed, fields=fields, batch_size=batch_size)
    if new:
        CharacterMailLabel.objects.bulk_create(new, batch_size=batch_size)
    return bool(changed or new or gone)


def _store_mails(character, mails: list[dict], bodies: dict[int, str]) -> bool:
    """Create new mails with their recipients; update read flags and newly fetched bodies."""
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    bodiless = {
        row.mail_id: row for row in character.mails.filter(body__isnull=True).only("pk", "mail_id")
    }
    read_flags = dict(character.mails.values_list("mail_id", "is_read"))
    list_pks = dict(character.mailing_lists.values_list("list_id", "pk"))
    new_mails = [mail for mail in mails if mail["mail_id"] not in read_flags]
    entity_ids = {mail["from_id"] for mail in new_mails if not mail["from_mailing_list"]} | {
        recipient["recipient_id"]
        for mail in new_mails
        for recipient in mail["recipients"]
        if recipient["kind"] in ENTITY_KINDS
    }
    known_entities = _existing_entity_ids(entity_ids)

    wanted_read = {mail["mail_id"]: mail["is_read"] for mail in mails}
    flips = [
        mail_id
        for mail_id, is_read in wanted_read.items()
        if mail_id in read_flags and read_flags[mail_id] != is_read
    ]
    for is_read in (True, False):
        ids = [mail_id for mail_id in flips if wanted_read[mail_id] is is_read]
        for batch in _batches(ids):
            character.mails.filter(mail_id__in=batch).update(is_read=is_read)

    with_body = [row for mail_id, row in bodiless.items() if mail_id in bodies]
    for row in with_body:
        row.body = bodies[row.mail_id]
    if with_body:
        CharacterMail.objects.bulk_update(with_body, fields=["body"], batch_size=batch_size)

    if new_mails:
        CharacterMail.objects.bulk_create(
            [
                CharacterMail(
                    character=character,
                    mail_id=mail["mail_id"],
                    from_id=mail["from_id"],
                    sender_id=(
                        mail["from_id"]
                        if not mail["from_mailing_list"] and mail["from_id"] in known_entities
                        else None
                    ),
                    sender_mailing_list_id=(
                        list_pks.get(mail["from_id"]) if mail["from_mailing_list"] else None
                    ),
                    subject=mail["subject"],
                    body=bodies.get(mail["mail_id"]),
                    timestamp=mail["timestamp"],
                    is_read=mail["is_read"],
                )
                for mail in new_mails
            ],
            batch_size=batch_size,
        )
        _create_recipients(character, new_mails, list_pks, known_entities)
        change_events.report(created=new_mails)
    return bool(flips or with_body or new_mails)


def _existing_entity_ids(ids: set[int]) -> set[int]:
    known = set()
    for batch in _batches(sorted(ids)):
        known |= set(EveEntity.objects.filter(id__in=batch).values_list("id", flat=True))
    return known


def _create_recipients(character, new_mails: list[dict], list_pks: dict, known_entities: set):
    mail_pks = {}
    for batch in _batches([mail["mail_id"] for mail in new_mails]):
        mail_pks.update(character.mails.filter(mail_id__in=batch).values_list("mail_id", "pk"))
    recipients = [
        CharacterMailRecipient(
            mail_id=mail_pks[mail["mail_id"]],
            recipient_id=recipient["recipient_id"],
            kind=recipient["kind"],
            eve_entity_id=(
                recipient["recipient_id"]
                if recipient["kind"] in ENTITY_KINDS and recipient["recipient_id"] in known_entities
                else None
            ),
            mailing_list_id=(
                list_pks.get(recipient["recipient_id"])
                if recipient["kind"] == RecipientKind.MAILING_LIST
                else None
            ),
        )
        for mail in new_mails
        for recipient in mail["recipients"]
    ]
    CharacterMailRecipient.objects.bulk_create(
        recipients, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    )


def _store_mail_labels(character, mails: list[dict]) -> bool:
    """Sync the labels of the mails ESI listed; unknown label ids are skipped."""
    Link = CharacterMail.labels.through  # noqa: N806
    label_pks = dict(character.mail_labels.values_list("label_id", "pk"))
    listed = {mail["mail_id"] for mail in mails}
    mail_pks = {
        mail_id: pk
        for mail_id, pk in character.mails.values_list("mail_id", "pk")
        if mail_id in listed
    }
    wanted = {
        (mail_pks[mail["mail_id"]], label_pks[label_id])
        for mail in mails
        for label_id in mail["labels"]
        if label_id in label_pks and mail["mail_id"] in mail_pks
    }
    listed_pks = set(mail_pks.values())
    stored = {
        (mail_pk, label_pk): link_pk
        for link_pk, mail_pk, label_pk in Link.objects.filter(
            charactermail__character=character
        ).values_list("pk", "charactermail_id", "charactermaillabel_id")
        if mail_pk in listed_pks  # mails beyond the newest ones keep their last known labels
    }
    gone = [link_pk for pair, link_pk in stored.items() if pair not in wanted]
    new = [
        Link(charactermail_id=mail_pk, charactermaillabel_id=label_pk)
        for mail_pk, label_pk in wanted - stored.keys()
    ]
    for batch in _batches(gone):
        Link.objects.filter(pk__in=batch).delete()
    if new:
        Link.objects.bulk_create(new, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE)
    return bool(gone or new)


registry.register(
    Section(
        name="mails",
        title=_("mails"),
        ring=2,
        scopes=("esi-mail.read_mail.v1",),
        operations=(
            "GetCharactersCharacterIdMailLists",
            "GetCharactersCharacterIdMailLabels",
            "GetCharactersCharacterIdMail",
            "GetCharactersCharacterIdMailMailId",
        ),
        fetch=fetch,
        store=store,
        events=change_events.mails,
        after_store=after_store,
        tab=ViewerTab(
            group=NavGroup.SOCIAL,
            template="memberaudit/tabs/mails.html",
            context=selectors.mails_tab,
            tables={"mails": json_tables.mails},
            # the unread counts per folder read every unread mail: counted when opened
            lazy=True,
        ),
    )
)
