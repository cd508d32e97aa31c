"""Test data built directly in the database, for tests that need no ESI."""

import itertools

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.eveonline.models import EveCharacter
from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.models import Character, CharacterShare, SectionUpdateStatus
from memberaudit.sections import registry

_ids = itertools.count(95_000_001)


def create_user(username: str | None = None, permissions=("memberaudit.basic_access",)) -> User:
    user = AuthUtils.create_user(username or f"user_{next(_ids)}")
    if permissions:
        AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def create_user_with_main(username: str | None = None, **character_fields) -> User:
    """A user with ``basic_access`` whose main character exists in Auth (not registered)."""
    user = create_user(username)
    eve_character = create_eve_character(**character_fields)
    CharacterOwnership.objects.create(
        character=eve_character, user=user, owner_hash=f"hash-{eve_character.character_id}"
    )
    user.profile.main_character = eve_character
    user.profile.save()
    return user


def create_eve_character(**kwargs) -> EveCharacter:
    character_id = kwargs.pop("character_id", next(_ids))
    defaults = {
        "character_name": f"Pilot {character_id}",
        "corporation_id": 98_000_001,
        "corporation_name": "Demo Corp",
        "corporation_ticker": "DEMO",
    }
    return EveCharacter.objects.create(character_id=character_id, **{**defaults, **kwargs})


def create_character(user: User | None = None, is_main: bool = False, **kwargs) -> Character:
    """A registered character owned by ``user`` (a new user when not given)."""
    user = user or create_user()
    eve_character = create_eve_character(**kwargs)
    CharacterOwnership.objects.create(
        character=eve_character, user=user, owner_hash=f"hash-{eve_character.character_id}"
    )
    if is_main or user.profile.main_character is None:
        user.profile.main_character = eve_character
        user.profile.save()
    return Character.objects.create(eve_character=eve_character)


def create_orphan_character(**kwargs) -> Character:
    return Character.objects.create(eve_character=create_eve_character(**kwargs))


def mark_sections(character: Character, *, minutes_ago: int = 0, is_success=True, **fields):
    """Give every section of the registry a finished status row."""
    finished = timezone.now() - timezone.timedelta(minutes=minutes_ago)
    SectionUpdateStatus.objects.bulk_create(
        [
            SectionUpdateStatus(
                character=character,
                section=section.name,
                is_success=is_success,
                started_at=finished - timezone.timedelta(seconds=2),
                finished_at=finished,
                last_success_at=finished if is_success else None,
                **fields,
            )
            for section in registry
        ]
    )


def create_item_type(type_id: int = 3467, name: str = "Small Secure Container"):
    """An item type in eveuniverse (with its group and category), e.g. for assets."""
    from eveuniverse.models import EveCategory, EveGroup, EveType

    category, _ = EveCategory.objects.get_or_create(
        id=2, defaults={"name": "Celestial", "published": True}
    )
    group, _ = EveGroup.objects.get_or_create(
        id=340,
        defaults={"name": "Secure Cargo Container", "eve_category": category, "published": True},
    )
    eve_type, _ = EveType.objects.get_or_create(
        id=type_id, defaults={"name": name, "eve_group": group, "published": True}
    )
    return eve_type


def share_with_all_recruiters(character: Character, **fields) -> CharacterShare:
    """A share as before shares had an audience and an end: all recruiters, until revoked."""
    return CharacterShare.objects.create(character=character, shared_by=character.owner, **fields)


def is_shared(character: Character) -> bool:
    """Whether any share of the character has not ended yet."""
    return (
        CharacterShare.objects.filter(character=character)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .exists()
    )


def keep_asset_summaries(character) -> None:
    """Give assets a test created directly what the assets section keeps when it stores
    them: their sort names (own name, else type name), their containers' sort names and the
    counts per place."""
    from memberaudit.models import CharacterAsset
    from memberaudit.sections import asset_places

    assets = list(CharacterAsset.objects.filter(character=character).select_related("eve_type"))
    for asset in assets:
        asset.sort_name = asset.name or asset.eve_type.name
    sort_names = {asset.pk: asset.sort_name for asset in assets}
    for asset in assets:
        asset.container_name = sort_names.get(asset.parent_id, "")
    CharacterAsset.objects.bulk_update(assets, ["sort_name", "container_name"], batch_size=500)
    asset_places.refresh_summary(character)


def create_entities(names, first_id: int, category: str = "character") -> list:
    """EVE entities of ``category`` named ``names`` in order, with keys from ``first_id``."""
    from eveuniverse.models import EveEntity

    return [
        EveEntity.objects.create(id=first_id + index, name=name, category=category)
        for index, name in enumerate(names)
    ]
