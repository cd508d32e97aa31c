"""Wallet and loyalty points of characters."""

import unicodedata

from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .characters import Character

__all__ = [
    "CharacterLoyaltyEntry",
    "CharacterWalletBalance",
    "CharacterWalletJournalEntry",
    "CharacterWalletJournalSearch",
]


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


class CharacterWalletJournalEntryQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Creates the entries and their search rows (see
        :class:`CharacterWalletJournalSearch`)."""
        objs = super().bulk_create(objs, *args, **kwargs)
        CharacterWalletJournalSearch.add_for(objs)
        return objs


class CharacterWalletJournalEntry(models.Model):
    """One line of a character's wallet journal; kept after ESI stops reporting it.

    Each entry has a row in :class:`CharacterWalletJournalSearch`, written when it is
    created (``bulk_create`` or ``save``) and again when it is saved changed. The app never
    changes an entry once stored; ``QuerySet.update`` would leave its row as it was."""

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

    objects = CharacterWalletJournalEntryQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        created = self._state.adding
        super().save(*args, **kwargs)
        if not created:  # its row again: the date, a part of the row's key, may be new
            CharacterWalletJournalSearch.objects.filter(entry=self).delete()
        CharacterWalletJournalSearch.add_for([self])


def _party_key() -> models.ForeignKey:
    return models.ForeignKey(
        EveEntity,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class CharacterWalletJournalSearch(models.Model):
    """What a search of the wallet journal looks at, one row per entry: its texts and its
    parties' keys, stored in the order of the journal's pages (character, newest first).

    A search for a text few entries hold reads a character's rows here one after the other,
    instead of looking up every entry along the journal's date index (100,000 lookups for an
    old character)."""

    # the journal's default order (date, then entry), which the table is stored in
    pk = models.CompositePrimaryKey("character", "date", "entry")
    character = models.ForeignKey(
        Character, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateTimeField()
    entry = models.OneToOneField(
        CharacterWalletJournalEntry, on_delete=models.CASCADE, related_name="search_row"
    )
    # the entry's type, description and reason, one per line, folded (see folded)
    text = models.TextField()
    # the entry's parties, as keys only (searched through a list of keys, never joined)
    first_party = _party_key()
    second_party = _party_key()

    class Meta:
        default_permissions = ()
        verbose_name = _("wallet journal search row")

    def __str__(self) -> str:
        return f"{self.character_id}-{self.entry_id}"

    @classmethod
    def add_for(cls, entries: list[CharacterWalletJournalEntry]) -> None:
        """Adds the search rows of ``entries``, just stored. Entries without a key (not
        returned by an insert that ignores conflicts) are read back, a character's in one
        query (the entries stored since the oldest of them), so that an entry stored before
        keeps the row of what is stored."""
        rows = [
            tuple(getattr(entry, field) for field in _SEARCHED_FIELDS)
            for entry in entries
            if entry.pk is not None
        ]
        unkeyed = {}
        for entry in entries:
            if entry.pk is None:
                unkeyed.setdefault(entry.character_id, []).append(entry)
        for character_id, stored in unkeyed.items():
            wanted = {entry.entry_id for entry in stored}
            since = min(entry.date for entry in stored)
            rows += [
                (pk, *values)
                for pk, entry_id, *values in CharacterWalletJournalEntry.objects.filter(
                    character_id=character_id, date__gte=since
                ).values_list("pk", "entry_id", *_SEARCHED_FIELDS[1:])
                if entry_id in wanted
            ]
        cls.objects.bulk_create(
            _search_rows(cls, rows), batch_size=_INSERT_SIZE, ignore_conflicts=True
        )


# what separates the texts of an entry in its search row: a search for a text holding it
# is not asked of search rows
JOURNAL_SEARCH_SEPARATOR = "\n"


def journal_search_text(ref_type: str, description: str, reason: str) -> str:
    """The texts of a journal entry that a search looks at, as its search row holds them
    (:func:`folded`)."""
    return folded(JOURNAL_SEARCH_SEPARATOR.join((ref_type, description, reason)))


def folded(text: str) -> str:
    """``text`` as a search row holds it: in compatibility form, case folded and without
    accents (``Café`` -> ``cafe``, ``Straße`` -> ``strasse``, ``ﬁ`` -> ``fi``). A text folded
    so is found among folded texts by a plain, case-sensitive comparison of characters,
    which the database makes much faster than a comparison by its collation."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# at most this many search rows are written in one query
_INSERT_SIZE = 1000
# what a search row is made of, read from its entry
_SEARCHED_FIELDS = (
    "pk",
    "character_id",
    "date",
    "ref_type",
    "description",
    "reason",
    "first_party_id",
    "second_party_id",
)


def _search_rows(search_model, rows) -> list:
    """Search rows (of ``search_model``, which may be a migration's) of entries given by
    their values of :data:`_SEARCHED_FIELDS`."""
    return [
        search_model(
            entry_id=pk,
            character_id=character_id,
            date=date,
            text=journal_search_text(ref_type, description, reason),
            first_party_id=first,
            second_party_id=second,
        )
        for pk, character_id, date, ref_type, description, reason, first, second in rows
    ]


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


def fill_journal_search_rows(entry_model=None, search_model=None, chunk: int = 2000) -> int:
    """Adds the search rows of the journal entries stored without one (by a migration, or
    rows inserted in SQL), ``chunk`` entries at a time; the models may be a migration's.
    Returns how many entries were read."""
    entry_model = entry_model or CharacterWalletJournalEntry
    search_model = search_model or CharacterWalletJournalSearch
    last, read = 0, 0
    while True:
        rows = list(
            entry_model.objects.filter(pk__gt=last, search_row__isnull=True)
            .order_by("pk")
            .values_list(*_SEARCHED_FIELDS)[:chunk]
        )
        if not rows:
            return read
        search_model.objects.bulk_create(_search_rows(search_model, rows), ignore_conflicts=True)
        last, read = rows[-1][0], read + len(rows)
