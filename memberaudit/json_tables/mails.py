"""The mails table and its folders."""

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import query_params
from ..models import (
    Character,
    CharacterMail,
    CharacterMailRecipient,
)
from ..tables import Column, ServerSideTable
from .common import iso, name_column


def mails(character: Character) -> ServerSideTable:
    """Mail headers, newest first; ``folder`` narrows them to ``label:<label_id>``,
    ``list:<list_id>`` (sent to or from a mailing list) or ``unread``."""
    recipients = CharacterMailRecipient.objects.select_related("eve_entity", "mailing_list")
    rows = CharacterMail.objects.select_related("sender", "sender_mailing_list").prefetch_related(
        Prefetch("recipients", queryset=recipients.order_by("pk"))
    )
    return ServerSideTable(
        character.mails.all(),
        [
            Column(
                "timestamp",
                lambda row: iso(row.timestamp),
                order_by="timestamp",
                title=_("Date"),
                render="datetime",
                priority=2,
            ),
            Column(
                "from",
                lambda row: row.sender_name,
                order_by="sender_sort",
                search=lambda text: _sender_contains(character, text),
                title=_("From"),
                priority=2,
            ),
            Column(
                "to",
                lambda row: [str(recipient) for recipient in row.recipients.all()],
                title=_("To"),
                render="list",
                priority=5,
            ),
            name_column("subject", "subject", "subject", title=_("Subject"), priority=1),
            Column(
                "is_read",
                lambda row: row.is_read,
                order_by="is_read",
                title=_("Read"),
                render="bool",
                priority=4,
            ),
            Column(
                "detail_url",
                lambda row: reverse("memberaudit:character_mail", args=[character.pk, row.mail_id]),
            ),
        ],
        default_order="-timestamp",
        filters={"folder": _mail_folder},
        # sorted as shown: a mailing list's name, else the sender's
        sort_keys={
            "sender_sort": Coalesce(NullIf("sender_mailing_list__name", Value("")), "sender__name")
        },
        keys_first=True,
        unscoped=rows,
    )


def _sender_contains(character: Character, text: str) -> Q:
    """Mails whose sender as shown (see ``sender_sort``: a mailing list's name, else the
    sender's) contains ``text``: the few matching lists and senders are found first, so that
    a search joins no mail to its sender."""
    lists = character.mailing_lists.all()
    named_lists = lists.exclude(name="").values("pk")
    return Q(sender_mailing_list__in=lists.filter(name__icontains=text).values("pk")) | (
        Q(sender__in=EveEntity.objects.filter(name__icontains=text).values("pk"))
        & ~Q(sender_mailing_list__in=named_lists)
    )


def _mail_folder(queryset: QuerySet, value: str) -> QuerySet:
    if value == "unread":
        return queryset.filter(is_read=False)
    kind, _, number = value.partition(":")
    number = query_params.identifier_or_none(number)
    if kind == "label" and number is not None:
        return queryset.filter(labels__label_id=number)
    if kind == "list" and number is not None:
        # the mails sent to the list, found once (not a lookup per mail: a page's count
        # subquery would otherwise make one for every mail of the character)
        to_list = CharacterMailRecipient.objects.filter(mailing_list__list_id=number)
        return queryset.filter(
            Q(sender_mailing_list__list_id=number) | Q(pk__in=to_list.values("mail"))
        )
    return queryset.none()
