"""Read-only queries behind the pages: what a user sees, in a bounded number of queries.

Every function here costs a constant number of queries, however many characters or rows
there are. Access is never decided here: callers pass querysets from :mod:`memberaudit.access`.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone, translation

from allianceauth.eveonline.models import EveCharacter

from . import access
from .access_log import opened_title
from .models import (
    AccessLogEntry,
    Character,
    CharacterCloneInfo,
    CharacterCorporationRole,
    CharacterDetails,
    CharacterJumpCloneImplant,
    CharacterSkillqueueEntry,
    SectionUpdateStatus,
)
from .tables import for_browser

TOKEN_PROBLEMS = (
    SectionUpdateStatus.ErrorKind.TOKEN_INVALID,
    SectionUpdateStatus.ErrorKind.TOKEN_LIMITED,
)

LAUNCHER_RELATIONS = (
    "eve_character",
    "location__eve_solar_system",
    "location__location__eve_solar_system",
    "ship__eve_type",
    "wallet_balance",
    "skillpoints",
    "jump_fatigue",
)

CHARACTER_DETAILS_RELATIONS = (
    "race",
    "bloodline",
    "ancestry",
    "corporation",
    "alliance",
    "faction",
)

VIEWER_RELATIONS = (
    *LAUNCHER_RELATIONS,
    "eve_character__character_ownership__user__profile__main_character",
    "online_status",
    # what the Character tab and the Jump clones tab show, loaded with the character
    *(f"details__{related}" for related in CHARACTER_DETAILS_RELATIONS),
    "clone_info__home_location__eve_solar_system",
    "attributes",
    "fw_stats__faction",
)

_OWNER = "eve_character__character_ownership__user"


# --- launcher ---


def launcher_characters(user: User) -> QuerySet[Character]:
    """The user's registered characters with everything the launcher cards show.

    Annotates ``total_status``, ``token_problem`` (the worst token error kind, or None),
    ``unread_mails``, ``is_main`` (the owner's main character, listed first), the skill in
    training now: ``training_skill``, ``training_level``, ``training_finish`` (or None) and
    ``extractors_expired`` (a colony's extractor has stopped); each character's unexpired
    shares are in ``open_shares``.
    """
    shares = access.unexpired_shares().select_related("user__profile__main_character", "group")
    return (
        Character.objects.filter(**{_OWNER: user})
        .with_status()
        .annotate(
            token_problem=_token_problem(),
            unread_mails=_unread_mails(),
            is_main=ExpressionWrapper(
                Q(**{f"{_OWNER}__profile__main_character": F("eve_character")}),
                output_field=BooleanField(),
            ),
            **_training_now(),
            extractors_expired=_extractors_expired(),
        )
        .select_related(*LAUNCHER_RELATIONS)
        .prefetch_related(
            Prefetch("shares", queryset=shares.order_by("created_at", "pk"), to_attr="open_shares")
        )
        .order_by("-is_main", "eve_character__character_name")
    )


def _training_now() -> dict:
    """Subqueries for the skill queue entry in training now (None for a paused queue)."""
    active = CharacterSkillqueueEntry.objects.filter(character=OuterRef("pk")).active()
    active = active.order_by("queue_position")
    return {
        "training_skill": Subquery(active.values("eve_type__name")[:1]),
        "training_level": Subquery(active.values("finished_level")[:1]),
        "training_finish": Subquery(active.values("finish_date")[:1]),
    }


SHARE_VIEWS_SHOWN = 100


def share_views(owner: User) -> list[AccessLogEntry]:
    """Who opened the owner's characters through a share, newest first (one query); each
    entry's ``opened`` says what was opened.

    Views through leadership scopes are left out: only admins and ``view_access_log`` see them.
    """
    entries = list(
        AccessLogEntry.objects.filter(
            **{f"character__{_OWNER}": owner}, reason=AccessLogEntry.Reason.SHARE
        )
        .select_related("viewer__profile__main_character", "character__eve_character")
        .order_by("-viewed_at", "-pk")[:SHARE_VIEWS_SHOWN]
    )
    for entry in entries:
        entry.opened = opened_title(entry.section)
    return entries


def access_log_entries() -> QuerySet[AccessLogEntry]:
    """The whole access log with what its table shows, for ``view_access_log``."""
    return AccessLogEntry.objects.select_related(
        "viewer__profile__main_character", "character__eve_character"
    )


def unregistered_characters(user: User) -> QuerySet[EveCharacter]:
    """The user's characters in Auth that are not registered with Member Audit."""
    return EveCharacter.objects.filter(
        character_ownership__user=user, memberaudit_character__isnull=True
    ).order_by("character_name")


def _token_problem() -> Subquery:
    """The worst token error of a character's sections: ``token_invalid`` sorts first."""
    problems = SectionUpdateStatus.objects.filter(
        character=OuterRef("pk"), error_kind__in=TOKEN_PROBLEMS
    ).order_by("error_kind")
    return Subquery(problems.values("error_kind")[:1])


def _extractors_expired() -> Exists:
    """Whether any extractor of the character's colonies has stopped."""
    from .models import CharacterPlanetPin

    return Exists(
        CharacterPlanetPin.objects.filter(
            planet__character=OuterRef("pk"),
            kind=CharacterPlanetPin.Kind.EXTRACTOR,
            expiry_time__lte=timezone.now(),
        )
    )


def _unread_mails():
    """Count of a character's unread mails, as a subquery so it does not multiply the status
    counts of ``with_status``; 0 while the mails model is not there."""
    from . import models

    mail_model = getattr(models, "CharacterMail", None)
    if mail_model is None:
        return Value(0, output_field=IntegerField())
    unread = (
        mail_model.objects.filter(character=OuterRef("pk"), is_read=False)
        .order_by()
        .values("character")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


# --- character viewer ---


@dataclass
class ViewerTabContent:
    """One tab of the viewer for one character, ready for the template."""

    name: str
    title: Any
    template: str
    lazy: bool
    status: SectionUpdateStatus | None
    data: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)  # name -> tables.for_browser(...)
    has_status: bool = True  # False for a page no section fills (never updated itself)


def viewer_page(user: User, character: Character) -> dict:
    """Everything the character viewer shows: overview, tabs and sidebar."""
    from .sections import registry

    shared = Exists(access.live_shares().filter(character=OuterRef("pk")))
    character = (
        Character.objects.select_related(*VIEWER_RELATIONS)
        .with_status()
        .annotate(is_shared=shared)
        .get(pk=character.pk)
    )
    statuses = {status.section: status for status in character.update_status_set.all()}
    tabs = [
        viewer_tab(character, section, statuses.get(section.name), with_data=not section.tab.lazy)
        for section in registry.viewer_tabs()
    ]
    nav_groups = navigation_groups(tabs, {s.name: s.tab.group for s in registry.viewer_tabs()})
    overview_parts = [
        {
            "template": section.overview.template,
            "data": section.overview.context(character) if section.overview.context else {},
            "status": statuses.get(section.name),
        }
        for section in registry.with_overview()
    ]
    return {
        "character": character,
        "main_character": main_character_of(character),
        "training": _training_of(character, tabs),
        "overview_parts": overview_parts,
        "nav_groups": nav_groups,
        "tabs": [tab for group in nav_groups for tab in group.tabs],
        "sidebar_characters": sidebar_characters(user, character),
    }


@dataclass
class NavigationGroup:
    """One menu of the viewer's navigation: a :class:`~memberaudit.sections.NavGroup` and its
    tabs, in registry order."""

    name: str
    title: Any
    tabs: list[ViewerTabContent]

    @property
    def has_errors(self) -> bool:
        return any(tab.status and tab.status.is_success is False for tab in self.tabs)


def navigation_groups(
    tabs: list[ViewerTabContent], group_of: dict[str, str]
) -> list[NavigationGroup]:
    """The tabs grouped by their section's navigation group, groups in
    :class:`~memberaudit.sections.NavGroup` order; a group without tabs is left out."""
    from .sections.base import NavGroup

    groups = [
        NavigationGroup(name, title, [tab for tab in tabs if group_of[tab.name] == name])
        for name, title in NavGroup.TITLES.items()
    ]
    return [group for group in groups if group.tabs]


def viewer_tab(
    character: Character, section, status: SectionUpdateStatus | None, with_data: bool = True
) -> ViewerTabContent:
    """One tab with its status and (unless loaded later) its data; ``section`` may also be a
    :class:`~memberaudit.sections.ViewerPage`."""
    from .sections import ViewerPage

    tab = section.tab
    data = tab.context(character) if with_data and tab.context else {}
    tables = {
        name: for_browser(
            reverse("memberaudit:character_data", args=[character.pk, name]),
            _table_spec(name, build, character),
        )
        for name, build in tab.tables.items()
    }
    return ViewerTabContent(
        name=section.name,
        title=tab.title or section.title,
        template=tab.template,
        lazy=tab.lazy and not with_data,
        status=status,
        data=data,
        tables=tables,
        has_status=not isinstance(section, ViewerPage),
    )


_TABLE_SPECS: dict[tuple[str, str], dict] = {}


def _table_spec(name: str, build, character: Character) -> dict:
    """The browser spec of a viewer table: its columns, the same for every character, built
    once per language (building a table prepares its queryset, which costs more than the
    page's queries)."""
    key = (name, translation.get_language())
    spec = _TABLE_SPECS.get(key)
    if spec is None:
        spec = _TABLE_SPECS[key] = build(character).browser_spec()
    return spec


def section_status(character: Character, section_name: str) -> SectionUpdateStatus | None:
    return character.update_status_set.filter(section=section_name).first()


def main_character_of(character: Character) -> EveCharacter | None:
    """The main of the character's owner (loaded by the viewer's select_related)."""
    try:
        return character.eve_character.character_ownership.user.profile.main_character
    except ObjectDoesNotExist:
        return None


def _training_of(character: Character, tabs: list[ViewerTabContent]):
    """The skill in training now, taken from the skill queue tab when the page loaded it (the
    entries come in queue order, each knowing whether it trains now)."""
    queue = next((tab.data for tab in tabs if tab.name == "skill_queue" and tab.data), None)
    if queue is None:
        return active_training(character)
    return next((entry for entry in queue["entries"] if entry.in_training), None)


def active_training(character: Character) -> CharacterSkillqueueEntry | None:
    """The skill queue entry in training now; None for a paused or empty queue."""
    return (
        CharacterSkillqueueEntry.objects.filter(character=character)
        .select_related("eve_type")
        .active_entry()
    )


def sidebar_characters(user: User, character: Character) -> QuerySet[Character]:
    """The owner's characters that ``user`` may open, the shown one included."""
    owner = character.owner
    if owner is None:
        return Character.objects.filter(pk=character.pk)
    return (
        access.accessible_characters(user)
        .filter(**{_OWNER: owner})
        .select_related("eve_character")
        .order_by("eve_character__character_name")
    )


# --- tab data, one function per tab ---


def character_details_tab(character: Character) -> dict:
    details = _loaded_or_first(
        character,
        "details",
        CharacterDetails.objects.select_related(*CHARACTER_DETAILS_RELATIONS),
    )
    return {"details": details}


def _loaded_or_first(character: Character, name: str, rows: QuerySet):
    """A one-to-one row of the character: the one the viewer loaded with it (with its related
    rows, see ``VIEWER_RELATIONS``), else the character's row of ``rows`` (one query); None
    when there is none."""
    if getattr(Character, name).is_cached(character):
        return getattr(character, name, None)
    return rows.filter(character=character).first()


def corporation_history_tab(character: Character) -> dict:
    entries = (
        character.corporation_history.with_end_dates()
        .select_related("corporation")
        .order_by("-record_id")
    )
    return {"entries": entries}


def implants_tab(character: Character) -> dict:
    return {"implants": character.implants.select_related("eve_type")}


def jump_clones_tab(character: Character) -> dict:
    implants = CharacterJumpCloneImplant.objects.select_related("eve_type")
    clones = character.jump_clones.select_related("location__eve_solar_system").prefetch_related(
        Prefetch("implants", queryset=implants)
    )
    clone_info = _loaded_or_first(
        character,
        "clone_info",
        CharacterCloneInfo.objects.select_related("home_location__eve_solar_system"),
    )
    return {"clones": clones, "clone_info": clone_info}


def loyalty_tab(character: Character) -> dict:
    entries = character.loyalty_entries.select_related("corporation").order_by(
        "-loyalty_points", "corporation__name"
    )
    return {"entries": entries}


def skill_queue_tab(character: Character) -> dict:
    """The queue in order; each entry knows whether it is in training now."""
    now = timezone.now()
    entries = list(character.skillqueue.select_related("eve_type").order_by("queue_position"))
    for entry in entries:
        entry.in_training = entry.is_active(now)
        entry.is_done = entry.finish_date is not None and entry.finish_date <= now
    last_finish = max((e.finish_date for e in entries if e.finish_date), default=None)
    return {
        "entries": entries,
        "is_paused": bool(entries) and all(entry.is_paused for entry in entries),
        "queue_finishes_at": last_finish if last_finish and last_finish > now else None,
    }


@dataclass
class SkillGroup:
    name: str
    skills: list
    skillpoints: int


def skills_tab(character: Character) -> dict:
    """Skills grouped by skill group (alphabetically), with SP per group and in total."""
    skills = character.skills.select_related("eve_type__eve_group").order_by(
        "eve_type__eve_group__name", "eve_type__name"
    )
    groups = []
    for group, members in itertools.groupby(skills, key=lambda skill: skill.eve_type.eve_group):
        members = list(members)
        groups.append(
            SkillGroup(
                name=group.name if group else "",
                skills=members,
                skillpoints=sum(skill.skillpoints_in_skill for skill in members),
            )
        )
    try:
        skillpoints = character.skillpoints
    except ObjectDoesNotExist:
        skillpoints = None
    return {"groups": groups, "skillpoints": skillpoints}


def contacts_tab(character: Character) -> dict:
    return {"labels": character.contact_labels.order_by("name")}


# --- finder ---

FINDER_FILTERS = {
    "corporation": "eve_character__corporation_id",
    "alliance": "eve_character__alliance_id",
    "main": f"{_OWNER}__profile__main_character__character_id",
    "state": f"{_OWNER}__profile__state__name",
}


@dataclass(frozen=True)
class FinderRows:
    """What the finder's table needs for one viewer.

    ``characters``: exactly ``access.finder_characters``, narrowed by the filters, and
    nothing more, so that counting them and finding a page's keys join only what the scope,
    the filters, the search and the sort need. ``sort_keys``: what the columns that are not
    fields of the character sort and search by (the owner's main and state, the shares, the
    role count), added only to a page sorted or searched by them. ``shown``: every character
    with what a row shows, loaded by key for the page's characters only."""

    characters: QuerySet[Character]
    sort_keys: dict[str, Any]
    shown: QuerySet[Character]


def finder_rows(user: User, filters: dict | None = None) -> FinderRows:
    """The finder's rows for ``user``, narrowed by ``filters`` (see :class:`FinderRows`).

    ``filters`` maps ``corporation``, ``alliance``, ``main`` (EVE ids), ``state`` (a name) and
    ``shared`` (a bool) and ``roles`` (corporation roles: "1" any, "0" none, "director",
    "accountant") to the wanted value, as :mod:`memberaudit.query_params` parsed them; empty
    values are ignored.

    ``is_shared`` says whether a live share opens the character to anyone, and
    ``share_ends_at`` when the last share that opens it to ``user`` ends (or, for a viewer who
    may open it anyway, the last of all); None: until revoked, or not shared.
    """
    now = timezone.now()
    shares = access.live_shares(now).filter(character=OuterRef("pk"))
    opening = access.open_shares(user, now).filter(character=OuterRef("pk"))
    characters = access.finder_characters(user)
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name == "shared":
            characters = characters.filter(Exists(shares) if value else ~Exists(shares))
        elif name == "roles":
            characters = _with_corporation_roles(characters, value)
        elif name in FINDER_FILTERS:
            characters = characters.filter(**{FINDER_FILTERS[name]: value})
    # the few shared characters are read once: most characters then need no subquery of their own
    shared = Q(pk__in=access.live_shares(now).values("character"))
    opened = Q(pk__in=access.open_shares(user, now).values("character"))
    sort_keys = {
        "main_name": _owner_field("profile__main_character__character_name"),
        "state_name": _owner_field("profile__state__name"),
        "is_shared": ExpressionWrapper(shared, output_field=BooleanField()),
        "share_ends_at": Case(
            When(opened, then=_latest_end(opening)),
            When(shared, then=_latest_end(shares)),
            default=None,
        ),
        "role_count": _role_count(),
    }
    shown = (
        Character.objects.select_related("eve_character")
        .annotate(
            **sort_keys,
            main_character_id=_owner_field("profile__main_character__character_id"),
        )
        .prefetch_related(
            Prefetch(
                "corporation_roles", queryset=CharacterCorporationRole.objects.order_by("role")
            )
        )
    )
    return FinderRows(characters, sort_keys, shown)


def _with_corporation_roles(queryset: QuerySet, value: str) -> QuerySet:
    """Narrow to characters with any corporation role ("1"), none ("0") or one key role
    ("director", "accountant"), in any of the four role lists."""
    roles = CharacterCorporationRole.objects.filter(character=OuterRef("pk"))
    key_roles = {role.lower(): role for role in CharacterCorporationRole.KEY_ROLES}
    if value in ("1", "true", "yes"):
        return queryset.filter(Exists(roles))
    if value in ("0", "false", "no"):
        return queryset.exclude(Exists(roles))
    if value in key_roles:
        return queryset.filter(Exists(roles.filter(role=key_roles[value])))
    return queryset


def _role_count() -> Coalesce:
    counts = (
        CharacterCorporationRole.objects.filter(character=OuterRef("pk"))
        .order_by()
        .values("character")
        .annotate(count=Count("role", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _latest_end(shares: QuerySet) -> Subquery:
    """The end of the share that lasts longest; NULL (until revoked) before any date."""
    ordered = shares.order_by(F("expires_at").desc(nulls_first=True))
    return Subquery(ordered.values("expires_at")[:1])


def finder_filter_options(user: User) -> dict:
    """The choices of the finder's filters, taken from the characters the user may see."""
    characters = access.finder_characters(user)

    def pairs(id_field, name_field):
        return (
            characters.exclude(**{f"{id_field}__isnull": True})
            .order_by(name_field)
            .values_list(id_field, name_field)
            .distinct()
        )

    return {
        "corporations": pairs("eve_character__corporation_id", "eve_character__corporation_name"),
        "alliances": pairs("eve_character__alliance_id", "eve_character__alliance_name"),
        "mains": pairs(
            f"{_OWNER}__profile__main_character__character_id",
            f"{_OWNER}__profile__main_character__character_name",
        ),
        "states": characters.exclude(**{f"{_OWNER}__profile__state__isnull": True})
        .order_by(f"{_OWNER}__profile__state__name")
        .values_list(f"{_OWNER}__profile__state__name", flat=True)
        .distinct(),
    }


def _owner_field(path: str) -> F:
    return F(f"{_OWNER}__{path}")


# --- mails, contracts and assets: child objects are always read through the character ---


def mails_tab(character: Character) -> dict:
    """The mail folders: labels and mailing lists with their unread counts (four queries).

    Counts start from the index of the character's unread mails or of a list's mails, so no
    count multiplies the rows of another, and none reads every mail."""
    from .models import CharacterMail, CharacterMailRecipient

    unread = character.mails.filter(is_read=False)
    unread_by_label = dict(
        unread.filter(labels__isnull=False)
        .order_by()
        .values_list("labels")
        .annotate(count=Count("pk"))
    )
    labels = list(character.mail_labels.order_by("label_id"))
    for label in labels:
        label.unread = unread_by_label.get(label.pk, 0)
    to_list = CharacterMailRecipient.objects.filter(
        mailing_list=OuterRef("pk"), mail__is_read=False
    )
    from_list = CharacterMail.objects.filter(sender_mailing_list=OuterRef("pk"), is_read=False)
    mailing_lists = character.mailing_lists.annotate(
        unread_to=_count_of(to_list, "mailing_list"),
        unread_from=_count_of(from_list, "sender_mailing_list"),
    ).order_by("name", "list_id")
    return {
        "labels": labels,
        "mailing_lists": mailing_lists,
        "unread": unread.count(),
    }


def _count_of(rows: QuerySet, group: str) -> Coalesce:
    """The number of ``rows`` (filtered by an outer reference on ``group``), as a subquery."""
    counts = rows.order_by().values(group).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def character_mails(character: Character) -> QuerySet:
    """The character's mails with what the mail reader shows."""
    from .models import CharacterMailRecipient

    recipients = CharacterMailRecipient.objects.select_related("eve_entity", "mailing_list")
    return character.mails.select_related("sender", "sender_mailing_list").prefetch_related(
        Prefetch("recipients", queryset=recipients.order_by("pk")), "labels"
    )


def character_contracts(character: Character) -> QuerySet:
    """The character's contracts with what the contract detail shows."""
    from .models import CharacterContractBid, CharacterContractItem

    items = CharacterContractItem.objects.select_related("eve_type").order_by(
        "-is_included", "eve_type__name", "record_id"
    )
    bids = CharacterContractBid.objects.select_related("bidder").order_by("-amount", "bid_id")
    return character.contracts.select_related(
        "issuer",
        "issuer_corporation",
        "assignee",
        "acceptor",
        "start_location__eve_solar_system",
        "end_location__eve_solar_system",
    ).prefetch_related(Prefetch("items", queryset=items), Prefetch("bids", queryset=bids))


def contracts_tab(character: Character) -> dict:
    return {"outstanding": character.contracts.filter(status="outstanding").count()}


def assets_tab(character: Character) -> dict:
    """Totals of the assets tab: items, and places with items (from the counts per place
    kept when the assets are stored)."""
    totals = character.asset_places.aggregate(items=Sum("all_items"), locations=Count("pk"))
    return {"items": totals["items"] or 0, "locations": totals["locations"]}


# --- intel: killmails, notifications, contact notifications, calendar ---


TOP_KILLMAIL_ROWS = 5


def killmails_tab(character: Character) -> dict:
    """How many kills and losses are stored and wait for details, the ships the character
    flew on its kills and the systems it fought in most (three queries)."""
    from .models import KillmailAttacker

    counts = character.killmails.aggregate(
        kills=Count("pk", filter=Q(is_loss=False)),
        losses=Count("pk", filter=Q(is_loss=True)),
        waiting=Count("pk", filter=Q(is_loss__isnull=True)),
    )
    ships = (
        KillmailAttacker.objects.filter(
            killmail__characters__character=character,
            character_id=character.eve_character.character_id,
            ship_type__isnull=False,
        )
        .values("ship_type__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "ship_type__name")[:TOP_KILLMAIL_ROWS]
    )
    systems = (
        character.killmails.filter(is_loss__isnull=False, killmail__solar_system__isnull=False)
        .values("killmail__solar_system__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "killmail__solar_system__name")[:TOP_KILLMAIL_ROWS]
    )
    return {
        **counts,
        "ships": [(row["ship_type__name"], row["count"]) for row in ships],
        "systems": [(row["killmail__solar_system__name"], row["count"]) for row in systems],
    }


def notifications_tab(character: Character) -> dict:
    """The groups of notification types with their counts, and the unread count (2 queries)."""
    from .notification_texts import Group

    counts = dict(
        character.notifications.values_list("group").annotate(count=Count("pk")).order_by()
    )
    groups = [
        {"key": key, "title": title, "count": counts[key]}
        for key, title in Group.TITLES.items()
        if counts.get(key)
    ]
    return {
        "groups": groups,
        "total": sum(counts.values()),
        "unread": character.notifications.filter(is_read=False).count(),
    }


MAX_CONTACT_NOTIFICATIONS_SHOWN = 200


def contact_notifications_tab(character: Character) -> dict:
    """The newest contact notifications with their senders (one query)."""
    rows = character.contact_notifications.select_related("sender").order_by(
        "-send_date", "-notification_id"
    )[:MAX_CONTACT_NOTIFICATIONS_SHOWN]
    return {"notifications": list(rows)}


def calendar_tab(character: Character) -> dict:
    """The character's events, soonest first (one query)."""
    return {"events": list(character.calendar_events.order_by("event_date", "event_id"))}


def character_killmail(character: Character, killmail_id: int):
    """One killmail of the character with its attackers and items; None when the character
    has no such killmail or its details are not stored yet (three queries)."""
    from .models import KillmailAttacker, KillmailItem

    link = (
        character.killmails.filter(killmail_id=killmail_id, is_loss__isnull=False)
        .select_related(
            "killmail__solar_system",
            "killmail__victim_character",
            "killmail__victim_corporation",
            "killmail__victim_alliance",
            "killmail__victim_faction",
            "killmail__victim_ship_type",
        )
        .prefetch_related(
            Prefetch(
                "killmail__attackers",
                queryset=KillmailAttacker.objects.select_related(
                    "character", "corporation", "alliance", "faction", "ship_type", "weapon_type"
                ).order_by("-is_final_blow", "-damage_done", "pk"),
            ),
            Prefetch(
                "killmail__items",
                queryset=KillmailItem.objects.select_related("item_type").order_by("position"),
            ),
        )
        .first()
    )
    return link


def industry_jobs_tab(character: Character) -> dict:
    """How many jobs run and how many wait for delivery (one query)."""
    return character.industry_jobs.aggregate(
        active=Count("pk", filter=Q(status="active")),
        ready=Count("pk", filter=Q(status="ready")),
    )


@dataclass
class MiningMonthRow:
    """What a character mined of one ore in one month."""

    month: Any
    ore: str
    quantity: int
    volume: float | None
    isk: float | None  # None when the ore has no market price


def mining_ledger_tab(character: Character) -> dict:
    """The mining ledger grouped by month and ore, newest month first (one query)."""
    rows = (
        character.mining_ledger.annotate(month=TruncMonth("date"))
        .values(
            "month", "eve_type__name", "eve_type__volume", "eve_type__market_price__average_price"
        )
        .annotate(quantity=Sum("quantity"))
        .order_by("-month", "eve_type__name")
    )
    months: dict = {}
    for row in rows:
        quantity = row["quantity"] or 0
        unit_volume = row["eve_type__volume"]
        price = row["eve_type__market_price__average_price"]
        months.setdefault(row["month"], []).append(
            MiningMonthRow(
                month=row["month"],
                ore=row["eve_type__name"],
                quantity=quantity,
                volume=quantity * unit_volume if unit_volume is not None else None,
                isk=quantity * price if price is not None else None,
            )
        )
    return {
        "months": [
            {
                "month": month,
                "rows": month_rows,
                "volume": sum(row.volume or 0 for row in month_rows),
                "isk": (
                    sum(row.isk for row in month_rows if row.isk is not None)
                    if any(row.isk is not None for row in month_rows)
                    else None
                ),
            }
            for month, month_rows in months.items()
        ]
    }


def planets_tab(character: Character) -> dict:
    """Colonies with their planet and layout; colonies with a stopped extractor are marked."""
    from .models import CharacterPlanetPin

    now = timezone.now()
    pins = CharacterPlanetPin.objects.select_related("eve_type", "product_type").order_by("pin_id")
    colonies = list(
        character.planets.select_related("eve_solar_system", "eve_planet")
        .prefetch_related(Prefetch("pins", queryset=pins))
        .order_by("eve_solar_system__name", "eve_planet__name", "planet_id")
    )
    for colony in colonies:
        colony_pins = list(colony.pins.all())
        colony.extractors = [
            pin for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.EXTRACTOR
        ]
        colony.has_expired_extractors = any(
            pin.expiry_time and pin.expiry_time <= now for pin in colony.extractors
        )
        colony.factory_count = sum(
            1 for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.FACTORY
        )
        colony.storage_count = sum(
            1 for pin in colony_pins if pin.kind == CharacterPlanetPin.Kind.STORAGE
        )
        colony.layout = _colony_layout(colony_pins, now)
    return {"colonies": colonies, "now": now}


def _colony_layout(pins: list, now) -> list[dict]:
    """One row per extractor (each has its product and expiry), one per kind and type of the
    other installations, with how many there are and what they hold."""
    from .models import CharacterPlanetPin

    kind = CharacterPlanetPin.Kind
    order = [kind.COMMAND_CENTER, kind.EXTRACTOR, kind.FACTORY, kind.STORAGE, kind.OTHER]
    rows: dict[tuple, dict] = {}
    for pin in pins:
        key = (pin.kind, pin.pin_id if pin.kind == kind.EXTRACTOR else pin.eve_type_id)
        row = rows.get(key)
        if row is None:
            rows[key] = row = {
                "kind": pin.kind,
                "kind_label": pin.get_kind_display(),
                "type_name": pin.eve_type.name if pin.eve_type else "",
                "product_name": pin.product_type.name if pin.product_type else "",
                "count": 0,
                "contents_amount": 0,
                "expiry_time": pin.expiry_time,
                "is_expired": bool(pin.expiry_time and pin.expiry_time <= now),
            }
        row["count"] += 1
        row["contents_amount"] += pin.contents_amount
    return sorted(rows.values(), key=lambda row: order.index(row["kind"]))
