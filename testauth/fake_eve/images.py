"""Placeholder pictures in the shapes of the EVE image server's URLs.

``GET /images/characters/{id}/portrait``, ``/images/corporations/{id}/logo``,
``/images/alliances/{id}/logo`` and ``/images/types/{id}/icon`` (also ``render``, ``bp``,
``bpc``), each with an optional ``?size=`` (32 to 1024, a power of two, default 64), answer a
PNG generated on the fly: a colour from the id and a figure for the kind of thing (a head and
shoulders, a shield, a box). Sites point ``MEMBERAUDIT_IMAGE_SERVER_URL`` at
``<fake server>/images`` so that pages show pictures without the internet.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib

from .messages import Response

PREFIX = "/images/"
SIZES = (32, 64, 128, 256, 512, 1024)
DEFAULT_SIZE = 64
# endpoint -> variants, as on the real image server
VARIANTS = {
    "characters": ("portrait",),
    "corporations": ("logo",),
    "alliances": ("logo",),
    "types": ("icon", "render", "bp", "bpc"),
}


def handles(path: str) -> bool:
    return path.startswith(PREFIX)


def handle(method: str, path: str, size_arg: str | None) -> Response:
    """The answer to one image request: a PNG, or 404 like the real server for other shapes."""
    parts = path[len(PREFIX) :].strip("/").split("/")
    if method not in ("GET", "HEAD") or len(parts) != 3:
        return _not_found()
    endpoint, eve_id, variant = parts
    if variant not in VARIANTS.get(endpoint, ()) or not eve_id.isdigit():
        return _not_found()
    size = _size(size_arg)
    if size is None:
        return Response.json({"error": "size must be a power of two from 32 to 1024"}, 400)
    body = placeholder_png(endpoint, int(eve_id), size)
    return Response(
        200,
        {"Content-Type": "image/png", "Cache-Control": "public, max-age=86400"},
        body if method == "GET" else b"",
    )


def _size(value: str | None) -> int | None:
    if value in (None, ""):
        return DEFAULT_SIZE
    try:
        size = int(value)
    except ValueError:
        return None
    return size if size in SIZES else None


def _not_found() -> Response:
    return Response.json({"error": "Not found"}, 404)


@functools.lru_cache(maxsize=512)
def placeholder_png(endpoint: str, eve_id: int, size: int) -> bytes:
    """A ``size`` x ``size`` PNG: a background colour from the id, a lighter figure on it."""
    digest = hashlib.sha256(f"{endpoint}:{eve_id}".encode()).digest()
    background = (40 + digest[0] % 120, 40 + digest[1] % 120, 40 + digest[2] % 120)
    figure = tuple(min(255, channel + 110) for channel in background)
    spans = _FIGURES[endpoint]
    rows = bytearray()
    for y in range(size):
        row = bytearray(bytes(background) * size)
        for start, end in spans(y / size):
            first, last = int(start * size), int(end * size)
            if last > first:
                row[first * 3 : last * 3] = bytes(figure) * (last - first)
        rows += b"\x00" + row  # filter type 0 per scanline
    return _png(size, size, bytes(rows))


def _portrait(v: float) -> list[tuple[float, float]]:
    """A head (circle) over shoulders (half ellipse)."""
    spans = []
    head_y, head_r = 0.38, 0.18
    if abs(v - head_y) < head_r:
        half = (head_r**2 - (v - head_y) ** 2) ** 0.5
        spans.append((0.5 - half, 0.5 + half))
    if v > 0.62:
        depth = (v - 0.62) / 0.38
        half = 0.36 * min(1.0, depth**0.5 * 1.2)
        spans.append((0.5 - half, 0.5 + half))
    return spans


def _logo(v: float) -> list[tuple[float, float]]:
    """A shield: straight top half, narrowing to a point."""
    if v < 0.18 or v > 0.86:
        return []
    half = 0.3 if v < 0.5 else 0.3 * (0.86 - v) / 0.36
    return [(0.5 - half, 0.5 + half)]


def _icon(v: float) -> list[tuple[float, float]]:
    """A box with a lid."""
    if 0.22 <= v < 0.32:
        return [(0.18, 0.82)]
    if 0.36 <= v < 0.8:
        return [(0.24, 0.76)]
    return []


_FIGURES = {
    "characters": _portrait,
    "corporations": _logo,
    "alliances": _logo,
    "types": _icon,
}


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
