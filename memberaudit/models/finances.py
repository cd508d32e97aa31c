"""Wallet and loyalty points of characters."""

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .characters import Character

__all__ = ["CharacterLoyaltyEntry", "CharacterWalletBalance", "CharacterWalletJournalEntry"]


class CharacterWalletBalance(models.Model):
    character = models.OneToOneField(
        Character, on_delete=models.CASCADE, primary_key=True, related_name="wallet_balance"
    )
    total = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        default_permissions = ()
        verbose_name = _("wallet balance")

    def __str__(self) -> str:
        return f"{self.character_id}: {self.total}"


REASON_SORT_LENGTH = 100


class CharacterWalletJournalEntry(models.Model):
    """One line of a character's wallet journal; kept after ESI stops reporting it."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="wallet_journal"
    )
    entry_id = models.BigIntegerField()
    date = models.DateTimeField()
    ref_type = models.CharField(
        max_length=64, help_text=_("Transaction type as ESI names it, e.g. player_donation")
    )
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, default=None)
    balance = models.DecimalField(max_digits=20, decimal_places=2, null=True, default=None)
    description = models.TextField(blank=True, default="")
    reason = models.TextField(blank=True, default="")
    # what pages sorted by reason walk an index of (a text column cannot be indexed whole):
    # reasons alike in their first REASON_SORT_LENGTH characters sort by entry
    reason_sort = models.GeneratedField(
        expression=Substr("reason", 1, REASON_SORT_LENGTH),
        output_field=models.CharField(max_length=REASON_SORT_LENGTH),
        db_persist=True,
    )
    first_party = models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
    )
    second_party = models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
    )
    tax = models.DecimalField(max_digits=20, decimal_places=2, null=True, default=None)
    tax_receiver = models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        blank=True,
        related_name="+",
    )
    context_id = models.BigIntegerField(
        null=True,
        default=None,
        help_text=_("Meaning depends on the context id type: a station, contract, type, ..."),
    )
    context_id_type = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        default_permissions = ()
        verbose_name = _("wallet journal entry")
        verbose_name_plural = _("wallet journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "entry_id"], name="memberaudit_unique_wallet_journal_entry"
            )
        ]
        indexes = [
            # pages sorted by a column walk these (either way, the primary key breaking ties)
            models.Index(fields=["character", "date"], name="memberaudit_journal_by_date"),
            models.Index(fields=["character", "amount"], name="memberaudit_journal_amount"),
            models.Index(fields=["character", "balance"], name="memberaudit_journal_balance"),
            models.Index(fields=["character", "ref_type"], name="memberaudit_journal_ref_type"),
            models.Index(fields=["character", "first_party"], name="memberaudit_journal_first"),
            models.Index(fields=["character", "second_party"], name="memberaudit_journal_second"),
            models.Index(fields=["character", "reason_sort"], name="memberaudit_journal_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.entry_id}"


class CharacterLoyaltyEntry(models.Model):
    """Loyalty points a character holds with one corporation."""

    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="loyalty_entries"
    )
    corporation = models.ForeignKey(EveEntity, on_delete=models.CASCADE, related_name="+")
    loyalty_points = models.BigIntegerField()

    class Meta:
        default_permissions = ()
        verbose_name = _("loyalty entry")
        verbose_name_plural = _("loyalty entries")
        constraints = [
            models.UniqueConstraint(
                fields=["character", "corporation"], name="memberaudit_unique_loyalty_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.character_id}-{self.corporation_id}: {self.loyalty_points}"
