"""The heavy tabs of the viewer: mails with the mail reader, contracts with their items and
bids, assets by place with drill-down into ships and containers, and search."""

import pytest

from django.urls import reverse

from memberaudit.models import CharacterMail

from ..factories import create_character, keep_asset_summaries
from .conftest import ARIA

pytestmark = pytest.mark.django_db

ARIA_LIST = 145000100
HOSTILE = '<script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=y>ok'


@pytest.fixture
def aria(make_character, load_sections):
    return load_sections(make_character(ARIA), "location", "ship", "mails", "contracts", "assets")


def get(client, name, *args, **params):
    return client.get(reverse(f"memberaudit:{name}", args=list(args)), params)


def table(client, character, name, **params):
    response = get(client, "character_data", character.pk, name, **params)
    assert response.status_code == 200
    return response.json()


class TestMails:
    def test_tab_loads_when_opened(self, aria, client):
        client.force_login(aria.owner)

        page = get(client, "character_viewer", aria.pk).content.decode()

        assert 'id="mails-table"' not in page and "Jaxon Market Alerts" not in page
        url = reverse("memberaudit:character_tab", args=[aria.pk, "mails"])
        assert f'data-lazy-url="{url}"' in page

    def test_tab_lists_labels_and_mailing_lists_with_unread_counts(self, aria, client):
        client.force_login(aria.owner)

        html = get(client, "character_tab", aria.pk, "mails").content.decode()

        assert 'id="mails-table"' in html
        assert 'value="label:1"' in html and 'value="label:32"' in html
        inbox = html.split(f'for="mail-label-{aria.pk}-1">')[1].split("</label>")[0]
        unread_inbox = aria.mails.filter(labels__label_id=1, is_read=False).count()
        assert f">{unread_inbox}</span>" in inbox
        assert f'value="list:{ARIA_LIST}"' in html and "Jaxon Market Alerts" in html

    def test_table_lists_headers_newest_first_with_a_reader_link(self, aria, client):
        client.force_login(aria.owner)

        data = table(client, aria, "mails", length=100)

        assert data["recordsTotal"] == aria.mails.count() > 0
        first = data["data"][0]
        assert set(first) == {"timestamp", "from", "to", "subject", "is_read", "detail_url"}
        stamps = [row["timestamp"] for row in data["data"]]
        assert stamps == sorted(stamps, reverse=True)
        newest = aria.mails.order_by("-timestamp").first()
        assert first["detail_url"] == reverse(
            "memberaudit:character_mail", args=[aria.pk, newest.mail_id]
        )

    @pytest.mark.parametrize(
        "folder, expected",
        [
            ("unread", lambda c: c.mails.filter(is_read=False)),
            ("label:32", lambda c: c.mails.filter(labels__label_id=32)),
            ("label:999", lambda c: c.mails.none()),
            ("nonsense", lambda c: c.mails.none()),
        ],
    )
    def test_folder_narrows_the_table(self, aria, client, folder, expected):
        client.force_login(aria.owner)

        data = table(client, aria, "mails", folder=folder, length=100)

        assert data["recordsTotal"] == expected(aria).count()

    def test_mailing_list_folder_has_mails_sent_to_or_from_the_list(self, aria, client):
        client.force_login(aria.owner)

        data = table(client, aria, "mails", folder=f"list:{ARIA_LIST}", length=100)

        to_or_from = {
            mail.mail_id
            for mail in aria.mails.all()
            if (mail.sender_mailing_list and mail.sender_mailing_list.list_id == ARIA_LIST)
            or mail.recipients.filter(mailing_list__list_id=ARIA_LIST).exists()
        }
        assert to_or_from and data["recordsTotal"] == len(to_or_from)

    def test_reader_shows_the_sanitized_body(self, aria, client):
        CharacterMail.objects.filter(character=aria, mail_id=370000010).update(body=HOSTILE)
        client.force_login(aria.owner)

        response = get(client, "character_mail", aria.pk, 370000010)

        assert response.status_code == 200
        html = response.content.decode()
        assert "Ore prices" in html and "Bruno Velkan" in html
        body = html.split('class="eve-markup mail-body">')[1]
        assert "ok" in body
        assert "<script" not in body and "javascript:" not in body and "onerror" not in body

    def test_reader_of_a_mail_without_body_says_so(self, aria, client):
        CharacterMail.objects.filter(character=aria, mail_id=370000010).update(body=None)
        client.force_login(aria.owner)

        html = get(client, "character_mail", aria.pk, 370000010).content.decode()

        assert "mail-body-missing" in html

    def test_reader_fetches_the_mail_through_the_character(self, aria, client):
        other = create_character(user=aria.owner)
        client.force_login(aria.owner)

        assert get(client, "character_mail", other.pk, 370000010).status_code == 404
        assert get(client, "character_mail", aria.pk, 1).status_code == 404


class TestContracts:
    def test_table_shows_contracts_and_a_sensible_missing_title(self, aria, client):
        client.force_login(aria.owner)

        data = table(client, aria, "contracts", length=100)

        assert data["recordsTotal"] == aria.contracts.count() > 0
        untitled = [row for row in data["data"] if row["type"] == "courier"]
        assert untitled and all(row["title"] == "(no title)" for row in untitled)
        assert {"issuer", "assignee", "acceptor", "price", "reward", "start_location"} <= set(
            data["data"][0]
        )

    def test_search_finds_by_title(self, aria, client):
        client.force_login(aria.owner)

        data = table(client, aria, "contracts", **{"search[value]": "Rifter"})

        assert [row["title"] for row in data["data"]] == ["Fitted Rifter"]

    def test_detail_shows_items_and_bids(self, aria, client):
        client.force_login(aria.owner)
        exchange = aria.contracts.get(title="Fitted Rifter")
        auction = aria.contracts.get(contract_type="auction")

        html = get(client, "character_contract", aria.pk, exchange.pk).content.decode()
        assert "1MN Afterburner I" in html and "offered" in html

        html = get(client, "character_contract", aria.pk, auction.pk).content.decode()
        assert 'class="table table-sm contract-bids"' in html
        for bid in auction.bids.all():
            assert bid.bidder is None or bid.bidder.name in html

    def test_courier_detail_says_what_esi_shows_instead_of_waiting_for_items(self, aria, client):
        """ESI never lists the contents of a courier package, so its items are never
        fetched: the page must not say they have not been fetched yet."""
        client.force_login(aria.owner)
        courier = aria.contracts.filter(contract_type="courier").first()
        assert courier is not None and not courier.items_fetched

        html = get(client, "character_contract", aria.pk, courier.pk).content.decode()

        assert "contract-courier-items" in html
        assert "ESI does not show what a courier package holds" in html
        assert "not been fetched yet" not in html
        assert "contract-items" not in html.replace("contract-courier-items", "")

    def test_detail_fetches_the_contract_through_the_character(self, aria, client):
        other = create_character(user=aria.owner)
        client.force_login(aria.owner)
        contract = aria.contracts.first()

        assert get(client, "character_contract", other.pk, contract.pk).status_code == 404


class TestAssets:
    def test_tab_is_lazy_and_shows_totals(self, aria, client):
        client.force_login(aria.owner)

        page = get(client, "character_viewer", aria.pk).content.decode()
        tab = get(client, "character_tab", aria.pk, "assets").content.decode()

        assert 'id="assets-table"' not in page
        assert 'id="assets-table"' in tab and 'id="asset-locations-table"' in tab
        assert f"{aria.assets.count()} items" in tab

    def test_locations_with_top_level_item_counts(self, aria, client):
        client.force_login(aria.owner)

        data = table(client, aria, "asset_locations", length=100)

        counts = {row["location_id"]: row["items"] for row in data["data"]}
        top_level = aria.assets.filter(parent__isnull=True)
        assert counts == {
            location_id: top_level.filter(location_id=location_id).count()
            for location_id in set(top_level.values_list("location_id", flat=True))
        }
        assert data["recordsTotal"] == len(counts)
        by_items = table(
            client,
            aria,
            "asset_locations",
            **{"order[0][column]": "2", "order[0][dir]": "desc", "columns[2][data]": "items"},
        )
        items = [row["items"] for row in by_items["data"]]
        assert items == sorted(items, reverse=True)

    def test_location_filter_shows_the_top_level_items_there(self, aria, client):
        client.force_login(aria.owner)
        jita_station = 60003760

        data = table(client, aria, "assets", location=jita_station, length=100)

        expected = aria.assets.filter(location_id=jita_station, parent__isnull=True)
        assert data["recordsTotal"] == expected.count() > 0
        assert all(row["container"] == "" for row in data["data"])

    def test_search_covers_all_assets_by_type_name_and_place(self, aria, client):
        client.force_login(aria.owner)

        by_type = table(client, aria, "assets", **{"search[value]": "Tritanium"})
        by_name = table(client, aria, "assets", **{"search[value]": "Ammo box"})
        by_place = table(client, aria, "assets", **{"search[value]": "Emperor Family"})

        assert by_type["recordsFiltered"] >= 1
        assert all("Tritanium" in row["type"] for row in by_type["data"])
        # the box itself, and what is in it
        assert [row["name"] for row in by_name["data"] if row["container"] != "Ammo box"] == [
            "Ammo box"
        ]
        assert by_name["recordsFiltered"] == 1 + aria.assets.filter(parent__name="Ammo box").count()
        assert 0 < by_place["recordsFiltered"] < by_place["recordsTotal"]

    def test_items_deep_in_ships_and_containers_show_and_find_their_place(self, aria, client):
        client.force_login(aria.owner)
        deep = aria.assets.filter(parent__parent__isnull=False, parent__name="Ammo box")
        assert deep.exists()  # items in the Ammo box, in the Drake's cargo, in Jita IV
        jita = aria.assets.get(name="Forge Flame").location.name

        found = table(client, aria, "assets", length=1000, **{"search[value]": jita})

        rows = {row["name"]: row for row in found["data"]}
        for item in deep:
            assert rows[item.display_name]["location"] == jita
            assert rows[item.display_name]["container"] == "Ammo box"

    def test_drill_down_into_ships_and_containers(self, aria, client):
        client.force_login(aria.owner)
        ship = aria.assets.get(name="Forge Flame")

        response = get(client, "character_asset", aria.pk, ship.pk, length=100)

        assert response.status_code == 200
        rows = response.json()["data"]
        assert {row["name"] for row in rows} == {
            child.display_name for child in aria.assets.filter(parent=ship)
        }
        box = next(row for row in rows if row["name"] == "Ammo box")
        inner = client.get(box["children_url"]).json()
        assert inner["recordsTotal"] == aria.assets.filter(parent__name="Ammo box").count() > 0

    def test_drill_down_fetches_the_item_through_the_character(self, aria, client):
        other = create_character(user=aria.owner)
        client.force_login(aria.owner)
        ship = aria.assets.get(name="Forge Flame")

        assert get(client, "character_asset", other.pk, ship.pk).status_code == 404


LOCKED_CITADEL = 1040200000012  # Rens, no docking rights in the scenario
FORMER_CITADEL = 1040200000011  # Hek, no docking rights, system unknown here


@pytest.fixture
def aria_with_unknown_places(aria):
    """Aria with items in two structures ESI does not describe: one whose system is known
    (a character was docked there), one whose system is not."""
    from eveuniverse.models import EveSolarSystem

    from memberaudit.models import CharacterAsset, Location

    system = EveSolarSystem.objects.order_by("name").first()  # loaded with Aria's places
    Location.objects.create(id=LOCKED_CITADEL, eve_solar_system=system)
    Location.objects.create(id=FORMER_CITADEL)
    eve_type_id = aria.assets.first().eve_type_id
    CharacterAsset.objects.bulk_create(
        [
            CharacterAsset(
                character=aria,
                item_id=9_100_000 + index,
                eve_type_id=eve_type_id,
                location_id=place,
                place_id=place,
                quantity=1,
            )
            for index, place in enumerate([LOCKED_CITADEL, FORMER_CITADEL, FORMER_CITADEL])
        ]
    )
    keep_asset_summaries(aria)
    aria.system_of_locked_citadel = system
    return aria


class TestAssetPlaces:
    def test_unknown_structures_are_labelled_with_their_system_when_known(
        self, aria_with_unknown_places, client
    ):
        aria = aria_with_unknown_places
        client.force_login(aria.owner)

        rows = table(client, aria, "asset_locations", length=100)["data"]

        by_id = {row["location_id"]: row for row in rows}
        system = aria.system_of_locked_citadel.name
        assert by_id[LOCKED_CITADEL]["location"] == (
            f"Unknown structure in {system} (#{LOCKED_CITADEL})"
        )
        assert by_id[LOCKED_CITADEL]["solar_system"] == system
        assert by_id[FORMER_CITADEL]["location"] == f"Unknown structure #{FORMER_CITADEL}"
        # the named structure Aria can dock at is known, like stations and solar systems
        assert {row["location_id"] for row in rows if row["is_unknown"]} == {
            LOCKED_CITADEL,
            FORMER_CITADEL,
        }

    @pytest.mark.parametrize(
        "order",
        [
            {"order[0][column]": "0", "order[0][dir]": "asc"},
            {"order[0][column]": "0", "order[0][dir]": "desc"},
            {"order[0][column]": "1", "order[0][dir]": "asc"},
            {"order[0][column]": "3", "order[0][dir]": "desc"},
            {},
        ],
    )
    def test_unknown_places_come_last_in_any_order(self, aria_with_unknown_places, client, order):
        aria = aria_with_unknown_places
        client.force_login(aria.owner)

        rows = table(client, aria, "asset_locations", length=100, **order)["data"]

        flags = [row["is_unknown"] for row in rows]
        assert flags == sorted(flags)  # all known places, then all unknown ones
        assert flags.count(True) == 2 and flags.count(False) >= 1

    def test_each_place_links_to_the_top_level_items_there(self, aria_with_unknown_places, client):
        aria = aria_with_unknown_places
        client.force_login(aria.owner)

        rows = table(client, aria, "asset_locations", length=100)["data"]

        for row in rows:
            items = client.get(f"{row['items_url']}&length=500").json()
            assert items["recordsTotal"] == row["items"]
            expected = aria.assets.filter(location_id=row["location_id"], parent__isnull=True)
            assert {item["name"] for item in items["data"]} == {
                asset.display_name for asset in expected
            }

    def test_item_rows_bring_the_type_icon_from_the_configured_server(self, aria, client, settings):
        settings.MEMBERAUDIT_IMAGE_SERVER_URL = "http://img.example"
        client.force_login(aria.owner)

        rows = table(client, aria, "assets", length=5)["data"]

        assert rows
        for row in rows:
            assert row["icon_url"] == f"http://img.example/types/{row['type_id']}/icon?size=32"

    def test_tab_offers_browsing_by_place_and_searching_all_items(self, aria, client):
        client.force_login(aria.owner)

        tab = get(client, "character_tab", aria.pk, "assets").content.decode()

        assert "data-ma-drilldown" in tab and "data-ma-drilldown-template" in tab
        assert 'data-ma-drill-url="items_url"' in tab
        assert 'data-ma-drill-url="children_url"' in tab
        assert "Browse by place" in tab and "Search all items" in tab
        assert f'id="assets-search-{aria.pk}" class="asset-search" hidden' in tab
