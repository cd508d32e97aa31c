"""Who may open which character, and which users a report covers.

Every view, JSON endpoint, the finder and the reports ask this module; no other module decides
access. Affiliation is judged by the users' main characters. The viewer's own permissions come
from ``has_perm`` (so superusers hold all of them); other users' permissions (the owner of a
shared character, the users a report covers) are decided in SQL with the same meaning: direct,
via groups, via the Alliance Auth state, or as an active superuser.

Each selector is a single SQL query once the viewer's permissions and main character are loaded,
as they are in any view behind ``permission_required`` and a main character check; the finder's
and the reports' scope on MariaDB read their characters' keys first, in one more (see
:func:`finder_characters`).

Shares end by themselves: every rule compares their end with now, so an expired share opens
nothing even before a task tidies it away. Who opens a character that is not theirs is
recorded in the access log, with the right that let them (:mod:`memberaudit.access_log`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from allianceauth.authentication.models import State
from allianceauth.eveonline.models import EveCharacter

from . import access_log, tables
from .models import AccessLogEntry, Character, CharacterShare

BASIC_ACCESS = "memberaudit.basic_access"
SHARE_CHARACTERS = "memberaudit.share_characters"
FINDER_ACCESS = "memberaudit.finder_access"
REPORTS_ACCESS = "memberaudit.reports_access"
CHARACTERS_ACCESS = "memberaudit.characters_access"
VIEW_SHARED_CHARACTERS = "memberaudit.view_shared_characters"
VIEW_SAME_CORPORATION = "memberaudit.view_same_corporation"
VIEW_SAME_ALLIANCE = "memberaudit.view_same_alliance"
VIEW_EVERYTHING = "memberaudit.view_everything"
VIEW_ACCESS_LOG = "memberaudit.view_access_log"
API_ACCESS = "memberaudit.api_access"
VIEW_ESI_BUDGET = "memberaudit.view_esi_budget"

OWNER = "owner"  # the reason an owner opens their own character: never logged

_OWNER = "eve_character__character_ownership__user"

# A viewer's scope of more characters than this is not read as a list of keys: a page tests
# the viewer's rules on each character it passes instead (see :func:`finder_scope`).
WIDE_SCOPE = 1_000
# Up to this many characters that something else found first (a search, red flags, a skill
# search) are checked against a viewer's rules one by one (see
# :func:`accessible_character_keys_among`); with more, the viewer's scope is read instead.
# Checking a character costs more than reading one key of a scope (at alliance scale on
# MariaDB, 1,665 found characters were checked in about the time an alliance's 5,000 keys
# were read, and 4,000 in longer than a corporation's 545).
CHECKED_CHARACTERS = 500


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


def accessible_characters(user: User, now: datetime | None = None) -> QuerySet[Character]:
    """All characters ``user`` may open."""
    rules = _rules(user, now or timezone.now())
    if any(condition is None for _, condition in rules):
        return Character.objects.all()
    return Character.objects.filter(_any_rule([condition for _, condition in rules]))


def can_view_every_character(user: User) -> bool:
    """Whether ``user`` may open every character (superuser, or ``view_everything`` with
    ``characters_access``): then selectors need not filter by character at all."""
    return any(condition is None for _, condition in _rules(user, timezone.now()))


def can_view_character(user: User, character: Character) -> bool:
    """Whether ``user`` may open ``character``."""
    return accessible_characters(user).filter(pk=character.pk).exists()


def get_character_or_404_403(
    user: User, character_pk: int, opened: str, related: tuple[str, ...] = ()
) -> Character:
    """The character for a URL: 404 when it does not exist, 403 when ``user`` may not open it.

    A character opened by someone other than its owner is recorded in the access log with the
    right that allowed it, under ``opened`` (the viewer page, a section, ...): one query to
    decide (joining the ``related`` relations), one to record.
    """
    now = timezone.now()
    character = get_object_or_404(
        Character.objects.select_related(*related).annotate(
            access_reason=_reason_expression(user, now)
        ),
        pk=character_pk,
    )
    if character.access_reason is None:
        raise PermissionDenied
    if character.access_reason != OWNER:
        access_log.record(user, [character.pk], opened, character.access_reason, now)
    return character


def get_character_or_404(
    user: User, character_pk: int, opened: str, related: tuple[str, ...] = ()
) -> Character:
    """As :func:`get_character_or_404_403`, but a character ``user`` may not open is 404 as
    well, so that its existence never shows (the read API)."""
    try:
        return get_character_or_404_403(user, character_pk, opened, related)
    except PermissionDenied:
        raise Http404 from None


def accessible_characters_with_reasons(user: User) -> QuerySet[Character]:
    """:func:`accessible_characters`, each annotated with ``access_reason``: the right that
    opens it to ``user`` (:data:`OWNER` for their own), for :func:`log_listed_characters`."""
    now = timezone.now()
    return accessible_characters(user, now).annotate(access_reason=_reason_expression(user, now))


def with_reasons(characters: QuerySet[Character], user: User) -> QuerySet[Character]:
    """``characters`` each annotated with ``access_reason`` as in
    :func:`accessible_characters_with_reasons` (NULL for one ``user`` may not open): for rows
    already chosen from ``user``'s scope and loaded anyway, so that logging them costs no
    read of its own (:func:`log_listed_characters`)."""
    return characters.annotate(access_reason=_reason_expression(user, timezone.now()))


def log_listed_characters(user: User, characters: Iterable[Character], opened: str) -> None:
    """Record that ``user`` was shown these characters (from
    :func:`accessible_characters_with_reasons` or :func:`with_reasons`) under ``opened``:
    those of other owners go to the access log, one write per reason."""
    by_reason: dict[str, list[int]] = {}
    for character in characters:
        if character.access_reason and character.access_reason != OWNER:
            by_reason.setdefault(character.access_reason, []).append(character.pk)
    now = timezone.now()
    for reason, pks in by_reason.items():
        access_log.record(user, pks, opened, reason, now)


def get_own_character_or_404_403(user: User, character_pk: int) -> Character:
    """The character for a URL that changes it: 404 when missing, 403 unless ``user`` owns it."""
    character = get_object_or_404(
        Character.objects.select_related("eve_character__character_ownership"), pk=character_pk
    )
    if not can_manage(user, character):
        raise PermissionDenied
    return character


def open_shares(user: User, now: datetime | None = None) -> QuerySet[CharacterShare]:
    """The shares that open a character to ``user`` now: live (see :func:`live_shares`) and
    meant for all recruiters (with ``view_shared_characters``) or for ``user`` or one of their
    groups (with ``finder_access``)."""
    if not user.is_authenticated:
        return CharacterShare.objects.none()
    audience = Q(pk__in=[])
    if user.has_perm(VIEW_SHARED_CHARACTERS):
        audience |= Q(user__isnull=True, group__isnull=True)
    if user.has_perm(FINDER_ACCESS):
        audience |= Q(user=user) | Q(group__in=Group.objects.filter(user=user))
    return live_shares(now).filter(audience)


def live_shares(now: datetime | None = None) -> QuerySet[CharacterShare]:
    """Shares that open their character to their audience now: not ended, and the character
    still owned by the user who shared it, who still holds ``share_characters``."""
    # asked of each share (there are few), not by listing every user who may share
    may_share = users_with_permission(SHARE_CHARACTERS).filter(pk=OuterRef("shared_by"))
    return unexpired_shares(now).filter(
        Exists(may_share), **{f"character__{_OWNER}": F("shared_by")}
    )


def among(keys: "list[int] | QuerySet") -> Q:
    """The condition that a row's key is among ``keys`` (a list or a subquery), also as SQL
    for an empty list: Django leaves a condition on no keys out of a query's conditions, but
    cannot as a value that a page sorts by or shows."""
    if isinstance(keys, list) and not keys:
        return Q(pk__isnull=True)  # no row
    return Q(pk__in=keys)


def shared_character_keys(shares: QuerySet[CharacterShare]) -> "list[int] | QuerySet":
    """The keys of the characters ``shares`` open, for a condition ``pk__in``: read first
    where scopes are (see :func:`memberaudit.tables.keys_read_as_list`). There are few; each
    condition on them is then a short list, which costs a page's query less to build and to
    run than the shares' conditions (the sharer's ownership and permissions) asked again in it."""
    return tables.read_keys(shares.order_by().values_list("character", flat=True).distinct())


def unexpired_shares(now: datetime | None = None) -> QuerySet[CharacterShare]:
    """Every share that has not ended yet, whoever it is for."""
    now = now or timezone.now()
    return CharacterShare.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def finder_characters(user: User) -> QuerySet[Character]:
    """The characters the finder lists: those ``user`` may open, or none without finder access.

    The same characters as :func:`accessible_characters`, found rule by rule first (see
    :func:`_keys_of_any_rule`): a page then sorts and counts only those, however many
    characters there are outside the viewer's scope."""
    keys = finder_character_keys(user)
    if keys is None:
        return Character.objects.all()
    return Character.objects.filter(tables.in_keys("pk", keys))


def finder_characters_by_rules(user: User) -> QuerySet[Character]:
    """:func:`finder_characters` chosen by the viewer's rules in the query itself, no keys
    read first: for a query that passes over every character in scope once anyway (the
    finder's filter choices)."""
    if not user.has_perm(FINDER_ACCESS):
        return Character.objects.none()
    return accessible_characters(user)


@dataclass(frozen=True)
class Scope:
    """The characters a viewer may open, in the form a page needs them: ``keys`` for a
    condition ``pk__in`` (a list on MariaDB and MySQL, a subquery on SQLite); for a scope of
    more than :data:`WIDE_SCOPE` characters, ``condition`` instead, the viewer's rules, which
    a page walking an index tests on each character it passes; both None for every
    character. ``count``: how many characters there are, when known without a query, or
    how to count them when asked (a wide scope: see :meth:`how_many`)."""

    keys: "list[int] | QuerySet | None" = None
    condition: Q | None = None
    count: "int | Callable[[], int] | None" = None
    rules: tuple = ()  # the viewer's rules the scope was found from (see :func:`_rules`)

    def keys_among(self, keys: "list[int] | QuerySet") -> list[int]:
        """Those of the characters ``keys`` that are in the scope, found as
        :func:`accessible_character_keys_among` finds them, from the rules already built."""
        return _keys_among([condition for _, condition in self.rules], keys)

    def how_many(self) -> int | None:
        """How many characters there are: ``count``, counted now if needs be; None when not
        known without a query."""
        return self.count() if callable(self.count) else self.count

    def characters(self) -> QuerySet[Character]:
        if self.keys is not None:
            return Character.objects.filter(tables.in_keys("pk", self.keys))
        if self.condition is not None:
            return Character.objects.filter(self.condition)
        return Character.objects.all()


def finder_scope(user: User, shared: "list[int] | None" = None) -> Scope:
    """The characters of :func:`finder_characters` as a :class:`Scope`; ``shared``: the keys
    of the characters :func:`open_shares` opens to ``user``, when read already (see
    :func:`shared_character_keys`).

    On MariaDB and MySQL a viewer with a scope of affiliation (corporation, alliance) has its
    characters counted first, up to one more than :data:`WIDE_SCOPE`: the affiliation on its
    own (one join from the owners in scope, which the database leaves once it has found that
    many), then those of the other rules (their own, the shared ones: a few) outside it. Up
    to :data:`WIDE_SCOPE` their keys are read; more are not (a page tests the rules
    instead), and are counted in full only when a page asks how many there are (a searched
    page whose browser knows it does not)."""
    if not user.has_perm(FINDER_ACCESS):
        return Scope(keys=[], count=0)
    rules = _rules(user, timezone.now(), shared)
    if any(condition is None for _, condition in rules):
        return Scope(rules=tuple(rules))
    affiliation = [condition for reason, condition in rules if reason in _AFFILIATIONS]
    if affiliation and tables.keys_read_as_list():
        others = [condition for reason, condition in rules if reason not in _AFFILIATIONS]
        if _count_of_any_rule(affiliation[0], others, up_to=WIDE_SCOPE + 1) > WIDE_SCOPE:
            condition = _any_rule([condition for _, condition in rules])
            count = partial(_count_of_any_rule, affiliation[0], others)
            return Scope(condition=condition, count=count, rules=tuple(rules))
    keys = _keys_of_any_rule(rules)
    count = len(keys) if isinstance(keys, list) else None
    return Scope(keys=keys, count=count, rules=tuple(rules))


def finder_character_keys(user: User) -> "list[int] | QuerySet | None":
    """The keys of :func:`finder_characters`, for a condition ``pk__in``: a list (MariaDB,
    MySQL) or a subquery (SQLite) of them; None for every character."""
    if not user.has_perm(FINDER_ACCESS):
        return []
    rules = _rules(user, timezone.now())
    if any(condition is None for _, condition in rules):
        return None
    return _keys_of_any_rule(rules)


def accessible_character_keys(user: User) -> "list[int] | QuerySet | None":
    """The keys of :func:`accessible_characters`, for a condition ``pk__in``: found rule by
    rule as the finder's are (see :func:`_keys_of_any_rule`), a list on MariaDB and MySQL, a
    subquery on SQLite; None for every character."""
    rules = _rules(user, timezone.now())
    if any(condition is None for _, condition in rules):
        return None
    return _keys_of_any_rule(rules)


def accessible_character_keys_among(user: User, keys: "list[int] | QuerySet") -> list[int]:
    """Those of the characters ``keys`` (a list of keys or a subquery of them) that ``user``
    may open, as :func:`accessible_characters` decides.

    Each rule is asked of only these characters, in a query of its own, and the keys combined
    (``UNION``): a few characters (those with red flags, those a search found) are checked
    against the viewer's rules at the cost of how many they are, not of how many characters
    the viewer's scope holds. For a viewer who may open every character, the keys as given
    (those of existing characters, when a subquery)."""
    return _keys_among([condition for _, condition in _rules(user, timezone.now())], keys)


def _keys_among(conditions: list[Q | None], keys: "list[int] | QuerySet") -> list[int]:
    """Those of the characters ``keys`` that meet any of ``conditions`` (None: every
    character): each condition asked of these characters only, in a query of its own, and the
    keys combined (``UNION``)."""
    if any(condition is None for condition in conditions):
        if isinstance(keys, list):
            return keys
        return list(Character.objects.filter(pk__in=keys).values_list("pk", flat=True))
    if not conditions or (isinstance(keys, list) and not keys):
        return []
    parts = [
        Character.objects.filter(condition, pk__in=keys).order_by().values_list("pk", flat=True)
        for condition in conditions
    ]
    return list(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


def finder_character_keys_among(user: User, keys: "list[int] | QuerySet") -> list[int]:
    """Those of the characters ``keys`` that the finder lists for ``user`` (see
    :func:`finder_characters`), asked as :func:`accessible_character_keys_among` does: none
    without finder access."""
    if not user.has_perm(FINDER_ACCESS):
        return []
    return accessible_character_keys_among(user, keys)


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
            rule |= same_affiliation[1]
    return User.objects.filter(rule)


def report_character_keys(user: User) -> list[int] | None:
    """The keys of the characters owned by the users of :func:`report_users`, for a viewer
    whose reports cover their own users and those of their scope; None for one whose reports
    cover every user with ``basic_access`` (ask :func:`report_users` then). See
    :func:`report_keys_of`."""
    rules = report_character_rules(user)
    return None if rules is None else report_keys_of(rules)


def report_character_rules(user: User) -> list[QuerySet] | None:
    """The characters owned by the users of :func:`report_users`, one subquery of their keys
    per owner rule (the viewer's own characters, those of the users in the viewer's scope), for
    a condition ``<field>__in=rule OR <field>__in=rule ...``; None for a viewer whose reports
    cover every user with ``basic_access`` (ask :func:`report_users` then).

    Conditions joined by OR are not turned into joins by MariaDB: each subquery is read once
    into a table that a page walking an index looks its rows up in, however wide the scope,
    rather than a list of thousands of keys sent with every query. The last rule alone holds
    them all (the viewer, whose main decides the scope, is among its users): a count of the
    rows in scope can read just those, found from the users."""
    if not user.is_authenticated:
        return []
    if user.has_perm(VIEW_EVERYTHING):
        return None
    owned = Character.objects.order_by().values("pk")
    rules = [owned.filter(**{_OWNER: user})]
    same_affiliation = _same_affiliation(user, "")
    if same_affiliation is not None:
        owners = User.objects.filter(same_affiliation[1]).values("pk")
        rules.append(owned.filter(**{f"{_OWNER}__in": owners}))
    return rules


def report_keys_of(rules: list[QuerySet]) -> list[int]:
    """The keys of the characters that any of ``rules`` (see :func:`report_character_rules`)
    covers: each rule asked in a query of its own (the viewer's characters, those of the
    users in scope: each found from its own index) and the keys combined in one query
    (``UNION``), rather than testing every character against both rules."""
    if not rules:
        return []
    parts = [rule.values_list("pk", flat=True) for rule in rules]
    return list(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


def report_keys_among(rules: list[QuerySet], keys: "list[int] | QuerySet") -> list[int]:
    """Those of the characters ``keys`` that any of ``rules`` (see
    :func:`report_character_rules`) covers, each rule asked of these characters only, as
    :func:`accessible_character_keys_among` asks the rules of access."""
    return _keys_among([Q(pk__in=rule) for rule in rules], keys)


def report_reason(user: User) -> str | None:
    """The right by which a report shows ``user`` other users' characters; None for none."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return AccessLogEntry.Reason.SUPERUSER
    if user.has_perm(VIEW_EVERYTHING):
        return AccessLogEntry.Reason.EVERYTHING
    scope = _same_affiliation(user, "")
    return scope[0] if scope else None


def log_report_rows(user: User, characters: Iterable[tuple[int, int | None]], report: str):
    """Record that ``user`` received report rows of ``characters`` (pairs of character pk and
    owner pk): those of other owners go to the access log, in one write."""
    reason = report_reason(user)
    others = sorted({pk for pk, owner_pk in characters if owner_pk != user.pk})
    if others and reason:
        access_log.record(user, others, f"{access_log.REPORT_PREFIX}{report}", reason)


def log_export(user: User, characters: QuerySet[Character], topic: str) -> None:
    """Record that ``user`` exported ``topic`` of these characters: those of other owners go
    to the access log with the right that allowed each (one read, one write per right)."""
    log_characters_shown(user, characters, f"{access_log.EXPORT_PREFIX}{topic}")


def log_characters_shown(user: User, characters: QuerySet[Character], opened: str) -> None:
    """Record that ``user`` was shown ``opened`` of these characters (e.g. a search's
    results): those of other owners go to the access log with the right that allowed each
    (one read, one write per right)."""
    now = timezone.now()
    by_reason: dict[str, list[int]] = {}
    reasons = (
        characters.annotate(access_reason=_reason_expression(user, now))
        .exclude(access_reason__isnull=True)
        .exclude(access_reason=OWNER)
        .values_list("pk", "access_reason")
    )
    for pk, reason in reasons:
        by_reason.setdefault(reason, []).append(pk)
    for reason, pks in by_reason.items():
        access_log.record(user, pks, opened, reason, now)


def can_manage(user: User, character: Character) -> bool:
    """Whether ``user`` may change or remove ``character``: only its owner may."""
    owner = character.owner
    return owner is not None and owner.pk == user.pk


def can_share(user: User, character: Character) -> bool:
    """Whether ``user`` may share or unshare ``character``: its owner with ``share_characters``."""
    return can_manage(user, character) and user.has_perm(SHARE_CHARACTERS)


def _same_affiliation(viewer: User, user_path: str) -> tuple[str, Q] | None:
    """Users (reached from the queried model by ``user_path``) whose main shares the viewer's
    main's alliance or corporation, as the viewer's scope permissions allow, with the reason
    (alliance or corporation scope); None for nobody.

    A viewer without a main sees nobody this way; one whose main has no alliance gets the
    corporation rule for ``view_same_alliance``. Users without a main never match.
    """
    main = _main_character(viewer)
    if main is None:
        return None
    main_path = f"{user_path}profile__main_character__"
    alliance_scope = viewer.has_perm(VIEW_SAME_ALLIANCE)
    if alliance_scope and main.alliance_id:
        return (
            AccessLogEntry.Reason.ALLIANCE,
            Q(**{f"{main_path}alliance_id": main.alliance_id}),
        )
    if alliance_scope or viewer.has_perm(VIEW_SAME_CORPORATION):
        reason = (
            AccessLogEntry.Reason.ALLIANCE if alliance_scope else AccessLogEntry.Reason.CORPORATION
        )
        return reason, Q(**{f"{main_path}corporation_id": main.corporation_id})
    return None


def _rules(
    user: User, now: datetime, shared: "list[int] | None" = None
) -> list[tuple[str, Q | None]]:
    """Why ``user`` may open characters: (reason, condition on Character) in order of
    precedence; a condition of None means every character.

    A standing right (everything, a scope) comes before a share: who could look anyway did not
    need the share, and such views stay among the leadership.
    """
    if not user.is_authenticated:
        return []
    rules: list[tuple[str, Q | None]] = [(OWNER, Q(**{_OWNER: user}))]
    if user.is_superuser:
        return [*rules, (AccessLogEntry.Reason.SUPERUSER, None)]
    if user.has_perm(CHARACTERS_ACCESS):
        if user.has_perm(VIEW_EVERYTHING):
            return [*rules, (AccessLogEntry.Reason.EVERYTHING, None)]
        same_affiliation = _same_affiliation(user, "")
        if same_affiliation is not None:
            # the owners in scope as a subquery: checking a character then needs its owner
            # only, not the owner's profile and main joined to every character
            reason, owners = same_affiliation
            rules.append((reason, Q(**{f"{_OWNER}__in": User.objects.filter(owners)})))
    if user.has_perm(VIEW_SHARED_CHARACTERS) or user.has_perm(FINDER_ACCESS):
        # the few shared characters are found once, not looked for from every character
        if shared is None:
            shared = open_shares(user, now).values("character")
        rules.append((AccessLogEntry.Reason.SHARE, among(shared)))
    return rules


def _keys_of_any_rule(rules: list[tuple[str, Q | None]]) -> "list[int] | QuerySet":
    """The keys of the characters that meet any of ``rules`` (none of them None), each rule
    asked in a query of its own (the owner's characters, the owners in scope, the shared
    characters: each found from its own index) and their keys combined (``UNION``).

    Asked as one condition ``rule OR rule OR ...``, the database tests every character
    against every rule before a page can be chosen. On MariaDB and MySQL the keys are read
    at once (one query), so that a page looks up those characters by key; SQLite reads the
    union as a subquery, once, and is not given a list longer than it accepts."""
    parts = [
        Character.objects.filter(condition).order_by().values_list("pk", flat=True)
        for _, condition in rules
    ]
    if not parts:
        return []
    return tables.read_keys(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


_AFFILIATIONS = (AccessLogEntry.Reason.ALLIANCE, AccessLogEntry.Reason.CORPORATION)


def _any_rule(conditions: list[Q]) -> Q:
    """One condition: any of ``conditions`` (none of them None)."""
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _count_of_any_rule(widest: Q, others: list[Q], up_to: int | None = None) -> int:
    """How many characters meet ``widest`` or any of ``others`` (at most ``up_to``, when
    given: the database stops there): ``widest`` counted on its own, then the characters of
    ``others`` (a few) that it leaves out, two counts that each read only their own
    characters; a count of the union (or of the rules joined by OR) reads and sorts every
    key of the scope, or tests every character against every rule."""
    count = Character.objects.filter(widest).order_by()[:up_to].count()
    if others and (up_to is None or count < up_to):
        outside = Character.objects.filter(_any_rule(others)).exclude(widest).order_by()
        count += outside[: None if up_to is None else up_to - count].count()
    return count


def _reason_expression(user: User, now: datetime) -> Case:
    """The first reason of :func:`_rules` that holds for a character, or NULL for none."""
    whens = [
        When(condition if condition is not None else Q(pk__isnull=False), then=Value(reason))
        for reason, condition in _rules(user, now)
    ]
    return Case(*whens, default=Value(None), output_field=CharField())


def _main_character(user: User) -> EveCharacter | None:
    profile = getattr(user, "profile", None)
    return profile.main_character if profile else None
