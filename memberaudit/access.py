"""Who may open which character, and which users a report covers.

Every view, JSON endpoint, the finder and the reports ask this module; no other module decides
access. Affiliation is judged by the users' main characters. The viewer's own permissions come
from ``has_perm`` (so superusers hold all of them); other users' permissions (the owner of a
shared character, the users a report covers) are decided in SQL with the same meaning: direct,
via groups, via the Alliance Auth state, or as an active superuser.

Each selector is a single SQL query once the viewer's permissions and main character are loaded,
as they are in any view behind ``permission_required`` and a main character check.
"""

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from allianceauth.authentication.models import State
from allianceauth.eveonline.models import EveCharacter

from .models import Character

BASIC_ACCESS = "memberaudit.basic_access"
SHARE_CHARACTERS = "memberaudit.share_characters"
FINDER_ACCESS = "memberaudit.finder_access"
REPORTS_ACCESS = "memberaudit.reports_access"
CHARACTERS_ACCESS = "memberaudit.characters_access"
VIEW_SHARED_CHARACTERS = "memberaudit.view_shared_characters"
VIEW_SAME_CORPORATION = "memberaudit.view_same_corporation"
VIEW_SAME_ALLIANCE = "memberaudit.view_same_alliance"
VIEW_EVERYTHING = "memberaudit.view_everything"

_OWNER = "eve_character__character_ownership__user"


def users_with_permission(perm: str) -> QuerySet[User]:
    """Users for whom ``has_perm(perm)`` is true: active, and superuser or granted the
    permission directly, through a group or through their Alliance Auth state."""
    app_label, codename = perm.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    direct = User.user_permissions.through.objects.filter(
        user=OuterRef("pk"), permission__in=permission
    )
    via_group = Group.permissions.through.objects.filter(
        group__user=OuterRef("pk"), permission__in=permission
    )
    via_state = State.permissions.through.objects.filter(
        state__userprofile__user=OuterRef("pk"), permission__in=permission
    )
    return User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Exists(direct) | Exists(via_group) | Exists(via_state)
    )


def accessible_characters(user: User) -> QuerySet[Character]:
    """All characters ``user`` may open."""
    if not user.is_authenticated:
        return Character.objects.none()
    rule = Q(**{_OWNER: user})
    if user.has_perm(CHARACTERS_ACCESS):
        if user.has_perm(VIEW_EVERYTHING):
            return Character.objects.all()
        same_affiliation = _same_affiliation(user, f"{_OWNER}__")
        if same_affiliation is not None:
            rule |= same_affiliation
    if user.has_perm(VIEW_SHARED_CHARACTERS):
        rule |= Q(is_shared=True, **{f"{_OWNER}__in": users_with_permission(SHARE_CHARACTERS)})
    return Character.objects.filter(rule)


def can_view_character(user: User, character: Character) -> bool:
    """Whether ``user`` may open ``character``."""
    return accessible_characters(user).filter(pk=character.pk).exists()


def get_character_or_404_403(user: User, character_pk: int) -> Character:
    """The character for a URL: 404 when it does not exist, 403 when ``user`` may not open it."""
    may_open = Exists(accessible_characters(user).filter(pk=OuterRef("pk")))
    character = get_object_or_404(Character.objects.annotate(may_open=may_open), pk=character_pk)
    if not character.may_open:
        raise PermissionDenied
    return character


def finder_characters(user: User) -> QuerySet[Character]:
    """The characters the finder lists: those ``user`` may open, or none without finder access."""
    if not user.has_perm(FINDER_ACCESS):
        return Character.objects.none()
    return accessible_characters(user)


def report_users(user: User) -> QuerySet[User]:
    """The users a report shown to ``user`` covers; always including ``user``.

    Scope permissions apply here without ``characters_access``.
    """
    if not user.is_authenticated:
        return User.objects.none()
    rule = Q(pk=user.pk)
    if user.has_perm(VIEW_EVERYTHING):
        rule |= Q(pk__in=users_with_permission(BASIC_ACCESS))
    else:
        same_affiliation = _same_affiliation(user, "")
        if same_affiliation is not None:
            rule |= same_affiliation
    return User.objects.filter(rule)


def can_manage(user: User, character: Character) -> bool:
    """Whether ``user`` may change or remove ``character``: only its owner may."""
    owner = character.owner
    return owner is not None and owner.pk == user.pk


def can_share(user: User, character: Character) -> bool:
    """Whether ``user`` may share or unshare ``character``: its owner with ``share_characters``."""
    return can_manage(user, character) and user.has_perm(SHARE_CHARACTERS)


def _same_affiliation(viewer: User, user_path: str) -> Q | None:
    """Users (reached from the queried model by ``user_path``) whose main shares the viewer's
    main's alliance or corporation, as the viewer's scope permissions allow; None for nobody.

    A viewer without a main sees nobody this way; one whose main has no alliance gets the
    corporation rule for ``view_same_alliance``. Users without a main never match.
    """
    main = _main_character(viewer)
    if main is None:
        return None
    main_path = f"{user_path}profile__main_character__"
    alliance_scope = viewer.has_perm(VIEW_SAME_ALLIANCE)
    if alliance_scope and main.alliance_id:
        return Q(**{f"{main_path}alliance_id": main.alliance_id})
    if alliance_scope or viewer.has_perm(VIEW_SAME_CORPORATION):
        return Q(**{f"{main_path}corporation_id": main.corporation_id})
    return None


def _main_character(user: User) -> EveCharacter | None:
    profile = getattr(user, "profile", None)
    return profile.main_character if profile else None
