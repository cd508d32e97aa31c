"""Planetary colonies and their layouts, with the names of planets and installations;
stopped extractors are flagged."""

import copy

import pytest

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eveuniverse.models import EvePlanet, EveType
from eveuniverse.tests.testdata.factories_2 import (
    EvePlanetFactory,
    EveSolarSystemFactory,
    EveTypeFactory,
    PlanetTypeFactory,
)

from memberaudit import selectors, updater
from memberaudit.esi_gateway import EsiUnavailable
from memberaudit.models import CharacterPlanet, CharacterPlanetPin, SectionUpdateStatus

from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_016
COLONIES = "GetCharactersCharacterIdPlanets"
LAYOUT = "GetCharactersCharacterIdPlanetsPlanetId"
TABLES = (CharacterPlanet._meta.db_table, CharacterPlanetPin._meta.db_table)
ARIA = 90_000_001
GWEN = 2_112_000_002
TAMA = 30_002_813
Kind = CharacterPlanetPin.Kind
PLANETS = {40_000_001: "Tama V", 40_000_002: "Tama VI"}
TYPES = {
    2524: "Barren Command Center",
    2848: "Barren Extractor Control Unit",
    2473: "Barren Basic Industry Facility",
    2541: "Barren Storage Facility",
    2267: "Base Metals",
}


def colony(planet_id: int, **fields) -> dict:
    return {
        "planet_id": planet_id,
        "solar_system_id": TAMA,
        "planet_type": "barren",
        "owner_id": CHARACTER_ID,
        "upgrade_level": 4,
        "num_pins": 5,
        "last_update": "2025-12-01T10:00:00Z",
        **fields,
    }


def layout(expiry: str = "2099-01-01T00:00:00Z") -> dict:
    return {
        "links": [],
        "routes": [],
        "pins": [
            {"pin_id": 1, "type_id": 2524, "latitude": 1.0, "longitude": 1.0},
            {
                "pin_id": 2,
                "type_id": 2848,
                "latitude": 1.0,
                "longitude": 1.0,
                "expiry_time": expiry,
                "install_time": "2025-11-30T10:00:00Z",
                "extractor_details": {"heads": [], "product_type_id": 2267, "qty_per_cycle": 800},
            },
            {
                "pin_id": 3,
                "type_id": 2473,
                "latitude": 1.0,
                "longitude": 1.0,
                "factory_details": {"schematic_id": 121},
            },
            {
                "pin_id": 4,
                "type_id": 2541,
                "latitude": 1.0,
                "longitude": 1.0,
                "contents": [{"type_id": 2267, "amount": 300}, {"type_id": 2268, "amount": 20}],
            },
        ],
    }


@pytest.fixture
def character(db):
    tama = EveSolarSystemFactory(id=TAMA, name="Tama")
    barren = PlanetTypeFactory(id=2016, planet_type="Barren")
    for planet_id, name in PLANETS.items():
        EvePlanetFactory(id=planet_id, name=name, eve_solar_system=tama, eve_type=barren)
    for type_id, name in TYPES.items():
        EveTypeFactory(id=type_id, name=name)
    return create_character(CHARACTER_ID)


def refuse_to_load(monkeypatch, model, error: Exception | None = None):
    """eveuniverse cannot load objects of ``model`` it does not have yet: it raises ``error``,
    or, without one, answers without them."""

    def load(*, ids, **kwargs):
        known = model.objects.filter(id__in=ids)
        if error is not None and known.count() < len(set(ids)):
            raise error
        return known

    monkeypatch.setattr(model.objects, "bulk_get_or_create_esi", load)


@pytest.fixture
def esi(monkeypatch, character):
    layouts = {}
    answers = install_canned_esi(
        monkeypatch,
        {COLONIES: [], LAYOUT: lambda params: copy.deepcopy(layouts[params["planet_id"]])},
    )
    answers["layouts"] = layouts
    return answers


class TestWithCannedEsi:
    def test_should_store_colonies_and_their_installations(self, character, esi):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = layout()

        outcome = updater.update_section(character, "planets")

        assert outcome.is_success, outcome.message
        planet = character.planets.get()
        assert planet.planet_type == "barren" and planet.upgrade_level == 4
        assert planet.eve_solar_system.name == "Tama"
        kinds = dict(planet.pins.values_list("pin_id", "kind"))
        assert kinds == {
            1: Kind.COMMAND_CENTER,
            2: Kind.EXTRACTOR,
            3: Kind.FACTORY,
            4: Kind.STORAGE,
        }
        extractor = planet.pins.get(pin_id=2)
        assert extractor.expiry_time.year == 2099 and extractor.qty_per_cycle == 800
        assert extractor.product_type_id == 2267
        assert planet.pins.get(pin_id=3).schematic_id == 121
        assert planet.pins.get(pin_id=4).contents_amount == 320

    def test_should_link_colonies_to_their_planet_and_installations_to_their_types(
        self, character, esi
    ):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = layout()

        assert updater.update_section(character, "planets").is_success

        planet = character.planets.select_related("eve_planet").get()
        assert planet.eve_planet.name == "Tama V"
        names = {pin.pin_id: pin.eve_type.name for pin in planet.pins.select_related("eve_type")}
        assert names == {1: TYPES[2524], 2: TYPES[2848], 3: TYPES[2473], 4: TYPES[2541]}
        assert planet.pins.get(pin_id=2).product_type.name == "Base Metals"

    def test_should_show_planet_installation_and_product_names_in_the_tab(self, character, esi):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = layout(expiry="2020-01-01T00:00:00Z")
        EveType.objects.filter(id=2473).update(name="<b>Factory</b>")
        assert updater.update_section(character, "planets").is_success

        html = render_to_string(
            "memberaudit/tabs/planets.html",
            {"character": character, "data": selectors.planets_tab(character)},
        )

        assert "Tama V" in html and "Barren" in html
        assert TYPES[2848] in html and "Base Metals" in html and TYPES[2541] in html
        assert "&lt;b&gt;Factory&lt;/b&gt;" in html and "<b>Factory" not in html
        assert 'class="colony-pin colony-pin-extractor table-danger"' in html

    def test_should_list_one_row_per_extractor_and_per_type_of_other_installations(
        self, character, esi
    ):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = data = layout()
        data["pins"] += [
            {**data["pins"][1], "pin_id": 5, "expiry_time": "2020-01-01T00:00:00Z"},
            {**data["pins"][2], "pin_id": 6},
            {**data["pins"][3], "pin_id": 7},
        ]
        updater.update_section(character, "planets")

        (tab_colony,) = selectors.planets_tab(character)["colonies"]

        rows = [
            (row["kind"], row["type_name"], row["count"], row["is_expired"])
            for row in tab_colony.layout
        ]
        assert rows == [
            (Kind.COMMAND_CENTER, TYPES[2524], 1, False),
            (Kind.EXTRACTOR, TYPES[2848], 1, False),
            (Kind.EXTRACTOR, TYPES[2848], 1, True),
            (Kind.FACTORY, TYPES[2473], 2, False),
            (Kind.STORAGE, TYPES[2541], 2, False),
        ]
        assert tab_colony.layout[1]["product_name"] == "Base Metals"
        assert tab_colony.layout[-1]["contents_amount"] == 640

    def test_should_fail_and_keep_what_is_stored_when_a_planet_cannot_be_loaded(
        self, character, esi, monkeypatch
    ):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = esi["layouts"][40_000_003] = layout()
        updater.update_section(character, "planets")
        before = rows_of(character.planets.all(), CharacterPlanetPin.objects.all())
        refuse_to_load(monkeypatch, EvePlanet, RuntimeError("Planet not found"))
        esi[COLONIES] = [colony(40_000_001, upgrade_level=5), colony(40_000_003)]

        outcome = updater.update_section(character, "planets")

        assert not outcome.is_success
        assert "Could not load planets of colonies: Planet not found" in outcome.message
        assert rows_of(character.planets.all(), CharacterPlanetPin.objects.all()) == before

    def test_should_fail_when_eveuniverse_does_not_know_the_planet(
        self, character, esi, monkeypatch
    ):
        esi[COLONIES] = [colony(40_000_003)]
        esi["layouts"][40_000_003] = layout()
        refuse_to_load(monkeypatch, EvePlanet)

        outcome = updater.update_section(character, "planets")

        assert not outcome.is_success
        assert "Unknown planets in colonies: [40000003]" in outcome.message
        assert not character.planets.exists()

    def test_should_fail_and_keep_what_is_stored_when_a_type_cannot_be_loaded(
        self, character, esi, monkeypatch
    ):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = layout()
        updater.update_section(character, "planets")
        before = rows_of(character.planets.all(), CharacterPlanetPin.objects.all())
        refuse_to_load(monkeypatch, EveType, RuntimeError("Type not found"))
        esi["layouts"][40_000_001] = changed = layout()
        changed["pins"][2]["type_id"] = 2_999_999

        outcome = updater.update_section(character, "planets")

        assert not outcome.is_success
        assert "Could not load item types of colonies: Type not found" in outcome.message
        assert rows_of(character.planets.all(), CharacterPlanetPin.objects.all()) == before

    def test_should_flag_a_colony_whose_extractor_stopped(self, character, esi):
        esi[COLONIES] = [colony(40_000_001), colony(40_000_002)]
        esi["layouts"][40_000_001] = layout(expiry="2020-01-01T00:00:00Z")
        esi["layouts"][40_000_002] = layout()
        updater.update_section(character, "planets")

        colonies = {c.planet_id: c for c in selectors.planets_tab(character)["colonies"]}

        assert colonies[40_000_001].has_expired_extractors is True
        assert colonies[40_000_002].has_expired_extractors is False

    def test_should_remove_abandoned_colonies(self, character, esi):
        esi[COLONIES] = [colony(40_000_001), colony(40_000_002)]
        esi["layouts"][40_000_001] = esi["layouts"][40_000_002] = layout()
        updater.update_section(character, "planets")
        esi[COLONIES] = [colony(40_000_002)]

        updater.update_section(character, "planets")

        assert list(character.planets.values_list("planet_id", flat=True)) == [40_000_002]
        assert not CharacterPlanetPin.objects.filter(planet__planet_id=40_000_001).exists()

    def test_should_keep_the_colonies_when_a_layout_fails(self, character, esi):
        esi[COLONIES] = [colony(40_000_001)]
        esi["layouts"][40_000_001] = layout()
        updater.update_section(character, "planets")
        before = rows_of(CharacterPlanetPin.objects.all())
        esi[COLONIES] = [colony(40_000_001, upgrade_level=5)]
        esi[LAYOUT] = EsiUnavailable(f"ESI answered 502 for {LAYOUT}", 502)

        outcome = updater.update_section(character, "planets")

        assert not outcome.is_success
        assert character.planets.get().upgrade_level == 4
        assert rows_of(CharacterPlanetPin.objects.all()) == before


@pytest.mark.integration
class TestOverHttp:
    def test_should_store_the_six_colonies_of_the_heavy_character(self, make_character, fake_eve):
        character = make_character(GWEN)

        outcome = updater.update_section(character, "planets")

        assert outcome.is_success, outcome.message
        assert character.planets.count() == 6
        assert fake_eve.log.count(route=LAYOUT, status=200) == 6
        expired = CharacterPlanetPin.objects.filter(
            planet__character=character, kind=Kind.EXTRACTOR, expiry_time__lte=timezone.now()
        )
        assert expired.values("planet").distinct().count() == 2

    def test_should_show_extractors_expired_on_the_launcher_card(
        self, make_character, fake_eve, client
    ):
        character = make_character(ARIA)
        assert updater.update_section(character, "planets").is_success
        client.force_login(character.owner)

        response = client.get(reverse("memberaudit:launcher"))

        assert "extractors expired" in response.content.decode()

    def test_should_name_planets_installations_and_products(self, make_character, fake_eve):
        character = make_character(GWEN)

        assert updater.update_section(character, "planets").is_success

        for planet in character.planets.select_related("eve_planet__eve_type"):
            assert planet.eve_planet.name.startswith(planet.eve_solar_system.name + " ")
            assert planet.eve_planet.eve_type.name == f"Planet ({planet.planet_type.title()})"
        pins = CharacterPlanetPin.objects.filter(planet__character=character)
        assert not pins.filter(eve_type__isnull=True).exists()
        extractors = pins.filter(kind=Kind.EXTRACTOR).select_related("product_type")
        assert {pin.product_type.eve_group.eve_category_id for pin in extractors} == {42}

    def test_should_link_rows_stored_before_names_at_the_next_update(
        self, make_character, fake_eve
    ):
        character = make_character(ARIA)
        assert updater.update_section(character, "planets").is_success
        # as left by the migration: no links yet, and data stored in another shape
        character.planets.update(eve_planet=None)
        CharacterPlanetPin.objects.filter(planet__character=character).update(
            eve_type=None, product_type=None
        )
        SectionUpdateStatus.objects.filter(character=character, section="planets").update(
            content_hash="stored before planet names"
        )

        outcome = updater.update_section(character, "planets")

        assert outcome.is_success, outcome.message
        assert not character.planets.filter(eve_planet__isnull=True).exists()
        pins = CharacterPlanetPin.objects.filter(planet__character=character)
        assert not pins.filter(eve_type__isnull=True).exists()
        assert pins.filter(kind=Kind.EXTRACTOR, product_type__isnull=False).exists()

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "planets").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "planets")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, *TABLES) == []

    @pytest.mark.parametrize("route", [COLONIES, LAYOUT])
    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault, route):
        character = make_character(ARIA)
        assert updater.update_section(character, "planets").is_success
        before = rows_of(character.planets.all(), CharacterPlanetPin.objects.all())
        planets = fake_eve.scenario.character(ARIA)["planets"]
        fake_eve.scenario.update_character(ARIA, {"planets": planets[:1]})

        outcome = update_with_fault(fake_eve, character, "planets", route, fault)

        assert not outcome.is_success
        assert status_of(character, "planets").is_success is False
        assert rows_of(character.planets.all(), CharacterPlanetPin.objects.all()) == before
