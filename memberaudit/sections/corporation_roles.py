"""Corporation roles: the roles a character holds in general, at headquarters, at a base and
at other locations. Directors and accountants are what auditors look for first."""

from django.utils.translation import gettext_lazy as _

from .. import app_settings, updater
from .. import character_sheet_selectors as selectors
from ..models import CharacterCorporationRole
from .base import OverviewPart, Section, registry

Scope = CharacterCorporationRole.Scope

# ESI field -> where the roles apply
ROLE_LISTS = {
    "roles": Scope.GENERAL,
    "roles_at_hq": Scope.HQ,
    "roles_at_base": Scope.BASE,
    "roles_at_other": Scope.OTHER,
}
ROLE_MAX_LENGTH = 64


def fetch(character, gateway) -> list[list[str]]:
    data = gateway.get("GetCharactersCharacterIdRoles", character_id=character.character_id)
    if not isinstance(data, dict):
        raise updater.SectionDataError(_("ESI sent roles that are not an object."))
    roles = set()
    for field, scope in ROLE_LISTS.items():
        for role in data.get(field) or []:
            role = str(getattr(role, "value", role))[:ROLE_MAX_LENGTH]
            if role:
                roles.add((str(scope), role))
    return [list(pair) for pair in sorted(roles)]


def store(character, data: list[list[str]]) -> bool:
    wanted = {tuple(pair) for pair in data}
    stored = {
        (row.scope, row.role): row.pk for row in character.corporation_roles.only("scope", "role")
    }
    gone = [pk for pair, pk in stored.items() if pair not in wanted]
    new = [
        CharacterCorporationRole(character=character, scope=scope, role=role)
        for scope, role in sorted(wanted - stored.keys())
    ]
    if gone:
        CharacterCorporationRole.objects.filter(pk__in=gone).delete()
    if new:
        CharacterCorporationRole.objects.bulk_create(
            new, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
        )
    return bool(gone or new)


registry.register(
    Section(
        name="corporation_roles",
        title=_("corporation roles"),
        ring=1,
        scopes=("esi-characters.read_corporation_roles.v1",),
        operations=("GetCharactersCharacterIdRoles",),
        fetch=fetch,
        store=store,
        overview=OverviewPart(
            template="memberaudit/overview/corporation_roles.html",
            context=selectors.corporation_roles,
        ),
    )
)
