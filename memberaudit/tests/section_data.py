"""Section data of a character written straight to the database, for deletion tests."""

from django.utils import timezone

from eveuniverse.models import EveEntity

from memberaudit.models import (
    Character,
    CharacterContact,
    CharacterContactLabel,
    CharacterSkillpoints,
    CharacterWalletBalance,
    CharacterWalletJournalEntry,
)

from .factories import mark_sections


def create_section_data(character: Character, journal_entries: int = 5) -> None:
    """Status rows, a wallet balance, skill points, journal entries and a labelled contact."""
    mark_sections(character, esi_requests=2)
    CharacterWalletBalance.objects.create(character=character, total=1_000)
    CharacterSkillpoints.objects.create(character=character, total=5_000_000)
    now = timezone.now()
    CharacterWalletJournalEntry.objects.bulk_create(
        CharacterWalletJournalEntry(
            character=character, entry_id=number, date=now, ref_type="player_donation"
        )
        for number in range(journal_entries)
    )
    entity, _ = EveEntity.objects.get_or_create(
        id=93_000_001, defaults={"name": "Friend", "category": EveEntity.CATEGORY_CHARACTER}
    )
    label = CharacterContactLabel.objects.create(character=character, label_id=1, name="Pals")
    contact = CharacterContact.objects.create(character=character, eve_entity=entity, standing=5)
    contact.labels.add(label)


def stored_rows(character: Character) -> int:
    """How many rows of section data and status the character has."""
    return (
        sum(
            model.objects.filter(character=character).count()
            for model in (
                CharacterWalletBalance,
                CharacterSkillpoints,
                CharacterWalletJournalEntry,
                CharacterContactLabel,
                CharacterContact,
            )
        )
        + character.update_status_set.count()
    )
