"""Image URLs: every picture comes from MEMBERAUDIT_IMAGE_SERVER_URL, in the image server's
URL shapes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.template import Context, Template

from memberaudit import images

KINDS = {
    "character": "characters/{id}/portrait",
    "corporation": "corporations/{id}/logo",
    "alliance": "alliances/{id}/logo",
    "type": "types/{id}/icon",
}


def test_should_use_the_real_image_server_by_default(settings):
    if hasattr(settings, "MEMBERAUDIT_IMAGE_SERVER_URL"):
        del settings.MEMBERAUDIT_IMAGE_SERVER_URL
    assert images.character_portrait_url(90000001, 64) == (
        "https://images.evetech.net/characters/90000001/portrait?size=64"
    )


@pytest.mark.parametrize("base", ["http://127.0.0.1:8765/images", "http://127.0.0.1:8765/images/"])
@pytest.mark.parametrize(("kind", "path"), KINDS.items())
def test_should_build_each_kind_from_the_configured_base(settings, base, kind, path):
    settings.MEMBERAUDIT_IMAGE_SERVER_URL = base
    url = images.image_url(kind, 123, 32)
    assert url == f"http://127.0.0.1:8765/images/{path.format(id=123)}?size=32"


@given(size=st.integers(min_value=-10, max_value=5000))
def test_should_always_ask_for_a_size_the_image_server_offers(size):
    url = images.type_icon_url(587, size)
    offered = int(url.rsplit("size=", 1)[1])
    assert offered in images.SIZES
    if 0 < size <= 1024:
        assert offered >= size  # never blurry: rounded up, not down


def test_should_refuse_unknown_kinds():
    with pytest.raises(ValueError, match="no images of kind"):
        images.image_url("planet", 1)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ 90000001|portrait_url:128 }}", "/characters/90000001/portrait?size=128"),
        ("{{ 98000001|corporation_logo_url }}", "/corporations/98000001/logo?size=32"),
        ("{{ 99000001|alliance_logo_url:64 }}", "/alliances/99000001/logo?size=64"),
        ("{{ 587|type_icon_url:32 }}", "/types/587/icon?size=32"),
        ("{{ None|alliance_logo_url }}", ""),  # no alliance: no picture, not a broken URL
        ("{{ ''|portrait_url }}", ""),
    ],
)
def test_template_filters_should_use_the_configured_base(settings, expression, expected):
    settings.MEMBERAUDIT_IMAGE_SERVER_URL = "http://img.example"
    html = Template("{% load memberaudit_images %}" + expression).render(Context())
    assert html == (f"http://img.example{expected}" if expected else "")
