"""Every page and JSON endpoint costs a constant number of queries: measured with a few
characters and rows, then held to the same bound with 50 characters and 10,000 rows."""

import datetime as dt

import pytest

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils
from eveuniverse.models import EveEntity

from memberaudit.models import (
    Character,
    CharacterAsset,
    CharacterContact,
    CharacterContract,
    CharacterContractBid,
    CharacterContractItem,
    CharacterMail,
    CharacterMailingList,
    CharacterMailLabel,
    CharacterMailRecipient,
    CharacterSkillpoints,
    CharacterWalletBalance,
    CharacterWalletJournalEntry,
    Location,
)

from ..factories import create_character, create_item_type, create_user_with_main, mark_sections

pytestmark = pytest.mark.django_db

MANY_CHARACTERS = 50
MANY_ROWS = 10_000


def user_with_main(*permissions):
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def add_characters(user, count) -> list[Character]:
    characters = [create_character(user=user) for _ in range(count)]
    CharacterWalletBalance.objects.bulk_create(
        [CharacterWalletBalance(character=c, total=1000) for c in characters]
    )
    CharacterSkillpoints.objects.bulk_create(
        [CharacterSkillpoints(character=c, total=5_000_000) for c in characters]
    )
    for character in characters:
        mark_sections(character)
    return characters


def add_rows(character, count, first_id=1):
    now = timezone.now()
    CharacterWalletJournalEntry.objects.bulk_create(
        [
            CharacterWalletJournalEntry(
                character=character,
                entry_id=first_id + index,
                date=now - dt.timedelta(minutes=index),
                ref_type="player_donation",
                amount=index,
                balance=index,
                description=f"entry {index}",
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    entities = EveEntity.objects.bulk_create(
        [
            EveEntity(
                id=3_000_000_000 + first_id + index, name=f"Contact {index}", category="character"
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterContact.objects.bulk_create(
        [CharacterContact(character=character, eve_entity=e, standing=5) for e in entities],
        batch_size=2000,
    )


def add_mails(character, count, first_id=1):
    now = timezone.now()
    sender, _ = EveEntity.objects.get_or_create(
        id=3_100_000_001, defaults={"name": "Sender", "category": "character"}
    )
    labels = {
        label_id: CharacterMailLabel.objects.get_or_create(
            character=character, label_id=label_id, defaults={"name": f"Label {label_id}"}
        )[0]
        for label_id in (1, 2)
    }
    mailing_list, _ = CharacterMailingList.objects.get_or_create(
        character=character, list_id=145_000_001, defaults={"name": "List"}
    )
    mails = CharacterMail.objects.bulk_create(
        [
            CharacterMail(
                character=character,
                mail_id=first_id + index,
                sender=sender,
                subject=f"Mail {index}",
                body="<b>hello</b>",
                timestamp=now - dt.timedelta(minutes=index),
                is_read=index % 3 == 0,
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    mails = list(character.mails.filter(mail_id__gte=first_id, mail_id__lt=first_id + count))
    CharacterMailRecipient.objects.bulk_create(
        [
            CharacterMailRecipient(
                mail=mail,
                recipient_id=mailing_list.list_id,
                kind="mailing_list",
                mailing_list=mailing_list,
            )
            for mail in mails
        ],
        batch_size=2000,
    )
    Link = CharacterMail.labels.through  # noqa: N806
    # Every mail is in label 1, so a page of it is never empty whatever ids the database hands
    # out (an empty page skips the prefetches and would cost fewer queries); odd ones also in 2.
    Link.objects.bulk_create(
        [
            Link(charactermail_id=mail.pk, charactermaillabel_id=labels[label_id].pk)
            for mail in mails
            for label_id in ((1, 2) if mail.mail_id % 2 else (1,))
        ],
        batch_size=2000,
    )


def add_contracts(character, count, first_id=1):
    now = timezone.now()
    issuer, _ = EveEntity.objects.get_or_create(
        id=3_100_000_002, defaults={"name": "Issuer", "category": "character"}
    )
    location, _ = Location.objects.get_or_create(id=60003760, defaults={"name": "Jita IV"})
    CharacterContract.objects.bulk_create(
        [
            CharacterContract(
                character=character,
                contract_id=first_id + index,
                contract_type="auction" if index % 2 else "item_exchange",
                status="outstanding",
                title=f"Contract {index}" if index % 5 else "",
                issuer=issuer,
                start_location=location,
                end_location=location,
                price=index,
                date_issued=now - dt.timedelta(minutes=index),
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    contract = character.contracts.get(contract_id=first_id)
    eve_type = create_item_type()
    CharacterContractItem.objects.bulk_create(
        [
            CharacterContractItem(
                contract=contract,
                record_id=first_id + index,
                eve_type=eve_type,
                quantity=1,
                is_included=True,
                is_singleton=False,
            )
            for index in range(count // 100)
        ]
    )
    CharacterContractBid.objects.bulk_create(
        [
            CharacterContractBid(
                contract=contract,
                bid_id=first_id + index,
                bidder=issuer,
                amount=index,
                date_bid=now,
            )
            for index in range(count // 100)
        ]
    )


def add_assets(character, count, first_id=1):
    """Half the items at ten places, the other half inside the first of them."""
    eve_type = create_item_type()
    places = [
        Location.objects.get_or_create(id=60_000_000 + n, defaults={"name": f"Station {n}"})[0]
        for n in range(10)
    ]
    top = count // 2
    CharacterAsset.objects.bulk_create(
        [
            CharacterAsset(
                character=character,
                item_id=10**12 + first_id + index,
                eve_type=eve_type,
                location=places[index % 10],
                name=f"Box {index}",
            )
            for index in range(top)
        ],
        batch_size=2000,
    )
    container = character.assets.get(item_id=10**12 + first_id)
    CharacterAsset.objects.bulk_create(
        [
            CharacterAsset(
                character=character,
                item_id=10**12 + first_id + top + index,
                eve_type=eve_type,
                parent=container,
            )
            for index in range(count - top)
        ],
        batch_size=2000,
    )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    if params:  # a table page: it must hold rows, or the count says nothing about them
        assert response.json()["data"], f"{url} {params} returned an empty page"
    return len(context.captured_queries)


PAGE_PARAMS = {
    "draw": "1",
    "start": "2",
    "length": "50",
    "search[value]": "1",
    "order[0][column]": "0",
    "order[0][dir]": "desc",
}
# For tables whose few rows would not fill a searched page (ten places, unnamed items, a few
# characters).
ALL_ROWS_PARAMS = {**PAGE_PARAMS, "search[value]": ""}
FEW_CHARACTERS = 5
FEW_ROWS = 100


@pytest.fixture
def pilot():
    return user_with_main(
        "memberaudit.finder_access",
        "memberaudit.characters_access",
        "memberaudit.view_everything",
    )


def endpoints(character):
    return {
        "launcher": (reverse("memberaudit:launcher"), None),
        "viewer": (reverse("memberaudit:character_viewer", args=[character.pk]), None),
        "tab": (reverse("memberaudit:character_tab", args=[character.pk, "skills"]), None),
        "journal": (
            reverse("memberaudit:character_data", args=[character.pk, "wallet_journal"]),
            PAGE_PARAMS,
        ),
        "contacts": (
            reverse("memberaudit:character_data", args=[character.pk, "contacts"]),
            PAGE_PARAMS,
        ),
        "mails": (reverse("memberaudit:character_data", args=[character.pk, "mails"]), PAGE_PARAMS),
        "mails_in_label": (
            reverse("memberaudit:character_data", args=[character.pk, "mails"]),
            {**PAGE_PARAMS, "folder": "label:1"},
        ),
        "mails_in_list": (
            reverse("memberaudit:character_data", args=[character.pk, "mails"]),
            {**PAGE_PARAMS, "folder": "list:145000001"},
        ),
        "mail": (
            reverse(
                "memberaudit:character_mail", args=[character.pk, character.mails.first().mail_id]
            ),
            None,
        ),
        "contracts": (
            reverse("memberaudit:character_data", args=[character.pk, "contracts"]),
            PAGE_PARAMS,
        ),
        "contract": (
            reverse(
                "memberaudit:character_contract",
                args=[character.pk, character.contracts.order_by("contract_id").first().pk],
            ),
            None,
        ),
        "assets_tab": (reverse("memberaudit:character_tab", args=[character.pk, "assets"]), None),
        "asset_locations": (
            reverse("memberaudit:character_data", args=[character.pk, "asset_locations"]),
            ALL_ROWS_PARAMS,
        ),
        "assets": (
            reverse("memberaudit:character_data", args=[character.pk, "assets"]),
            PAGE_PARAMS,
        ),
        "assets_at_location": (
            reverse("memberaudit:character_data", args=[character.pk, "assets"]),
            {**PAGE_PARAMS, "location": "60000000", "search[value]": ""},
        ),
        "asset_children": (
            reverse(
                "memberaudit:character_asset",
                args=[character.pk, character.assets.order_by("item_id").first().pk],
            ),
            ALL_ROWS_PARAMS,
        ),
        "finder": (reverse("memberaudit:finder"), None),
        "finder_data": (reverse("memberaudit:finder_data"), ALL_ROWS_PARAMS),
    }


# Measured on SQLite, Alliance Auth's own queries for the session, user and menu (about ten
# per page) included; the bound holds for any number of characters and rows.
MAX_QUERIES = {
    "launcher": 18,
    "viewer": 37,  # the mails tab: labels, lists, unread; contracts: outstanding
    "tab": 14,
    "journal": 14,
    "contacts": 15,
    "mails": 15,
    "mails_in_label": 15,
    "mails_in_list": 15,
    "mail": 14,
    "contracts": 14,
    "contract": 14,
    "assets_tab": 14,
    "asset_locations": 14,
    "assets": 14,
    "assets_at_location": 13,
    "asset_children": 16,
    "finder": 20,
    "finder_data": 13,
}


@pytest.mark.parametrize("name", list(MAX_QUERIES))
def test_should_cost_the_same_queries_for_few_and_many_characters_and_rows(
    name, pilot, client, django_assert_max_num_queries
):
    client.force_login(pilot)
    first = add_characters(pilot, FEW_CHARACTERS)[0]
    add_rows(first, FEW_ROWS)
    add_mails(first, FEW_ROWS)
    add_contracts(first, FEW_ROWS)
    add_assets(first, FEW_ROWS)
    url, params = endpoints(first)[name]
    client.get(url, params or {})  # Alliance Auth builds its menu on the first page view
    few = count_queries(client, url, params)

    add_characters(pilot, MANY_CHARACTERS - FEW_CHARACTERS)
    add_rows(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    add_mails(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    add_contracts(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    add_assets(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    many = count_queries(client, url, params)

    print(f"{name}: {few} queries with {FEW_CHARACTERS} characters, {many} with {MANY_CHARACTERS}")
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        client.get(url, params or {})
