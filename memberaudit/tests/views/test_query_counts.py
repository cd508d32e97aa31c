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
from eveuniverse.models import EveEntity, EveSolarSystem, EveType
from eveuniverse.tests.testdata.factories_2 import (
    EvePlanetFactory,
    EveSolarSystemFactory,
    PlanetTypeFactory,
)

from memberaudit.charts import CHART_SECTIONS, CHARTS
from memberaudit.models import (
    Character,
    CharacterAsset,
    CharacterAttributes,
    CharacterBlueprint,
    CharacterContact,
    CharacterContract,
    CharacterContractBid,
    CharacterContractItem,
    CharacterCorporationRole,
    CharacterFwStats,
    CharacterIndustryJob,
    CharacterJumpFatigue,
    CharacterKillmail,
    CharacterMail,
    CharacterMailingList,
    CharacterMailLabel,
    CharacterMailRecipient,
    CharacterMarketOrder,
    CharacterMedal,
    CharacterMiningEntry,
    CharacterNotification,
    CharacterPlanet,
    CharacterPlanetPin,
    CharacterResearchAgent,
    CharacterSkillpoints,
    CharacterSkillpointsRecord,
    CharacterStanding,
    CharacterTitle,
    CharacterWalletBalance,
    CharacterWalletJournalEntry,
    CharacterWalletTransaction,
    Killmail,
    KillmailAttacker,
    Location,
)

from ..factories import (
    create_character,
    create_item_type,
    create_user_with_main,
    keep_asset_summaries,
    mark_sections,
)

pytestmark = pytest.mark.django_db

MANY_CHARACTERS = 50
MANY_ROWS = 2_000  # twenty times the few: a query per row or per page shows


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
    add_character_sheet(character, entities, first_id)


def add_character_sheet(character, entities, first_id):
    """Rows of the character sheet sections: a standing per entity, a tenth as many roles,
    titles, medals and research agents (enough to show a growing tab), and the single rows."""
    now = timezone.now()
    CharacterStanding.objects.bulk_create(
        [
            CharacterStanding(character=character, eve_entity=e, kind="npc_corp", standing=1.5)
            for e in entities
        ],
        batch_size=2000,
    )
    some = entities[: max(len(entities) // 10, 1)]
    CharacterCorporationRole.objects.bulk_create(
        [
            CharacterCorporationRole(character=character, scope="general", role=f"Role_{n}")
            for n in range(first_id, first_id + len(some))
        ],
        batch_size=2000,
    )
    CharacterTitle.objects.bulk_create(
        [
            CharacterTitle(character=character, title_id=n, name=f"<b>Title {n}</b>")
            for n in range(first_id, first_id + len(some))
        ],
        batch_size=2000,
    )
    CharacterMedal.objects.bulk_create(
        [
            CharacterMedal(character=character, medal_id=n, title=f"Medal {n}", date=now, issuer=e)
            for n, e in enumerate(some, start=first_id)
        ],
        batch_size=2000,
    )
    CharacterResearchAgent.objects.bulk_create(
        [
            CharacterResearchAgent(
                character=character,
                agent=e,
                skill=e,
                started_at=now,
                points_per_day=50,
                remainder_points=1,
            )
            for e in some
        ],
        batch_size=2000,
    )
    faction = entities[0]
    CharacterAttributes.objects.get_or_create(
        character=character,
        defaults=dict.fromkeys(CharacterAttributes.NAMES, 20),
    )
    CharacterFwStats.objects.get_or_create(character=character, defaults={"faction": faction})
    CharacterJumpFatigue.objects.get_or_create(
        character=character,
        defaults={"jump_fatigue_expire_date": now + dt.timedelta(hours=1)},
    )


def add_intel(character, count, first_id=1):
    """Kills and losses with two attackers each, and notifications (half parsed)."""
    now = timezone.now()
    corporation_id = character.eve_character.corporation_id
    EveEntity.objects.get_or_create(
        id=corporation_id, defaults={"name": "Our corporation", "category": "corporation"}
    )
    pilots = EveEntity.objects.bulk_create(
        [
            EveEntity(id=3_200_000_000 + first_id + i, name=f"Pilot {i}", category="character")
            for i in range(count)
        ],
        batch_size=2000,
    )
    Killmail.objects.bulk_create(
        [
            Killmail(
                id=first_id + i,
                hash="abc",
                time=now - dt.timedelta(minutes=i),
                victim_character=pilots[i],
                attacker_count=2,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    KillmailAttacker.objects.bulk_create(
        [
            KillmailAttacker(
                killmail_id=first_id + i,
                position=offset,
                character=pilots[(i + offset) % count],
                corporation_id=corporation_id if offset == 1 else None,
                is_final_blow=not offset,
            )
            for i in range(count)
            for offset in (1, 2)
        ],
        batch_size=2000,
    )
    CharacterKillmail.objects.bulk_create(
        [
            CharacterKillmail(
                character=character,
                killmail_id=first_id + i,
                killmail_hash="abc",
                is_loss=i % 3 == 0,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    details = {
        "character": {"kind": "entity", "id": 1, "name": "Applicant 1", "category": "character"},
        "corporation": {"kind": "entity", "id": 2, "name": "Corp 1", "category": "corporation"},
        "text": {"kind": "text", "value": "Hi 1"},
    }
    CharacterNotification.objects.bulk_create(
        [
            CharacterNotification(
                character=character,
                notification_id=first_id + i,
                sender=pilots[i],
                sender_id_raw=pilots[i].id,
                type="CorpAppNewMsg" if i % 2 else "SomethingNew",
                group="corporation" if i % 2 else "other",
                timestamp=now - dt.timedelta(minutes=i),
                text=f"charID: 1\ncorpID: {i}\n",
                details=details if i % 2 else {},
                is_parsed=bool(i % 2),
            )
            for i in range(count)
        ],
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
                place=places[index % 10],
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
                place=container.location,
            )
            for index in range(count - top)
        ],
        batch_size=2000,
    )
    keep_asset_summaries(character)


def add_trade_and_industry(character, count, first_id=1):
    """Transactions, orders, jobs, blueprints, mining days, colonies and SP records."""
    now = timezone.now()
    eve_type = create_item_type()
    client, _ = EveEntity.objects.get_or_create(
        id=3_100_000_003, defaults={"name": "Client", "category": "corporation"}
    )
    location, _ = Location.objects.get_or_create(id=60003760, defaults={"name": "Jita IV"})
    system = EveSolarSystemFactory() if first_id == 1 else EveSolarSystem.objects.first()
    CharacterWalletTransaction.objects.bulk_create(
        [
            CharacterWalletTransaction(
                character=character,
                transaction_id=first_id + index,
                date=now - dt.timedelta(minutes=index),
                eve_type=eve_type,
                quantity=index + 1,
                unit_price=10,
                is_buy=index % 2 == 0,
                is_personal=True,
                client=client,
                location=location,
                journal_ref_id=first_id + index,
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterMarketOrder.objects.bulk_create(
        [
            CharacterMarketOrder(
                character=character,
                order_id=first_id + index,
                eve_type=eve_type,
                is_buy_order=index % 2 == 0,
                issued=now - dt.timedelta(minutes=index),
                duration=30,
                escrow=5 if index % 2 == 0 else None,
                location=location,
                price=10 + index,
                volume_remain=1,
                volume_total=10,
                state="open" if index % 3 else "filled",
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterIndustryJob.objects.bulk_create(
        [
            CharacterIndustryJob(
                character=character,
                job_id=first_id + index,
                activity_id=1,
                status="active" if index % 4 else "delivered",
                blueprint_id=index,
                blueprint_type=eve_type,
                product_type=eve_type,
                runs=1,
                facility=location,
                installer=client,
                start_date=now - dt.timedelta(days=1),
                end_date=now + dt.timedelta(minutes=index),
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterBlueprint.objects.bulk_create(
        [
            CharacterBlueprint(
                character=character,
                item_id=first_id + index,
                eve_type=eve_type,
                location=location,
                quantity=-2 if index % 2 else -1,
                material_efficiency=10,
                time_efficiency=20,
                runs=5,
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    CharacterMiningEntry.objects.bulk_create(
        [
            CharacterMiningEntry(
                character=character,
                date=(now - dt.timedelta(days=first_id + index)).date(),
                eve_solar_system=system,
                eve_type=eve_type,
                quantity=100,
            )
            for index in range(min(count, 1000))
        ],
        batch_size=2000,
    )
    planet_type = PlanetTypeFactory() if first_id == 1 else EveType.objects.get(eve_group_id=7)
    planets = CharacterPlanet.objects.bulk_create(
        [
            CharacterPlanet(
                character=character,
                planet_id=first_id + index,
                eve_solar_system=system,
                eve_planet=EvePlanetFactory(
                    id=40_900_000 + first_id + index, eve_solar_system=system, eve_type=planet_type
                ),
            )
            for index in range(min(count, 50))
        ]
    )
    CharacterPlanetPin.objects.bulk_create(
        [
            CharacterPlanetPin(
                planet=planet,
                pin_id=pin,
                eve_type=eve_type,
                product_type=eve_type,
                kind="extractor",
                expiry_time=now - dt.timedelta(hours=pin),
            )
            for planet in planets
            for pin in range(3)
        ]
    )
    CharacterSkillpointsRecord.objects.bulk_create(
        [
            CharacterSkillpointsRecord(
                character=character, recorded_at=now - dt.timedelta(days=index), total=index
            )
            for index in range(count)
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
        "standings": (
            reverse("memberaudit:character_data", args=[character.pk, "standings"]),
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
        "killmails": (
            reverse("memberaudit:character_data", args=[character.pk, "killmails"]),
            PAGE_PARAMS,
        ),
        "losses": (
            reverse("memberaudit:character_data", args=[character.pk, "killmails"]),
            {**PAGE_PARAMS, "kind": "losses"},
        ),
        "killmail": (
            reverse("memberaudit:character_killmail", args=[character.pk, 1]),
            None,
        ),
        "notifications": (
            reverse("memberaudit:character_data", args=[character.pk, "notifications"]),
            PAGE_PARAMS,
        ),
        "notifications_in_group": (
            reverse("memberaudit:character_data", args=[character.pk, "notifications"]),
            {**PAGE_PARAMS, "group": "corporation"},
        ),
        "notifications_tab": (
            reverse("memberaudit:character_tab", args=[character.pk, "notifications"]),
            None,
        ),
        "transactions": (
            reverse("memberaudit:character_data", args=[character.pk, "wallet_transactions"]),
            PAGE_PARAMS,
        ),
        "open_orders": (
            reverse("memberaudit:character_data", args=[character.pk, "market_orders"]),
            {**ALL_ROWS_PARAMS, "state": "open"},
        ),
        "order_history": (
            reverse("memberaudit:character_data", args=[character.pk, "market_orders"]),
            {**ALL_ROWS_PARAMS, "state": "closed"},
        ),
        "industry_jobs": (
            reverse("memberaudit:character_data", args=[character.pk, "industry_jobs"]),
            ALL_ROWS_PARAMS,
        ),
        "blueprints": (
            reverse("memberaudit:character_data", args=[character.pk, "blueprints"]),
            ALL_ROWS_PARAMS,
        ),
        "mining_tab": (
            reverse("memberaudit:character_tab", args=[character.pk, "mining_ledger"]),
            None,
        ),
        "planets_tab": (reverse("memberaudit:character_tab", args=[character.pk, "planets"]), None),
        **{
            f"chart_{chart}": (
                reverse("memberaudit:character_chart", args=[character.pk, chart]),
                None,
            )
            for chart in CHARTS
        },
        "finder": (reverse("memberaudit:finder"), None),
        "finder_data": (reverse("memberaudit:finder_data"), ALL_ROWS_PARAMS),
        "skill_search": (reverse("memberaudit:skill_search"), None),
        "skill_search_data": (
            reverse("memberaudit:skill_search_data"),
            {**ALL_ROWS_PARAMS, "min_skillpoints": "1000000"},
        ),
    }


# Measured on SQLite, Alliance Auth's own queries for the session, user and menu (about ten
# per page) included; the bound holds for any number of characters and rows.
MAX_QUERIES = {
    "launcher": 20,  # shares of the cards, views through shares
    # skill sets: checks, failed skills (both kinds in one), levels, groups; contracts:
    # outstanding; corporation roles, titles, medals, research agents; killmails: counts;
    # ships, systems; notifications: groups, unread; contact notifications; calendar;
    # industry jobs: counts; mining: months; planets: colonies and pins; overview: escrow
    # and ISK on market (the mails and assets tabs load when opened)
    "viewer": 48,  # and the Changes tab: its kinds
    "tab": 14,
    "journal": 14,
    "contacts": 15,
    "standings": 14,
    "mails": 15,
    "mails_in_label": 15,
    "mails_in_list": 15,
    "mail": 14,
    # large tables find a page's keys on an index first (counted in the same query), then
    # load its rows
    "contracts": 14,
    "contract": 14,
    "assets_tab": 14,
    "asset_locations": 14,
    "assets": 14,
    "assets_at_location": 13,
    "asset_children": 16,
    "killmails": 15,
    "losses": 15,
    "killmail": 16,
    "notifications": 14,
    "notifications_in_group": 14,
    "notifications_tab": 15,
    "transactions": 14,
    "open_orders": 13,
    "order_history": 13,
    "industry_jobs": 13,
    "blueprints": 13,
    "mining_tab": 13,
    "planets_tab": 14,
    "chart_wallet_balance": 12,
    "chart_isk_flow": 12,
    "chart_skillpoints": 12,
    "chart_mined_volume": 12,
    "finder": 20,
    # on MariaDB two of them read the keys of the shared characters, once for all conditions
    "finder_data": 15,
    "skill_search": 18,  # the finder's filter choices
    "skill_search_data": 14,  # the access log: a write (the rights come with the rows)
}


def add_data(first, count, first_id=1):
    add_rows(first, count, first_id=first_id)
    add_mails(first, count, first_id=first_id)
    add_contracts(first, count, first_id=first_id)
    add_assets(first, count, first_id=first_id)
    add_intel(first, count, first_id=first_id)
    add_trade_and_industry(first, count, first_id=first_id)


def test_should_cost_the_same_queries_for_few_and_many_characters_and_rows(pilot, client):
    """Every endpoint is measured with few characters and rows, then again after many more
    are added (the data is built once for all of them), and each stays within its bound."""
    client.force_login(pilot)
    first = add_characters(pilot, FEW_CHARACTERS)[0]
    add_data(first, FEW_ROWS)
    urls = endpoints(first)
    assert set(urls) == set(MAX_QUERIES)
    few = {}
    for name, (url, params) in urls.items():
        client.get(url, params or {})  # Alliance Auth builds its menu on the first page view
        few[name] = count_queries(client, url, params)

    add_characters(pilot, MANY_CHARACTERS - FEW_CHARACTERS)
    add_data(first, MANY_ROWS - FEW_ROWS, first_id=100_000)
    many = {name: count_queries(client, url, params) for name, (url, params) in urls.items()}

    for name in urls:
        print(f"{name}: {few[name]} queries with few characters and rows, {many[name]} with many")
    grown = {name: (few[name], many[name]) for name in urls if many[name] != few[name]}
    assert not grown, f"queries grew with characters and rows (few, many): {grown}"
    over = {name: many[name] for name in urls if many[name] > MAX_QUERIES[name]}
    assert not over, f"above their bounds {MAX_QUERIES}: {over}"


CHARACTER_ENDPOINTS = [
    name
    for name in MAX_QUERIES
    if name not in ("launcher", "finder", "finder_data", "skill_search", "skill_search_data")
]


@pytest.mark.parametrize(
    "permissions",
    [
        ("memberaudit.characters_access", "memberaudit.view_everything"),
        ("memberaudit.finder_access", "memberaudit.view_shared_characters"),
    ],
    ids=["everything", "share"],
)
def test_should_cost_at_most_one_query_more_to_log_a_view_of_someone_elses_character(
    permissions, pilot, client
):
    """The access log costs one insert per request, none for the owner: measured on every
    URL that opens a character, for a view through a scope and through a share."""
    from memberaudit.models import AccessLogEntry

    from ..factories import share_with_all_recruiters

    AuthUtils.add_permissions_to_user_by_name(["memberaudit.share_characters"], pilot)
    character = add_characters(pilot, FEW_CHARACTERS)[0]
    add_data(character, FEW_ROWS)
    share_with_all_recruiters(character)
    urls = {name: endpoints(character)[name] for name in CHARACTER_ENDPOINTS}
    visitor = user_with_main(*permissions)
    reason = "everything" if "memberaudit.view_everything" in permissions else "share"
    by_owner, by_visitor = {}, {}

    for name, (url, params) in urls.items():
        client.force_login(pilot)
        client.get(url, params or {})
        by_owner[name] = count_queries(client, url, params)
        client.force_login(visitor)
        AccessLogEntry.objects.filter(viewer=visitor).delete()
        client.get(url, params or {})
        by_visitor[name] = count_queries(client, url, params)
        entry = AccessLogEntry.objects.get(viewer=visitor, character=character)
        assert (entry.section, entry.reason) == (LOGGED_SECTION[name], reason), name

    for name in urls:
        print(f"{name}: {by_owner[name]} queries for the owner, {by_visitor[name]} for a visitor")
    costly = {
        name: (by_owner[name], by_visitor[name])
        for name in urls
        if by_visitor[name] > by_owner[name] + 1
    }
    assert not costly, f"more than one query to log a view (owner, visitor): {costly}"
    assert not AccessLogEntry.objects.filter(viewer=pilot).exists()  # the owner's own views


# What the access log records for each URL that opens a character.
LOGGED_SECTION = {
    "viewer": "overview",
    "tab": "skills",
    "journal": "wallet_journal",
    "contacts": "contacts",
    "mails": "mails",
    "mails_in_label": "mails",
    "mails_in_list": "mails",
    "mail": "mails",
    "contracts": "contracts",
    "contract": "contracts",
    "assets_tab": "assets",
    "asset_locations": "assets",
    "assets": "assets",
    "assets_at_location": "assets",
    "asset_children": "assets",
    "standings": "standings",
    "killmails": "killmails",
    "losses": "killmails",
    "killmail": "killmails",
    "notifications": "notifications",
    "notifications_in_group": "notifications",
    "notifications_tab": "notifications",
    "transactions": "wallet_transactions",
    "open_orders": "market_orders",
    "order_history": "market_orders",
    "industry_jobs": "industry_jobs",
    "blueprints": "blueprints",
    "mining_tab": "mining_ledger",
    "planets_tab": "planets",
    **{f"chart_{chart}": section for chart, section in CHART_SECTIONS.items()},
}


def add_data_exports(user, count: int) -> None:
    from memberaudit.models import DataExport

    statuses = list(DataExport.Status)
    DataExport.objects.bulk_create(
        [
            DataExport(user=user, topic="wallet_journal", status=statuses[number % len(statuses)])
            for number in range(count)
        ]
    )


@pytest.mark.parametrize(
    ("url_name", "max_queries"),
    # the page: Alliance Auth's menu and notifications as on every page, then the exports
    [("memberaudit:data_export", 17), ("memberaudit:data_export_status", 11)],
)
def test_should_cost_the_same_queries_for_few_and_many_data_exports(
    url_name, max_queries, client, django_assert_max_num_queries
):
    user = user_with_main("memberaudit.exports_access")
    client.force_login(user)
    url = reverse(url_name)
    add_data_exports(user, 2)
    client.get(url)  # Alliance Auth builds its menu on the first page view
    few = count_queries(client, url)

    add_data_exports(user, 40)
    many = count_queries(client, url)

    assert many == few
    with django_assert_max_num_queries(max_queries):
        client.get(url)
