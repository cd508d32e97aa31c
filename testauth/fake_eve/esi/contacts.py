"""Character contacts and contact labels."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_SOCIAL, rate

routes = RouteTable()

CONTACTS_SCOPE = "esi-characters.read_contacts.v1"


@routes.get(
    "/characters/{character_id}/contacts",
    "GetCharactersCharacterIdContacts",
    scope=CONTACTS_SCOPE,
    cache_seconds=300,
    paged=True,
    page_size=1024,
    **rate(CHAR_SOCIAL),
)
def contacts(ctx):
    return ctx.character().get("contacts", [])


@routes.get(
    "/characters/{character_id}/contacts/labels",
    "GetCharactersCharacterIdContactsLabels",
    scope=CONTACTS_SCOPE,
    cache_seconds=300,
    **rate(CHAR_SOCIAL),
)
def contact_labels(ctx):
    return ctx.character().get("contact_labels", [])
