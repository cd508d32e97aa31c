"""The data of the viewer's tabs, one function per tab. Child rows such as mails, contracts
and assets are always read through their character."""

import itertools
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    Character,
    CharacterCloneInfo,
    CharacterDetails,
    CharacterJumpCloneImplant,
)
from .related import CHARACTER_DETAILS_RELATIONS


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
    skills = (
        character.skills.select_related("eve_type__eve_group")
        .only(
            "character",  # the rows' own key, which a skill reads
            "eve_type__name",
            "eve_type__eve_group__name",
            "active_skill_level",
            "trained_skill_level",
            "skillpoints_in_skill",
        )
        .order_by("eve_type__eve_group__name", "eve_type__name")
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


def mails_tab(character: Character) -> dict:
    """The mail folders: labels and mailing lists with their unread counts (four queries).

    Counts start from the index of the character's unread mails or of a list's mails, so no
    count multiplies the rows of another, and none reads every mail."""
    from ..models import CharacterMail, CharacterMailRecipient

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
    from ..models import CharacterMailRecipient

    recipients = CharacterMailRecipient.objects.select_related("eve_entity", "mailing_list")
    return character.mails.select_related("sender", "sender_mailing_list").prefetch_related(
        Prefetch("recipients", queryset=recipients.order_by("pk")), "labels"
    )


def character_contracts(character: Character) -> QuerySet:
    """The character's contracts with what the contract detail shows."""
    from ..models import CharacterContractBid, CharacterContractItem

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
