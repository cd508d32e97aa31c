"""Wallet balance, wallet journal and loyalty points."""

from __future__ import annotations

from ..router import RouteTable
from .common import CHAR_WALLET, rate

routes = RouteTable()

WALLET_SCOPE = "esi-wallet.read_character_wallet.v1"


@routes.get(
    "/characters/{character_id}/wallet",
    "GetCharactersCharacterIdWallet",
    scope=WALLET_SCOPE,
    cache_seconds=120,
    **rate(CHAR_WALLET),
)
def wallet(ctx):
    return float(ctx.character().get("wallet_balance", 0.0))


@routes.get(
    "/characters/{character_id}/wallet/journal",
    "GetCharactersCharacterIdWalletJournal",
    scope=WALLET_SCOPE,
    cache_seconds=3600,
    paged=True,
    page_size=2500,
    **rate(CHAR_WALLET),
)
def wallet_journal(ctx):
    return sorted(ctx.character().get("wallet_journal", []), key=lambda e: e["id"], reverse=True)


@routes.get(
    "/characters/{character_id}/loyalty/points",
    "GetCharactersCharacterIdLoyaltyPoints",
    scope="esi-characters.read_loyalty.v1",
    cache_seconds=3600,
    **rate(CHAR_WALLET),
)
def loyalty_points(ctx):
    return ctx.character().get("loyalty_points", [])
