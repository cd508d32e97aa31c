"""Where pictures of EVE things come from: portraits, logos and type icons.

Every image URL Member Audit shows is built here, from ``MEMBERAUDIT_IMAGE_SERVER_URL``
(by default CCP's image server), so that a site can serve them from a mirror or, offline,
from a local stand-in. Templates use the filters of ``memberaudit_images``; the browser's
own tables get the base URL from the page (``server_tables_texts.html``).
"""

from . import app_settings

SIZES = (32, 64, 128, 256, 512, 1024)

# category -> (path on the image server, variant)
_KINDS = {
    "character": ("characters", "portrait"),
    "corporation": ("corporations", "logo"),
    "alliance": ("alliances", "logo"),
    "type": ("types", "icon"),
}


def base_url() -> str:
    """The configured image server without a trailing slash."""
    return app_settings.MEMBERAUDIT_IMAGE_SERVER_URL.rstrip("/")


def image_url(kind: str, eve_id: int, size: int = 32) -> str:
    """URL of the picture of ``kind`` (character, corporation, alliance, type) ``eve_id``.

    ``size`` is rounded up to the next size the image server offers (32 to 1024).
    Raises ``ValueError`` for an unknown kind.
    """
    endpoint, variant = _KINDS[kind] if kind in _KINDS else _unknown(kind)
    size = next((offered for offered in SIZES if offered >= int(size)), SIZES[-1])
    return f"{base_url()}/{endpoint}/{int(eve_id)}/{variant}?size={size}"


def character_portrait_url(character_id: int, size: int = 32) -> str:
    return image_url("character", character_id, size)


def corporation_logo_url(corporation_id: int, size: int = 32) -> str:
    return image_url("corporation", corporation_id, size)


def alliance_logo_url(alliance_id: int, size: int = 32) -> str:
    return image_url("alliance", alliance_id, size)


def type_icon_url(type_id: int, size: int = 32) -> str:
    return image_url("type", type_id, size)


def _unknown(kind: str):
    raise ValueError(f"no images of kind {kind!r}; known: {', '.join(sorted(_KINDS))}")
