"""Wallet and loyalty points of characters."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .characters import Character

__all__ = ["CharacterWalletBalance"]


class CharacterWalletBalance(models.Model):
    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="wallet_balance"
    )
    total = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("wallet balance")

    def __str__(self) -> str:
        return f"{self.character_id}: {self.total}"
