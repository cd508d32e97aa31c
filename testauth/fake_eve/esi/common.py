"""Helpers shared by the ESI domain modules (no routes here)."""

from __future__ import annotations

from ..messages import EsiError

CHAR_DETAIL = ("char-detail", (600, "15m"))
CHAR_LOCATION = ("char-location", (1200, "15m"))
CHAR_WALLET = ("char-wallet", (150, "15m"))
CHAR_SOCIAL = ("char-social", (600, "15m"))
DAY = 86400


def rate(group: tuple[str, tuple[int, str]]) -> dict:
    """Route options for a rate limit group."""
    return {"rate_group": group[0], "rate_limit": group[1]}


def pick(item: dict, *fields: str) -> dict:
    return {f: item[f] for f in fields if f in item}


def lookup(ctx, section: str, param: str, message: str) -> dict:
    item = ctx.scenario.get(section, ctx.params[param])
    if item is None:
        raise EsiError(404, message)
    return item


def id_list(ctx, limit: int = 1000, kind: type = int) -> list:
    body = ctx.json_body()
    if (
        not isinstance(body, list)
        or not body
        or not all(isinstance(i, kind) and not isinstance(i, bool) for i in body)
    ):
        raise EsiError(400, f"Body must be a non-empty list of {kind.__name__}s")
    if len(body) > limit:
        raise EsiError(400, f"Maximum of {limit} items allowed")
    return body
