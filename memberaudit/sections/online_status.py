"""Online status: whether a character is logged in, with last login and logout times."""

from django.utils.translation import gettext_lazy as _

from ..models import CharacterOnlineStatus
from .base import Section, registry


def fetch(character, gateway):
    data = gateway.get("GetCharactersCharacterIdOnline", character_id=character.character_id)
    return {
        "is_online": bool(data.get("online")),
        "last_login": data.get("last_login"),
        "last_logout": data.get("last_logout"),
        "logins": data.get("logins"),
    }


def store(character, data) -> bool:
    CharacterOnlineStatus.objects.update_or_create(
        character=character,
        defaults={
            "is_online": data["is_online"],
            "last_login": data["last_login"],
            "last_logout": data["last_logout"],
            "logins": data["logins"],
        },
    )
    return True


registry.register(
    Section(
        name="online_status",
        title=_("online status"),
        ring=1,
        scopes=("esi-location.read_online.v1",),
        operations=("GetCharactersCharacterIdOnline",),
        fetch=fetch,
        store=store,
    )
)
