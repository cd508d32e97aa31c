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
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from allianceauth.eveonline.models import EveCharacter

from . import access
from .models import (
    Character,
    CharacterCloneInfo,
    CharacterDetails,
    CharacterJumpCloneImplant,
    CharacterSkillqueueEntry,
    SectionUpdateStatus,
)

TOKEN_PROBLEMS = (
    SectionUpdateStatus.ErrorKind.TOKEN_INVALID,
    SectionUpdateStatus.ErrorKind.TOKEN_LIMITED,
)

LAUNCHER_RELATIONS = (
    "eve_character",
    "location__eve_solar_system",
    "location__location",
    "ship__eve_type",
    "wallet_balance",
    "skillpoints",
)

VIEWER_RELATIONS = (
    *LAUNCHER_RELATIONS,
    "eve_character__character_ownership__user__profile__main_character",
    "online_status",
    "details",
)

_OWNER = "eve_character__character_ownership__user"


# --- launcher ---


def launcher_characters(user: User) -> QuerySet[Character]:
    """The user's registered characters with everything the launcher cards show.

    Annotates ``total_status``, ``token_problem`` (the worst token error kind, or None) and
    ``unread_mails``.
    """
    return (
        Character.objects.filter(**{_OWNER: user})
        .with_status()
        .annotate(token_problem=_token_problem(), unread_mails=_unread_mails())
        .select_related(*LAUNCHER_RELATIONS)
        .order_by("eve_character__character_name")
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


def viewer_page(user: User, character: Character) -> dict:
    """Everything the character viewer shows: overview, tabs and sidebar."""
    from .sections import registry

    character = (
        Character.objects.select_related(*VIEWER_RELATIONS).with_status().get(pk=character.pk)
    )
    statuses = {status.section: status for status in character.update_status_set.all()}
    tabs = [
        viewer_tab(character, section, statuses.get(section.name), with_data=not section.tab.lazy)
        for section in registry.with_tabs()
    ]
    return {
        "character": character,
        "main_character": main_character_of(character),
        "training": active_training(character),
        "tabs": tabs,
        "sidebar_characters": sidebar_characters(user, character),
    }


def viewer_tab(
    character: Character, section, status: SectionUpdateStatus | None, with_data: bool = True
) -> ViewerTabContent:
    """One tab with its status and (unless loaded later) its data."""
    tab = section.tab
    data = tab.context(character) if with_data and tab.context else {}
    return ViewerTabContent(
        name=section.name,
        title=tab.title or section.title,
        template=tab.template,
        lazy=tab.lazy and not with_data,
        status=status,
        data=data,
    )


def section_status(character: Character, section_name: str) -> SectionUpdateStatus | None:
    return character.update_status_set.filter(section=section_name).first()


def main_character_of(character: Character) -> EveCharacter | None:
    """The main of the character's owner (loaded by the viewer's select_related)."""
    try:
        return character.eve_character.character_ownership.user.profile.main_character
    except ObjectDoesNotExist:
        return None


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
    details = (
        CharacterDetails.objects.select_related(
            "race", "bloodline", "ancestry", "corporation", "alliance", "faction"
        )
        .filter(character=character)
        .first()
    )
    return {"details": details}


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
    clone_info = (
        CharacterCloneInfo.objects.select_related("home_location__eve_solar_system")
        .filter(character=character)
        .first()
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


def finder_rows(user: User, filters: dict | None = None) -> QuerySet[Character]:
    """The finder's rows: exactly ``access.finder_characters``, narrowed by ``filters``.

    ``filters`` maps ``corporation``, ``alliance``, ``main`` (EVE ids), ``state`` (a name) and
    ``shared`` ("1" or "0") to the wanted value; empty values are ignored.
    """
    queryset = access.finder_characters(user)
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name == "shared":
            queryset = queryset.filter(is_shared=value in ("1", "true", "yes"))
        elif name in FINDER_FILTERS:
            queryset = queryset.filter(**{FINDER_FILTERS[name]: value})
    return queryset.select_related("eve_character").annotate(
        main_name=_owner_field("profile__main_character__character_name"),
        main_character_id=_owner_field("profile__main_character__character_id"),
        state_name=_owner_field("profile__state__name"),
    )


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
    """The mail folders: labels and mailing lists with their unread counts (two queries)."""
    labels = character.mail_labels.annotate(
        unread=Count("mails", filter=Q(mails__is_read=False), distinct=True)
    ).order_by("label_id")
    mailing_lists = character.mailing_lists.annotate(
        unread_to=Count(
            "received_mails__mail",
            filter=Q(received_mails__mail__is_read=False),
            distinct=True,
        ),
        unread_from=Count("sent_mails", filter=Q(sent_mails__is_read=False), distinct=True),
    ).order_by("name", "list_id")
    return {
        "labels": labels,
        "mailing_lists": mailing_lists,
        "unread": character.mails.filter(is_read=False).count(),
    }


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
    """Totals of the assets tab: items, and places with items (two counts on indexes)."""
    assets = character.assets.all()
    return {
        "items": assets.count(),
        "locations": assets.filter(parent__isnull=True, location__isnull=False)
        .values("location_id")
        .distinct()
        .count(),
    }
