"""The finder's copies of a character's owner: the name of the owner's main and of the
owner's state, kept on the character itself (``Character.owner_main_name``,
``Character.owner_state_name``).

Sorted by a value of the owner, a page of the finder would join every character in scope to
its ownership, owner, profile and main (or state) and sort them all; with the names copied
onto the character, the database walks an index of the character's table and stops at the
page's end.

The copies are written when a character is saved and refreshed when what they copy changes:
a character's owner, a user's main or state, a main's name, a state's name
(:mod:`memberaudit.signals`); each change is one update. Who may see a character is never
decided by them: the finder's scope always follows the live ownership
(:mod:`memberaudit.access`), and its rows show the live names.
"""

from django.db.models import Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from allianceauth.authentication.models import CharacterOwnership

from .models import Character

# what is copied, as paths from an EVE character
MAIN_NAME = "character_ownership__user__profile__main_character__character_name"
STATE_NAME = "character_ownership__user__profile__state__name"


def refresh(characters: QuerySet) -> int:
    """Copy the owner's names onto ``characters`` afresh; one update. Returns the number of
    characters refreshed."""
    return characters.update(**copied_values(characters.model))


def refresh_characters(eve_character_ids: list[int]) -> int:
    """Refresh the characters of these EVE characters (e.g. after a change of owner)."""
    return refresh(Character.objects.filter(eve_character_id__in=eve_character_ids))


def refresh_owned_by(**owners) -> int:
    """Refresh the characters of the users that ``owners`` (conditions on a character's
    ownership) choose, e.g. ``user_id__in=[...]`` after a change of main or state,
    ``user__profile__main_character_id__in=[...]`` after a main's new name.

    The characters are chosen by a subquery of their EVE characters' keys, not by joins to
    the updated table, so that MariaDB and MySQL update them in one statement."""
    owned = CharacterOwnership.objects.filter(**owners).values("character_id")
    return refresh(Character.objects.filter(eve_character_id__in=owned))


def copied_values(character_model: type[Model]) -> dict:
    """The expressions of the copies for an update of ``character_model`` (the model of the
    app or a migration's historical one)."""
    eve_character_model = character_model._meta.get_field("eve_character").related_model
    eve_character = eve_character_model.objects.filter(pk=OuterRef("eve_character_id"))
    return {
        "owner_main_name": first_value(eve_character, MAIN_NAME),
        "owner_state_name": first_value(eve_character, STATE_NAME),
    }


def first_value(queryset: QuerySet, field: str) -> Coalesce:
    """``field`` of the first row of ``queryset`` (which refers to the outer query), as an
    expression of another query: "" when there is no such row or the value is NULL."""
    return Coalesce(Subquery(queryset.values(field)[:1]), Value(""))
