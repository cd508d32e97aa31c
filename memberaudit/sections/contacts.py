"""Contacts: standings a character set towards others, grouped by labels."""

from django.utils.translation import gettext_lazy as _

from eveuniverse.models import EveEntity

from .. import app_settings, change_events, json_tables, selectors
from ..entities import resolve_entities
from ..fitted_fields import fit_to_column
from ..models import CharacterContact, CharacterContactLabel
from .base import NavGroup, Section, ViewerTab, registry

CONTACT_CATEGORIES = {
    "character": EveEntity.CATEGORY_CHARACTER,
    "corporation": EveEntity.CATEGORY_CORPORATION,
    "alliance": EveEntity.CATEGORY_ALLIANCE,
    "faction": EveEntity.CATEGORY_FACTION,
}
CONTACT_FIELDS = ("standing", "is_blocked", "is_watched")


def fetch(character, gateway) -> dict:
    answers = gateway.get_unchanged_together(
        {
            "labels": (
                "GetCharactersCharacterIdContactsLabels",
                {"character_id": character.character_id},
            ),
            "contacts": (
                "GetCharactersCharacterIdContacts",
                {"character_id": character.character_id, "paged": True},
            ),
        }
    )
    labels = {}
    for row in answers["labels"] or []:
        if row.get("label_id"):
            labels[int(row["label_id"])] = fit_to_column(
                CharacterContactLabel, "name", row.get("label_name")
            )
    contacts = {}
    for row in answers["contacts"] or []:
        contact = _clean_contact(row)
        if contact is not None:
            contacts[contact["contact_id"]] = contact
    by_category: dict[str | None, list[int]] = {}
    for contact in contacts.values():
        by_category.setdefault(contact.pop("category"), []).append(contact["contact_id"])
    for category, ids in by_category.items():
        resolve_entities(ids, gateway, keep_unknown=True, category=category)
    return {
        "labels": [{"label_id": key, "name": labels[key]} for key in sorted(labels)],
        "contacts": [contacts[key] for key in sorted(contacts)],
    }


def _clean_contact(row: dict) -> dict | None:
    if not row.get("contact_id"):
        return None
    contact_type = getattr(row.get("contact_type"), "value", row.get("contact_type"))
    is_blocked = row.get("is_blocked")
    return {
        "contact_id": int(row["contact_id"]),
        "category": CONTACT_CATEGORIES.get(contact_type),
        "standing": float(row.get("standing") or 0.0),
        "is_blocked": bool(is_blocked) if is_blocked is not None else None,
        "is_watched": bool(row.get("is_watched")),
        "label_ids": sorted({int(label_id) for label_id in row.get("label_ids") or []}),
    }


def store(character, data: dict) -> bool:
    labels_changed = _store_labels(character, data["labels"])
    contacts_changed = _store_contacts(character, data["contacts"])
    links_changed = _store_contact_labels(character, data["contacts"])
    return labels_changed or contacts_changed or links_changed


def _store_labels(character, labels: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {label["label_id"]: label["name"] for label in labels}
    stored = {label.label_id: label for label in character.contact_labels.all()}
    gone = [label.pk for label_id, label in stored.items() if label_id not in wanted]
    renamed = []
    for label_id, label in stored.items():
        if label_id in wanted and wanted[label_id] != label.name:
            label.name = wanted[label_id]
            renamed.append(label)
    new = [
        CharacterContactLabel(character=character, label_id=label_id, name=name)
        for label_id, name in wanted.items()
        if label_id not in stored
    ]
    if gone:
        _delete(CharacterContactLabel, gone)
    if renamed:
        CharacterContactLabel.objects.bulk_update(renamed, fields=["name"], batch_size=batch_size)
    if new:
        CharacterContactLabel.objects.bulk_create(new, batch_size=batch_size)
    return bool(gone or renamed or new)


def _store_contacts(character, contacts: list[dict]) -> bool:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    wanted = {contact["contact_id"]: contact for contact in contacts}
    stored = {contact.eve_entity_id: contact for contact in character.contacts.all()}
    gone = [contact.pk for entity_id, contact in stored.items() if entity_id not in wanted]
    changed, old_values = [], []
    for entity_id, contact in stored.items():
        values = wanted.get(entity_id)
        if values is None:
            continue
        if any(getattr(contact, field) != values[field] for field in CONTACT_FIELDS):
            old_values.append({field: getattr(contact, field) for field in CONTACT_FIELDS})
            for field in CONTACT_FIELDS:
                setattr(contact, field, values[field])
            changed.append(contact)
    new = [
        CharacterContact(
            character=character,
            eve_entity_id=entity_id,
            **{field: values[field] for field in CONTACT_FIELDS},
        )
        for entity_id, values in wanted.items()
        if entity_id not in stored
    ]
    if gone:
        _delete(CharacterContact, gone)
    if changed:
        CharacterContact.objects.bulk_update(changed, fields=CONTACT_FIELDS, batch_size=batch_size)
    if new:
        CharacterContact.objects.bulk_create(new, batch_size=batch_size)
    change_events.report(
        created=new,
        changed=zip(changed, old_values, strict=True),
        removed=[contact for entity_id, contact in stored.items() if entity_id not in wanted],
    )
    return bool(gone or changed or new)


def _store_contact_labels(character, contacts: list[dict]) -> bool:
    """Sync which labels each contact has; label ids without a known label are skipped."""
    Link = CharacterContact.labels.through  # noqa: N806
    label_pks = dict(character.contact_labels.values_list("label_id", "pk"))
    contact_pks = dict(character.contacts.values_list("eve_entity_id", "pk"))
    wanted = {
        (contact_pks[contact["contact_id"]], label_pks[label_id])
        for contact in contacts
        for label_id in contact["label_ids"]
        if label_id in label_pks and contact["contact_id"] in contact_pks
    }
    stored = {
        (contact_pk, label_pk): link_pk
        for link_pk, contact_pk, label_pk in Link.objects.filter(
            charactercontact__character=character
        ).values_list("pk", "charactercontact_id", "charactercontactlabel_id")
    }
    gone = [link_pk for pair, link_pk in stored.items() if pair not in wanted]
    new = [
        Link(charactercontact_id=contact_pk, charactercontactlabel_id=label_pk)
        for contact_pk, label_pk in wanted - stored.keys()
    ]
    if gone:
        _delete(Link, gone)
    if new:
        Link.objects.bulk_create(new, batch_size=app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE)
    return bool(gone or new)


def _delete(model, pks: list[int]) -> None:
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    for start in range(0, len(pks), batch_size):
        model.objects.filter(pk__in=pks[start : start + batch_size]).delete()


registry.register(
    Section(
        name="contacts",
        title=_("contacts"),
        ring=2,
        scopes=("esi-characters.read_contacts.v1",),
        operations=(
            "GetCharactersCharacterIdContactsLabels",
            "GetCharactersCharacterIdContacts",
        ),
        fetch=fetch,
        store=store,
        events=change_events.contacts,
        tab=ViewerTab(
            group=NavGroup.SOCIAL,
            template="memberaudit/tabs/contacts.html",
            context=selectors.contacts_tab,
            tables={"contacts": json_tables.contacts},
        ),
    )
)
