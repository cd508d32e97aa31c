"""Reading change events: the viewer's Changes tab, the Red flags report, the daily digest.

Events are written by :mod:`memberaudit.change_events`. A red flag is an event of medium or
high severity. The report covers exactly the characters :func:`memberaudit.access.
accessible_characters` gives the viewer; every page costs a constant number of queries, served
by the indexes of :class:`~memberaudit.models.ChangeEvent`.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allianceauth.notifications import notify

from . import access, images
from .models import ChangeEvent, Character, RedFlagsVisit
from .tables import Column, SearchAmong, ServerSideTable

Kind = ChangeEvent.Kind
Severity = ChangeEvent.Severity

SEVERITY_TONES = {Severity.LOW: "secondary", Severity.MEDIUM: "warning", Severity.HIGH: "danger"}
DIGEST_PERIOD = timedelta(days=1)
DIGEST_MAX_LINES = 20


def describe(event: ChangeEvent) -> str:
    """One line for people: what happened, with whom."""
    name = _entity_name(event)
    details = event.details or {}
    if event.kind == Kind.CORPORATION_JOINED:
        return gettext("Joined %(name)s") % {"name": name}
    if event.kind == Kind.CORPORATION_LEFT:
        return gettext("Left %(name)s") % {"name": name}
    if event.kind == Kind.CONTACT_ADDED:
        return gettext("Added %(name)s as contact (standing %(standing)+.1f)") % {
            "name": name,
            "standing": details.get("standing") or 0,
        }
    if event.kind == Kind.CONTACT_REMOVED:
        return gettext("Removed %(name)s from contacts") % {"name": name}
    if event.kind == Kind.CONTACT_STANDING:
        return gettext("Standing towards %(name)s changed from %(old)+.1f to %(new)+.1f") % {
            "name": name,
            "old": details.get("old") or 0,
            "new": details.get("new") or 0,
        }
    if event.kind == Kind.LARGE_TRANSFER:
        return gettext("%(amount)s ISK (%(ref_type)s) with %(name)s") % {
            "amount": f"{float(details.get('amount') or 0):,.2f}",
            "ref_type": str(details.get("ref_type", "")).replace("_", " "),
            "name": name,
        }
    if event.kind == Kind.NEW_SYSTEM:
        what = gettext("Assets") if details.get("seen_by") == "assets" else gettext("Ship")
        return gettext("%(what)s seen in %(system)s for the first time") % {
            "what": what,
            "system": details.get("solar_system", ""),
        }
    if event.kind == Kind.SKILL_INJECTED:
        return gettext("Skill points grew by %(gained)s, training allows %(allowed)s") % {
            "gained": f"{details.get('gained', 0):,}",
            "allowed": f"{details.get('allowed', 0):,}",
        }
    if event.kind in (Kind.CORPORATION_APPLICATION, Kind.LOCATOR_AGENT):
        return gettext("Notification %(type)s from %(name)s") % {
            "type": details.get("type", ""),
            "name": name,
        }
    if event.kind == Kind.OUTSIDE_CO_ATTACKERS:
        return gettext("Kill with %(count)s co-attackers outside the alliance, e.g. %(name)s") % {
            "count": details.get("outsiders", 0),
            "name": name,
        }
    if event.kind == Kind.WATCHLIST:
        return gettext("Watched %(name)s in a %(source)s") % {
            "name": name,
            "source": details.get("source", ""),
        }
    return event.get_kind_display()


def _entity_name(event: ChangeEvent) -> str:
    entity = event.entity if event.entity_id else None
    if entity is not None and entity.name:
        return entity.name
    return f"#{event.entity_id}" if event.entity_id else "?"


def viewer_link(event: ChangeEvent) -> str:
    """The viewer of the event's character, at the tab of the section the event comes from."""
    from .sections import registry

    url = reverse("memberaudit:character_viewer", args=[event.character_id])
    if event.section in registry and registry.get(event.section).tab:
        return f"{url}#tab-{event.section}"
    return url


def _severity_badge(event: ChangeEvent) -> dict:
    return {"text": event.get_severity_display(), "tone": SEVERITY_TONES[event.severity]}


# --- the Changes tab ---------------------------------------------------------------------------


def changes_tab(character: Character) -> dict:
    """The kinds of events the character has, with counts, for the filter (one query)."""
    counts = dict(
        character.change_events.order_by()
        .values_list("kind")
        .annotate(count=Count("pk"))
        .values_list("kind", "count")
    )
    kinds = [
        {"key": key, "title": title, "count": counts[key]}
        for key, title in Kind.choices
        if key in counts
    ]
    return {"kinds": kinds, "total": sum(counts.values())}


def changes_table(character: Character) -> ServerSideTable:
    """The character's events, newest first, filtered by kind (``kind``)."""
    return ServerSideTable(
        character.change_events.select_related("entity"),
        [
            Column(
                "time",
                lambda row: row.occurred_at.isoformat(),
                "occurred_at",
                title=_("Time"),
                render="datetime",
                priority=1,
            ),
            Column(
                "severity",
                _severity_badge,
                "severity",
                title=_("Severity"),
                render="badge",
                priority=2,
            ),
            Column("kind", lambda row: row.get_kind_display(), title=_("Kind"), priority=3),
            Column("summary", describe, title=_("What"), priority=1),
            Column(
                "link",
                lambda row: {"text": gettext("open"), "url": viewer_link(row)},
                title=_("Where"),
                render="link",
                priority=4,
            ),
        ],
        default_order="-occurred_at",
        tiebreaker="-pk",  # one direction: the index on the time serves the whole order
        filters={"kind": lambda queryset, value: queryset.filter(kind=value)},
    )


# --- the Red flags report ----------------------------------------------------------------------


def red_flags(user: User) -> QuerySet[ChangeEvent]:
    """Red flags of exactly the characters ``user`` may open."""
    flags = ChangeEvent.objects.filter(severity__gte=Severity.MEDIUM)
    if access.can_view_every_character(user):
        return flags  # no filter: the newest flags come straight from the time index
    return flags.filter(character_id__in=_characters_in_scope(user))


def _characters_in_scope(user: User) -> "list[int] | QuerySet":
    """The characters whose red flags ``user`` sees, for a condition ``pk__in``.

    The characters with red flags are read first, up to
    :data:`memberaudit.access.CHECKED_CHARACTERS` of them (from the index on character and
    severity): while there are at most that many, only they are checked against the viewer's
    rules
    (:func:`memberaudit.access.accessible_character_keys_among`), nothing at all while there
    are none, at the cost of how many they are however many characters the viewer's scope
    holds. With more, the keys of the scope are read rule by rule
    (:func:`memberaudit.access.accessible_character_keys`). Either way a page reads their
    flags by key: as a subquery of the page, MariaDB read every character's flags before
    checking whether the viewer may open it."""
    flagged = list(
        ChangeEvent.objects.filter(severity__gte=Severity.MEDIUM)
        .order_by()
        .values_list("character_id", flat=True)
        .distinct()[: access.CHECKED_CHARACTERS + 1]
    )
    if len(flagged) <= access.CHECKED_CHARACTERS:
        return access.accessible_character_keys_among(user, flagged)
    return access.accessible_character_keys(user)


def start_visit(user: User) -> RedFlagsVisit:
    """Mark that ``user`` opens the report now: what was recorded since the visit before is
    "new" to them during this visit."""
    now = timezone.now()
    visit = RedFlagsVisit.objects.filter(user=user).first()
    if visit is None:
        return RedFlagsVisit.objects.create(user=user, seen_at=now, seen_before=None)
    visit.seen_before, visit.seen_at = visit.seen_at, now
    visit.save(update_fields=["seen_at", "seen_before"])
    return visit


def new_since(user: User) -> datetime | None:
    """Since when red flags are new to ``user``: the start of their visit before; None: all."""
    return RedFlagsVisit.objects.filter(user=user).values_list("seen_before", flat=True).first()


def red_flags_table(user: User, since: datetime | None = None) -> ServerSideTable:
    """The red flags ``user`` may see, newest first; ``since`` marks which are new. Filters:
    ``severity`` (at least) and ``new`` (only new ones)."""

    def is_new(row: ChangeEvent) -> bool:
        return since is None or row.recorded_at > since

    def only_new(queryset, value):
        return queryset.filter(recorded_at__gt=since) if since else queryset

    def at_least(queryset, value):
        return queryset.filter(severity__gte=int(value)) if value.isdigit() else queryset

    return ServerSideTable(
        red_flags(user).select_related("character__eve_character__character_ownership", "entity"),
        [
            Column(
                "time",
                lambda row: row.occurred_at.isoformat(),
                "occurred_at",
                title=_("Time"),
                render="datetime",
                priority=1,
            ),
            Column(
                "severity",
                _severity_badge,
                "severity",
                title=_("Severity"),
                render="badge",
                priority=2,
            ),
            Column(
                "new",
                lambda row: {"text": gettext("new"), "tone": "primary"} if is_new(row) else None,
                title=_("New"),
                render="badge",
                priority=3,
            ),
            Column(
                "character",
                lambda row: row.character.eve_character.character_name,
                # the characters are found first (one query), then their flags through the
                # index on character and severity; as a subquery MariaDB read every
                # character's flags before looking at the name
                search=SearchAmong("character_id", Character, "eve_character__character_name"),
                title=_("Character"),
                render="character",
                priority=1,
            ),
            Column(
                "portrait_url",
                lambda row: images.character_portrait_url(row.character.eve_character.character_id),
            ),
            Column("url", viewer_link),
            Column("kind", lambda row: row.get_kind_display(), title=_("Kind"), priority=4),
            Column("summary", describe, title=_("What"), priority=2),
        ],
        default_order="-occurred_at",
        tiebreaker="-pk",  # one direction: the index on the time serves the whole order
        filters={"severity": at_least, "new": only_new},
        keys_first=True,  # MariaDB would join every flag's character before sorting
    )


def owner_pk(event: ChangeEvent) -> int | None:
    """The owner of the event's character (loaded with the report's rows)."""
    ownership = getattr(event.character.eve_character, "character_ownership", None)
    return ownership.user_id if ownership else None


# --- the daily digest --------------------------------------------------------------------------


def digest_lines(user: User, since: datetime) -> list[str]:
    """The red flags recorded since ``since`` that ``user`` may see, one line each, most
    severe first (one query, at most :data:`DIGEST_MAX_LINES` lines)."""
    events = (
        red_flags(user)
        .filter(recorded_at__gt=since)
        .select_related("character__eve_character", "entity")
        .order_by("-severity", "-occurred_at")[:DIGEST_MAX_LINES]
    )
    return [
        f"[{event.get_severity_display()}] {event.character.eve_character.character_name}: "
        f"{describe(event)}"
        for event in events
    ]


RECEIVE_RED_FLAGS = "memberaudit.receive_red_flags"


def send_digests(now: datetime | None = None) -> int:
    """Notify every user with ``receive_red_flags`` of the red flags recorded during the last
    day among the characters they may open; returns how many users were notified."""
    since = (now or timezone.now()) - DIGEST_PERIOD
    told = 0
    for user in access.users_with_permission(RECEIVE_RED_FLAGS).select_related(
        "profile__main_character"
    ):
        lines = digest_lines(user, since)
        if not lines:
            continue
        notify(
            user,
            gettext("Member Audit: %(count)s new red flags") % {"count": len(lines)},
            "\n".join(lines),
            level="warning",
        )
        told += 1
    return told
