"""The fake server's placeholder pictures in the image server's URL shapes."""

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_eve import images

from .helpers import call


def png_size(body: bytes) -> tuple[int, int]:
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", body[16:24])
    return width, height


def decoded_pixels(body: bytes) -> bytes:
    """The raw scanlines of a PNG made of one IDAT chunk."""
    start = body.index(b"IDAT") + 4
    length = struct.unpack(">I", body[start - 8 : start - 4])[0]
    return zlib.decompress(body[start : start + length])


@pytest.mark.parametrize(
    "path",
    [
        "/images/characters/90000001/portrait",
        "/images/corporations/98000001/logo",
        "/images/alliances/99000001/logo",
        "/images/types/587/icon",
        "/images/types/587/render",
    ],
)
def test_should_serve_a_png_for_every_image_url_shape(srv, path):
    response = call(srv, "GET", f"{path}?size=64")
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert png_size(response.body) == (64, 64)


@pytest.mark.parametrize(
    "path",
    [
        "/images/characters/90000001/logo",  # wrong variant
        "/images/planets/1/icon",
        "/images/characters/abc/portrait",
        "/images/characters/90000001",
    ],
)
def test_should_answer_404_for_other_shapes(srv, path):
    assert call(srv, "GET", path).status == 404


def test_should_refuse_sizes_the_image_server_does_not_offer(srv):
    path = "/images/types/587/icon"
    assert call(srv, "GET", f"{path}?size=100").status == 400
    assert png_size(call(srv, "GET", path).body) == (images.DEFAULT_SIZE, images.DEFAULT_SIZE)


def test_should_not_touch_the_esi_portrait_route(srv):
    response = call(srv, "GET", "/characters/90000001/portrait")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")


@settings(max_examples=30, deadline=None)
@given(
    endpoint=st.sampled_from(sorted(images.VARIANTS)),
    eve_id=st.integers(min_value=1, max_value=2**63 - 1),
    size=st.sampled_from(images.SIZES[:4]),
)
def test_should_generate_a_valid_picture_of_the_asked_size_for_any_id(endpoint, eve_id, size):
    body = images.placeholder_png(endpoint, eve_id, size)
    assert png_size(body) == (size, size)
    assert len(decoded_pixels(body)) == size * (1 + 3 * size)  # filter byte + RGB per row


def test_should_draw_different_colours_for_different_ids():
    first = decoded_pixels(images.placeholder_png("characters", 1, 32))
    second = decoded_pixels(images.placeholder_png("characters", 2, 32))
    assert first != second
