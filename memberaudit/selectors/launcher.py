"""The launcher: a user's own characters, their shares and who opened them."""

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
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
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from allianceauth.eveonline.models import EveCharacter

from .. import access
from ..access_log import opened_title
from ..models import (
    AccessLogEntry,
    Character,
    CharacterSkillqueueEntry,
    SectionUpdateStatus,
)
from .related import LAUNCHER_RELATIONS, OWNER

TOKEN_PROBLEMS = (
    SectionUpdateStatus.ErrorKind.TOKEN_INVALID,
    SectionUpdateStatus.ErrorKind.TOKEN_LIMITED,
)


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
        Character.objects.filter(**{OWNER: user})
        .with_status()
        .annotate(
            token_problem=_token_problem(),
            unread_mails=_unread_mails(),
            is_main=ExpressionWrapper(
                Q(**{f"{OWNER}__profile__main_character": F("eve_character")}),
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


# What a launcher card shows of a character's related rows, any of which may be missing.
CARD_RELATIONS = ("location", "ship", "wallet_balance", "skillpoints", "jump_fatigue")


def launcher_cards(user: User) -> list[Character]:
    """The characters of :func:`launcher_characters`, each with ``card``: its rows of
    :data:`CARD_RELATIONS` by name, None for those it lacks. A template then reads a missing
    row as None, where looking it up on the character raises, which the template engine
    answers by listing every attribute of the character, for each lookup."""
    characters = list(launcher_characters(user))
    for character in characters:
        character.card = {name: getattr(character, name, None) for name in CARD_RELATIONS}
    return characters


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
            **{f"character__{OWNER}": owner}, reason=AccessLogEntry.Reason.SHARE
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
    from ..models import CharacterPlanetPin

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
    from .. import models

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
