"""What characters buy and sell: wallet transactions and market orders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveType

from .characters import Character
from .locations import Location

__all__ = ["CharacterMarketOrder", "CharacterWalletTransaction"]


class CharacterWalletTransaction(models.Model):
    """One market transaction; kept after ESI stops reporting it."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="wallet_transactions"
    )
    transaction_id = models.BigIntegerField()
    date = models.DateTimeField()
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    quantity = models.BigIntegerField()
    unit_price = models.DecimalField(max_digits=20, decimal_places=2)
    is_buy = models.BooleanField()
    is_personal = models.BooleanField()
    client = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, blank=True, related_name="+"
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, default=None, blank=True, related_name="+"
    )
    journal_ref_id = models.BigIntegerField(
        help_text=_("The wallet journal entry of this transaction (its entry id)")
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("wallet transaction")
        verbose_name_plural = _("wallet transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "transaction_id"],
                name="memberaudit_unique_wallet_transaction",
            )
        ]
        indexes = [
            models.Index(fields=["character", "date"], name="memberaudit_transaction_date"),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.transaction_id}"


class CharacterMarketOrder(models.Model):
    """A market order, open or in its final state; never deleted."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        FILLED = "filled", _("filled")
        EXPIRED = "expired", _("expired")
        CANCELLED = "cancelled", _("cancelled")
        CLOSED = "closed", _("closed (outcome not known yet)")

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="market_orders")
    order_id = models.BigIntegerField()
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    is_buy_order = models.BooleanField(default=False)
    is_corporation = models.BooleanField(default=False)
    issued = models.DateTimeField()
    duration = models.PositiveIntegerField(help_text=_("Days the order runs"))
    escrow = models.DecimalField(max_digits=20, decimal_places=2, null=True, default=None)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, default=None, blank=True, related_name="+"
    )
    region_id = models.PositiveIntegerField(null=True, default=None)
    min_volume = models.PositiveIntegerField(null=True, default=None)
    price = models.DecimalField(max_digits=20, decimal_places=2)
    range = models.CharField(max_length=16, blank=True, default="")
    volume_remain = models.BigIntegerField()
    volume_total = models.BigIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)

    class Meta:
        default_permissions = ()
        verbose_name = _("market order")
        verbose_name_plural = _("market orders")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "order_id"], name="memberaudit_unique_market_order"
            )
        ]
        indexes = [
            models.Index(fields=["character", "state"], name="memberaudit_order_state"),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.order_id}"
