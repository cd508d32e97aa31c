"""The access log table."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access_log import opened_choices, opened_title
from ..models import (
    AccessLogEntry,
    Character,
)
from ..tables import Column, ServerSideTable
from .common import iso, labels_of

# A search gives the page's queries the viewers or characters it matches as a list of keys
# when they are at most this many (see _found_first)
MAX_LISTED_MATCHES = 1000


def access_log(queryset) -> ServerSideTable:
    """The access log over rows from :func:`memberaudit.selectors.access_log_entries`.

    A page's keys are found first on the ``viewed_at`` index, without the joins to viewers
    and characters; the labels the "opened" and "right used" columns sort by are only added
    to pages sorted by them. Pages sorted by viewer are found viewer by viewer (a log has few
    viewers); characters are sorted by the database, as most have only a few entries."""
    viewer_main = "viewer__profile__main_character__character_name"
    character = "character__eve_character__character_name"
    return ServerSideTable(
        queryset,
        [
            Column(
                "viewed_at",
                lambda row: iso(row.viewed_at),
                order_by="viewed_at",
                title=_("When"),
                render="datetime",
                priority=1,
            ),
            Column(
                "viewer",
                lambda row: _user_name(row.viewer),
                viewer_main,
                _viewers_matching("profile__main_character__character_name"),
                title=_("Viewer"),
                priority=1,
                related="viewer",
            ),
            Column(
                "viewer_username",
                lambda row: row.viewer.username,
                "viewer__username",
                _viewers_matching("username"),
                title=_("User"),
                priority=4,
                related="viewer",
            ),
            Column(
                "character",
                lambda row: row.character.eve_character.character_name,
                character,
                _characters_matching,
                title=_("Character"),
                priority=1,
            ),
            Column("section", lambda row: row.section, search="section"),
            Column(
                "opened",
                lambda row: opened_title(row.section),
                order_by="opened_sort",
                title=_("Opened"),
                priority=2,
            ),
            Column(
                "reason",
                lambda row: row.get_reason_display(),
                order_by="reason_sort",
                title=_("Right used"),
                priority=3,
            ),
        ],
        default_order="-viewed_at",
        filters={
            "reason": lambda queryset, value: queryset.filter(reason=value),
            "since": _since,
        },
        sort_keys={
            "reason_sort": labels_of("reason", AccessLogEntry.Reason.choices),
            "opened_sort": labels_of("section", opened_choices(), default=F("section")),
        },
        keys_first=True,
        unscoped=queryset,
    )


def _viewers_matching(path: str) -> Callable[[str], Q]:
    """A search of the access log by a value of its viewers: the few matching users are found
    first, so the entries are not joined to every viewer."""

    def condition(text: str) -> Q:
        return Q(viewer__in=_found_first(User.objects.filter(**{f"{path}__icontains": text})))

    return condition


def _characters_matching(text: str) -> Q:
    """A search of the access log by character name: the matching characters first."""
    characters = Character.objects.filter(eve_character__character_name__icontains=text)
    return Q(character__in=_found_first(characters))


def _found_first(matching):
    """The keys of the rows ``matching`` a search, read in a query of their own when they are
    at most :data:`MAX_LISTED_MATCHES`, else a subquery of them: as subqueries, the page's
    query and its count each read every user's or character's name again."""
    keys = list(matching.order_by().values_list("pk", flat=True)[: MAX_LISTED_MATCHES + 1])
    return keys if len(keys) <= MAX_LISTED_MATCHES else matching.values("pk")


def _since(queryset, value: str):
    """Entries viewed on ``value`` (a day in the current time zone) or later: a range on the
    ``viewed_at`` index rather than the day of every entry."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return queryset.none()
    return queryset.filter(viewed_at__gte=_start_of(day))


def _start_of(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the current time zone, as ``__date`` lookups see it."""
    start = dt.datetime.combine(day, dt.time.min)
    return timezone.make_aware(start) if settings.USE_TZ else start


def _user_name(user) -> str:
    main = getattr(getattr(user, "profile", None), "main_character", None)
    return main.character_name if main else user.username
