"""Template filters for pictures of EVE things, all from ``MEMBERAUDIT_IMAGE_SERVER_URL``.

``{% load memberaudit_images %}`` then ``{{ eve_character.character_id|portrait_url:64 }}``,
``{{ corporation_id|corporation_logo_url }}``, ``{{ alliance_id|alliance_logo_url }}``,
``{{ eve_type.id|type_icon_url:32 }}``. An empty id gives an empty text, never a broken URL.
"""

from django import template

from .. import images

register = template.Library()


def _filter(kind: str):
    def build(eve_id, size=32) -> str:
        if not eve_id:
            return ""
        try:
            return images.image_url(kind, int(eve_id), int(size))
        except (TypeError, ValueError):
            return ""

    return build


register.filter("portrait_url", _filter("character"))
register.filter("corporation_logo_url", _filter("corporation"))
register.filter("alliance_logo_url", _filter("alliance"))
register.filter("type_icon_url", _filter("type"))
