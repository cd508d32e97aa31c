"""The skill search: which characters the viewer may see have these skills at these levels.

A search is any number of conditions "skill at level N or higher", optionally at least so
many skill points in total and one corporation or alliance. Its scope is the finder's
(:func:`memberaudit.access.finder_characters`). The matching characters come from one
relational division over the skills table: the rows that meet any condition, grouped by
character, kept when every condition was met. The index on (skill, active level, character)
answers that from the index alone, in one query however many characters and skills there
are (on SQLite, a subquery of the count and the page's keys: see :func:`_division_ids`). A
page then costs three more: the count, the page's keys (walking the index of names) and its
rows by key (measured in ``benchmarks/skill_search.py`` and ``benchmarks/alliance.py``), with
the rights that open them to the viewer for the access log. On MariaDB the characters found,
when a few hundred at most, are then checked against the viewer's rules
(:func:`memberaudit.access.finder_character_keys_among`), one query more, which costs what
they are, not what the viewer's scope holds; more are met with the keys of the scope
(:func:`memberaudit.access.finder_character_keys`), read first. The page's queries then look
up only the characters both in scope and found.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveType

from . import access, json_tables
from .models import Character, CharacterSkill
from .models.skill_sets import SKILL_CATEGORY_ID
from .tables import Column, ServerSideTable

MAX_SKILL_SUGGESTIONS = 20
# Up to this many matching characters are passed to the page's queries as a list of ids.
SMALL_DIVISION = 2000

_OWNER = "eve_character__character_ownership__user"
_MAIN = f"{_OWNER}__profile__main_character"


@dataclass(frozen=True)
class SkillSearch:
    """What a user asks for: skill id -> minimum active level, and optional narrowing."""

    skills: dict[int, int] = field(default_factory=dict)
    min_skillpoints: int | None = None
    corporation: int | None = None
    alliance: int | None = None

    @property
    def is_empty(self) -> bool:
        """A search without a skill or skill point condition finds nothing: listing
        everyone is the finder's job."""
        return not self.skills and not self.min_skillpoints


def with_all_skills(skills: dict[int, int]) -> QuerySet[CharacterSkill]:
    """Ids of the characters that have every skill of ``skills`` at its level or higher."""
    condition = Q(pk__in=[])
    for skill_id, level in skills.items():
        condition |= Q(eve_type_id=skill_id, active_skill_level__gte=level)
    return (
        CharacterSkill.objects.filter(condition)
        .order_by()
        .values("character")
        .annotate(met=Count("eve_type"))
        .filter(met=len(skills))
        .values("character")
    )


def matching_characters(user: User, search: SkillSearch) -> QuerySet[Character]:
    """The characters ``user`` may find that meet ``search``.

    Without the columns only rows show (see :func:`result_rows`): counting the matches and
    finding a page's keys join only what the search and the sort need."""
    characters = Character.objects.select_related("eve_character")
    if search.is_empty:
        return characters.none()
    division = _division_ids(search.skills) if search.skills else None
    if isinstance(division, list) and len(division) <= access.CHECKED_CHARACTERS:
        # the few characters found are checked against the viewer's rules, rather than
        # the keys of a scope of thousands of characters read to be intersected with them
        keys = [access.finder_character_keys_among(user, division)]
    else:
        scope = access.finder_character_keys(user)
        if scope == []:
            return characters.none()
        if isinstance(scope, list) and isinstance(division, list):
            keys = [sorted(set(scope).intersection(division))]  # one short list
        else:
            keys = [some for some in (scope, division) if some is not None]
    for some in keys:
        characters = characters.filter(pk__in=some)
    if search.min_skillpoints:
        characters = characters.filter(skillpoints__total__gte=search.min_skillpoints)
    if search.corporation:
        characters = characters.filter(eve_character__corporation_id=search.corporation)
    if search.alliance:
        characters = characters.filter(eve_character__alliance_id=search.alliance)
    return characters


def result_rows(viewer: User | None = None) -> QuerySet[Character]:
    """Characters with what the table shows: ``main_name`` and ``main_character_id`` of the
    owner's main and ``total_skillpoints`` (loaded by key for the page's characters); for a
    ``viewer``, also the right that opens each to them (``access_reason``, for the access
    log: read with the rows, not in a query of its own)."""
    rows = Character.objects.select_related("eve_character").annotate(
        main_name=F(f"{_MAIN}__character_name"),
        main_character_id=F(f"{_MAIN}__character_id"),
        total_skillpoints=F("skillpoints__total"),
    )
    return rows if viewer is None else access.with_reasons(rows, viewer)


def _division_ids(skills: dict[int, int]):
    """The characters meeting the skill conditions, for filtering by id: on MariaDB and
    MySQL their ids when there are at most :data:`SMALL_DIVISION` (read in one query: the
    database then looks up those few characters instead of testing every character in scope
    against the division, which it does for a grouped subquery), else the division itself as
    a subquery. SQLite always gets the subquery: it reads it once into a temporary table,
    while a long list of ids joined with the viewer's scope or a text search makes it probe
    the whole list for every row of the joined characters table (10,000 rows times 1,665 ids:
    over a second)."""
    division = with_all_skills(skills)
    if connection.vendor == "sqlite":
        return division
    ids = list(division.values_list("character", flat=True)[: SMALL_DIVISION + 1])
    return ids if len(ids) <= SMALL_DIVISION else division


def skill_suggestions(text: str) -> list[dict]:
    """Published skills whose name contains ``text``, those starting with it first: the
    autocomplete of the search form (one query)."""
    if not text:
        return []
    skills = EveType.objects.filter(
        eve_group__eve_category_id=SKILL_CATEGORY_ID, published=True, name__icontains=text
    ).values_list("id", "name")
    ranked = sorted(
        skills[: MAX_SKILL_SUGGESTIONS * 5],
        key=lambda skill: (not skill[1].casefold().startswith(text.casefold()), skill[1]),
    )
    return [{"id": skill_id, "name": name} for skill_id, name in ranked[:MAX_SKILL_SUGGESTIONS]]


def skill_names(skill_ids) -> dict[int, str]:
    """Names of skills by id (one query), for the conditions shown back to the user."""
    return dict(EveType.objects.filter(id__in=list(skill_ids)).values_list("id", "name"))


def results_table(queryset=None, viewer: User | None = None) -> ServerSideTable:
    """The results over :func:`matching_characters` (without rows: only its columns).

    A page's keys are found first, sorted by name and then by the character's EVE id, so
    the database walks the index of names and stops at the page's end; its rows are then
    loaded by key from :func:`result_rows` (with the rights that open them to ``viewer``,
    when given)."""
    return ServerSideTable(
        Character.objects.none() if queryset is None else queryset,
        [
            *json_tables.character_columns(main_name=f"{_MAIN}__character_name"),
            Column(
                "total_skillpoints",
                lambda row: row.total_skillpoints,
                "skillpoints__total",
                title=_("Total SP"),
                render="number",
                priority=2,
            ),
        ],
        default_order="eve_character__character_name",
        tiebreaker="eve_character_id",
        keys_first=True,
        unscoped=result_rows(viewer),
    )


CSV_COLUMNS = {
    "name": _("Character"),
    "character_id": _("Character ID"),
    "main": _("Main"),
    "corporation": _("Corporation"),
    "alliance": _("Alliance"),
    "total_skillpoints": _("Total SP"),
}
