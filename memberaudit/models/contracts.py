"""Contracts of characters: item exchanges, auctions and couriers, with their items and bids."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity, EveType

from .characters import Character
from .locations import Location

__all__ = ["CharacterContract", "CharacterContractBid", "CharacterContractItem"]

MONEY = {"max_digits": 17, "decimal_places": 2, "null": True, "default": None}


class CharacterContract(models.Model):
    """A contract a character issued or that was assigned to or accepted by the character.

    Type, status and availability hold ESI's value when it is one of the known choices and
    ``"unknown"`` otherwise: ESI adds new values from time to time.
    """

    class ContractType(models.TextChoices):
        ITEM_EXCHANGE = "item_exchange", _("item exchange")
        AUCTION = "auction", _("auction")
        COURIER = "courier", _("courier")
        LOAN = "loan", _("loan")
        UNKNOWN = "unknown", _("unknown")

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", _("outstanding")
        IN_PROGRESS = "in_progress", _("in progress")
        FINISHED_ISSUER = "finished_issuer", _("finished issuer")
        FINISHED_CONTRACTOR = "finished_contractor", _("finished contractor")
        FINISHED = "finished", _("finished")
        CANCELLED = "cancelled", _("cancelled")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")
        DELETED = "deleted", _("deleted")
        REVERSED = "reversed", _("reversed")
        UNKNOWN = "unknown", _("unknown")

    class Availability(models.TextChoices):
        PUBLIC = "public", _("public")
        PERSONAL = "personal", _("personal")
        CORPORATION = "corporation", _("corporation")
        ALLIANCE = "alliance", _("alliance")
        UNKNOWN = "unknown", _("unknown")

    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="contracts")
    contract_id = models.BigIntegerField()
    contract_type = models.CharField(
        _("type"), max_length=20, choices=ContractType.choices, default=ContractType.UNKNOWN
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    availability = models.CharField(
        max_length=20, choices=Availability.choices, default=Availability.UNKNOWN
    )
    title = models.CharField(max_length=200, blank=True, default="")
    issuer = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    issuer_corporation = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    assignee = models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        default=None,
        related_name="+",
        help_text=_("Character, corporation or alliance; empty for public contracts"),
    )
    acceptor = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    for_corporation = models.BooleanField(default=False)
    date_issued = models.DateTimeField(null=True, default=None)
    date_expired = models.DateTimeField(null=True, default=None)
    date_accepted = models.DateTimeField(null=True, default=None)
    date_completed = models.DateTimeField(null=True, default=None)
    days_to_complete = models.PositiveIntegerField(null=True, default=None)
    start_location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    end_location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    price = models.DecimalField(**MONEY)
    reward = models.DecimalField(**MONEY)
    collateral = models.DecimalField(**MONEY)
    buyout = models.DecimalField(**MONEY)
    volume = models.FloatField(null=True, default=None, help_text=_("In m³"))
    items_fetched = models.BooleanField(
        default=False,
        help_text=_("Whether the items were fetched; they never change, so they are fetched once"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["character", "-date_issued", "-contract_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["character", "contract_id"], name="memberaudit_unique_contract"
            )
        ]
        indexes = [
            models.Index(fields=["character", "status"], name="memberaudit_contract_status"),
            models.Index(fields=["character", "date_issued"], name="memberaudit_contract_issued"),
            # pages sorted by a party count its rows per party and walk one party's rows here
            models.Index(fields=["character", "issuer"], name="memberaudit_contract_issuer"),
            models.Index(fields=["character", "assignee"], name="memberaudit_contract_assignee"),
            models.Index(fields=["character", "acceptor"], name="memberaudit_contract_acceptor"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.title or self.get_contract_type_display()}"

    @property
    def is_outstanding_auction(self) -> bool:
        return (
            self.contract_type == self.ContractType.AUCTION
            and self.status == self.Status.OUTSTANDING
        )


class CharacterContractItem(models.Model):
    """An item of a contract: offered by the issuer (included) or asked for."""

    contract = models.ForeignKey(CharacterContract, on_delete=models.CASCADE, related_name="items")
    record_id = models.BigIntegerField()
    eve_type = models.ForeignKey(EveType, on_delete=models.CASCADE, related_name="+")
    quantity = models.BigIntegerField()
    is_included = models.BooleanField(
        help_text=_("True if the issuer offers the item, false if the issuer asks for it")
    )
    is_singleton = models.BooleanField()
    raw_quantity = models.BigIntegerField(
        null=True,
        default=None,
        help_text=_("-1 for a singleton or blueprint original, -2 for a blueprint copy"),
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("contract item")
        verbose_name_plural = _("contract items")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "record_id"], name="memberaudit_unique_contract_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}-{self.record_id}"

    @property
    def is_blueprint_copy(self) -> bool:
        return self.raw_quantity == -2


class CharacterContractBid(models.Model):
    """A bid on an auction contract."""

    contract = models.ForeignKey(CharacterContract, on_delete=models.CASCADE, related_name="bids")
    bid_id = models.BigIntegerField()
    bidder = models.ForeignKey(
        EveEntity, on_delete=models.SET_NULL, null=True, default=None, related_name="+"
    )
    amount = models.DecimalField(max_digits=17, decimal_places=2)
    date_bid = models.DateTimeField()

    class Meta:
        default_permissions = ()
        verbose_name = _("contract bid")
        verbose_name_plural = _("contract bids")
        ordering = ["contract", "-amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "bid_id"], name="memberaudit_unique_contract_bid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}-{self.bid_id}"
