"""Read-only queries behind the pages: what a user sees, in a bounded number of queries."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from allianceauth.eveonline.models import EveCharacter

from .models import Character


def launcher_characters(user: User) -> QuerySet[Character]:
    """The user's registered characters with everything the launcher cards show."""
    return (
        Character.objects.filter(eve_character__character_ownership__user=user)
        .with_status()
        .select_related(*_existing_relations(LAUNCHER_RELATIONS))
        .order_by("eve_character__character_name")
    )


def unregistered_characters(user: User) -> QuerySet[EveCharacter]:
    """The user's characters in Auth that are not registered with Member Audit."""
    return EveCharacter.objects.filter(
        character_ownership__user=user, memberaudit_character__isnull=True
    ).order_by("character_name")


LAUNCHER_RELATIONS = (
    "eve_character",
    "location__eve_solar_system",
    "location__location",
    "ship__eve_type",
    "wallet_balance",
    "skillpoints",
)


def _existing_relations(paths) -> list[str]:
    """Keep the relation paths that exist, so the launcher works while sections are added."""
    from django.core.exceptions import FieldDoesNotExist

    valid = []
    for path in paths:
        model = Character
        try:
            for part in path.split("__"):
                model = model._meta.get_field(part).related_model
        except FieldDoesNotExist:
            continue
        valid.append(path)
    return valid
