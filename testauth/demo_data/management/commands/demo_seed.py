"""Seed the demo world: role groups, users with their characters, tokens from the fake SSO,
skill sets made from fittings, and the watchlist of hostile entities.

Safe to run again: existing users, groups, characters and skill sets are reused. Tokens are
issued anew on every run, because the fake EVE server forgets its refresh tokens when it stops.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError

from allianceauth.authentication.models import CharacterOwnership, State
from allianceauth.eveonline.models import EveAllianceInfo, EveCharacter
from esi.models import Token
from eveuniverse.models import EveEntity

from demo_data import world
from demo_data.skill_sets import seed_skill_sets
from fake_eve.tokens import create_token
from memberaudit.models import Character, CharacterShare, WatchedEntity
from memberaudit.scopes import REGISTRATION_SCOPES
from memberaudit.skill_set_builder import SkillSetImportError


def _permissions(codenames: list[str]) -> list[int]:
    """Primary keys: Alliance Auth's State relates to a proxy of Django's Permission."""
    return list(
        Permission.objects.filter(
            content_type__app_label="memberaudit", codename__in=codenames
        ).values_list("pk", flat=True)
    )


class Command(BaseCommand):
    help = (
        "Prepare the demo site: role groups, users, characters, tokens and skill sets. "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        fake_eve_url = getattr(settings, "FAKE_EVE_URL", "")
        if not fake_eve_url:
            raise CommandError("FAKE_EVE_URL must point at a running fake EVE server")
        self._admin()
        self._states()
        groups = self._groups()
        created = 0
        for demo_user in world.USERS:
            user, is_new = self._user(demo_user, groups)
            created += is_new
            for demo_character in demo_user.characters:
                self._character(fake_eve_url, user, demo_character)
            self._main(user, demo_user.main)
        self._watchlist()
        try:
            new_skill_sets = seed_skill_sets()
        except SkillSetImportError as exc:
            raise CommandError(f"Could not create the demo skill sets: {exc}") from exc
        count = len(world.registered_characters())
        skill_set_count = sum(len(group.skill_sets) for group in world.SKILL_SET_GROUPS)
        self.stdout.write(
            f"Demo world ready: {len(world.USERS)} users ({created} new), "
            f"{count} registered characters, "
            f"{skill_set_count} skill sets ({len(new_skill_sets)} new)"
        )

    def _admin(self) -> None:
        if not User.objects.filter(username=world.ADMIN["username"]).exists():
            User.objects.create_superuser(
                world.ADMIN["username"], world.ADMIN["email"], world.ADMIN["password"]
            )
            self.stdout.write("Created superuser admin / admin")

    def _states(self) -> None:
        """Every state grants basic access; members of the two alliances are Members."""
        basic_access = _permissions(["basic_access"])
        for state in State.objects.all():
            state.permissions.add(*basic_access)
        member_state = State.objects.filter(name="Member").first()
        if member_state and not member_state.member_alliances.exists():
            alliances = [
                EveAllianceInfo.objects.filter(alliance_id=alliance_id).first()
                or EveAllianceInfo.objects.create_alliance(alliance_id)
                for alliance_id in world.MEMBER_ALLIANCES
            ]
            member_state.member_alliances.add(*alliances)

    def _groups(self) -> dict[str, Group]:
        groups = {}
        for name, codenames in world.ROLE_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(_permissions(codenames))
            groups[name] = group
        return groups

    def _user(self, demo_user: world.DemoUser, groups: dict[str, Group]) -> tuple[User, bool]:
        user, created = User.objects.get_or_create(
            username=demo_user.username,
            defaults={"email": demo_user.email, "is_active": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if demo_user.role:
            user.groups.add(groups[demo_user.role])
        return user, created

    def _character(self, fake_eve_url: str, user: User, demo_character) -> None:
        """A fresh token (and with it the ownership, owner hash from the fake SSO) and, when
        registered, the Member Audit character."""
        character_id = demo_character.character_id
        token = create_token(fake_eve_url, character_id, user, list(REGISTRATION_SCOPES))
        Token.objects.filter(character_id=character_id).exclude(pk=token.pk).delete()
        eve_character = EveCharacter.objects.get(character_id=character_id)
        if not CharacterOwnership.objects.filter(character=eve_character, user=user).exists():
            raise CommandError(f"{demo_character.name} is not owned by {user} after the SSO")
        if demo_character.registered:
            character, created = Character.objects.get_or_create(eve_character=eve_character)
            if created and demo_character.shared:
                # with all recruiters, until revoked
                CharacterShare.objects.create(character=character, shared_by=user)
            if character.is_disabled:
                Character.objects.filter(pk=character.pk).update(is_disabled=False)

    def _watchlist(self) -> None:
        """The hostile entities; added before the first update, whose stored data then
        raises the red flags of the spy."""
        for entity_id, name, category, reason in world.WATCHLIST:
            entity, _ = EveEntity.objects.update_or_create(
                id=entity_id, defaults={"name": name, "category": category}
            )
            WatchedEntity.objects.get_or_create(entity=entity, defaults={"reason": reason})

    def _main(self, user: User, main) -> None:
        profile = user.profile
        if profile.main_character is None or profile.main_character.character_id != (
            main.character_id
        ):
            profile.main_character = EveCharacter.objects.get(character_id=main.character_id)
            profile.save()
