"""Wallet balance: one number per character."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..models import CharacterWalletBalance
from .base import Section, registry


def fetch(character, gateway):
    balance = gateway.get("GetCharactersCharacterIdWallet", character_id=character.character_id)
    return str(Decimal(str(balance)).quantize(Decimal("0.01")))


def store(character, data) -> bool:
    CharacterWalletBalance.objects.update_or_create(
        character=character, defaults={"total": Decimal(data)}
    )
    return True


registry.register(
    Section(
        name="wallet_balance",
        title=_("wallet balance"),
        ring=2,
        scopes=("esi-wallet.read_character_wallet.v1",),
        operations=("GetCharactersCharacterIdWallet",),
        fetch=fetch,
        store=store,
    )
)
