"""What can be exported: one topic per kind of character data, its rows and its columns.

A topic is declared once here; the export page, the export task and the management command
all read this registry. Every row starts with the character's EVE id and name.
"""

from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    Character,
    CharacterAsset,
    CharacterContract,
    CharacterContractItem,
    CharacterIndustryJob,
    CharacterMail,
    CharacterMarketOrder,
    CharacterMiningEntry,
    CharacterSkill,
    CharacterWalletJournalEntry,
    CharacterWalletTransaction,
)


@dataclass(frozen=True)
class ExportTopic:
    """One exportable kind of data: rows of ``model`` reached from a character by
    ``character_path``, with ``columns`` of (title, field path)."""

    name: str
    title: str | Promise
    model: type[Model]
    columns: tuple[tuple[str | Promise, str], ...]
    character_path: str = "character"

    @property
    def headers(self) -> list[str | Promise]:
        return [_("character ID"), _("character"), *(title for title, _field in self.columns)]

    @property
    def fields(self) -> list[str]:
        eve_character = f"{self.character_path}__eve_character"
        return [
            f"{eve_character}__character_id",
            f"{eve_character}__character_name",
            *(field for _title, field in self.columns),
        ]

    def queryset(self, characters: QuerySet[Character]) -> QuerySet:
        """The rows of these characters."""
        return self.model.objects.filter(**{f"{self.character_path}__in": characters})


TOPICS: dict[str, ExportTopic] = {
    topic.name: topic
    for topic in (
        ExportTopic(
            "wallet_journal",
            _("Wallet journal"),
            CharacterWalletJournalEntry,
            (
                (_("entry ID"), "entry_id"),
                (_("date"), "date"),
                (_("type"), "ref_type"),
                (_("amount"), "amount"),
                (_("balance"), "balance"),
                (_("first party"), "first_party__name"),
                (_("second party"), "second_party__name"),
                (_("description"), "description"),
                (_("reason"), "reason"),
                (_("tax"), "tax"),
                (_("tax receiver"), "tax_receiver__name"),
                (_("context ID"), "context_id"),
                (_("context type"), "context_id_type"),
            ),
        ),
        ExportTopic(
            "wallet_transactions",
            _("Wallet transactions"),
            CharacterWalletTransaction,
            (
                (_("transaction ID"), "transaction_id"),
                (_("date"), "date"),
                (_("type"), "eve_type__name"),
                (_("quantity"), "quantity"),
                (_("unit price"), "unit_price"),
                (_("buy"), "is_buy"),
                (_("personal"), "is_personal"),
                (_("client"), "client__name"),
                (_("location"), "location__name"),
                (_("journal entry ID"), "journal_ref_id"),
            ),
        ),
        ExportTopic(
            "contracts",
            _("Contracts"),
            CharacterContract,
            (
                (_("contract ID"), "contract_id"),
                (_("type"), "contract_type"),
                (_("status"), "status"),
                (_("availability"), "availability"),
                (_("title"), "title"),
                (_("issuer"), "issuer__name"),
                (_("issuer corporation"), "issuer_corporation__name"),
                (_("assignee"), "assignee__name"),
                (_("acceptor"), "acceptor__name"),
                (_("for corporation"), "for_corporation"),
                (_("issued"), "date_issued"),
                (_("expires"), "date_expired"),
                (_("accepted"), "date_accepted"),
                (_("completed"), "date_completed"),
                (_("days to complete"), "days_to_complete"),
                (_("start location"), "start_location__name"),
                (_("end location"), "end_location__name"),
                (_("price"), "price"),
                (_("reward"), "reward"),
                (_("collateral"), "collateral"),
                (_("buyout"), "buyout"),
                (_("volume"), "volume"),
            ),
        ),
        ExportTopic(
            "contract_items",
            _("Contract items"),
            CharacterContractItem,
            (
                (_("contract ID"), "contract__contract_id"),
                (_("record ID"), "record_id"),
                (_("type"), "eve_type__name"),
                (_("quantity"), "quantity"),
                (_("included"), "is_included"),
                (_("singleton"), "is_singleton"),
                (_("raw quantity"), "raw_quantity"),
            ),
            character_path="contract__character",
        ),
        ExportTopic(
            "mails",
            _("Mail headers"),
            CharacterMail,
            (
                (_("mail ID"), "mail_id"),
                (_("sent"), "timestamp"),
                (_("from"), "sender__name"),
                (_("mailing list"), "sender_mailing_list__name"),
                (_("subject"), "subject"),
                (_("read"), "is_read"),
            ),
        ),
        ExportTopic(
            "assets",
            _("Assets"),
            CharacterAsset,
            (
                (_("item ID"), "item_id"),
                (_("type"), "eve_type__name"),
                (_("name"), "name"),
                (_("quantity"), "quantity"),
                (_("place"), "place__name"),
                (_("location"), "location__name"),
                (_("inside item ID"), "parent__item_id"),
                (_("location flag"), "location_flag"),
                (_("singleton"), "is_singleton"),
                (_("blueprint copy"), "is_blueprint_copy"),
            ),
        ),
        ExportTopic(
            "skills",
            _("Skills"),
            CharacterSkill,
            (
                (_("skill"), "eve_type__name"),
                (_("active level"), "active_skill_level"),
                (_("trained level"), "trained_skill_level"),
                (_("skill points"), "skillpoints_in_skill"),
            ),
        ),
        ExportTopic(
            "market_orders",
            _("Market orders"),
            CharacterMarketOrder,
            (
                (_("order ID"), "order_id"),
                (_("type"), "eve_type__name"),
                (_("buy order"), "is_buy_order"),
                (_("for corporation"), "is_corporation"),
                (_("issued"), "issued"),
                (_("duration (days)"), "duration"),
                (_("escrow"), "escrow"),
                (_("location"), "location__name"),
                (_("region ID"), "region_id"),
                (_("minimum volume"), "min_volume"),
                (_("price"), "price"),
                (_("range"), "range"),
                (_("volume remaining"), "volume_remain"),
                (_("volume total"), "volume_total"),
                (_("state"), "state"),
            ),
        ),
        ExportTopic(
            "industry_jobs",
            _("Industry jobs"),
            CharacterIndustryJob,
            (
                (_("job ID"), "job_id"),
                (_("activity"), "activity_id"),
                (_("status"), "status"),
                (_("blueprint"), "blueprint_type__name"),
                (_("product"), "product_type__name"),
                (_("runs"), "runs"),
                (_("licensed runs"), "licensed_runs"),
                (_("successful runs"), "successful_runs"),
                (_("probability"), "probability"),
                (_("cost"), "cost"),
                (_("facility"), "facility__name"),
                (_("installer"), "installer__name"),
                (_("start"), "start_date"),
                (_("end"), "end_date"),
                (_("paused"), "pause_date"),
                (_("completed"), "completed_date"),
            ),
        ),
        ExportTopic(
            "mining",
            _("Mining ledger"),
            CharacterMiningEntry,
            (
                (_("date"), "date"),
                (_("solar system"), "eve_solar_system__name"),
                (_("ore"), "eve_type__name"),
                (_("quantity"), "quantity"),
            ),
        ),
    )
}
