"""Blueprints: originals and copies, placed like assets, also inside containers."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fake_eve.esi.industry import generate_blueprints
from memberaudit import updater
from memberaudit.models import CharacterAsset, CharacterBlueprint, Location

from ..factories import create_item_type
from .fault_matrix import FAULTS, rows_of, update_with_fault
from .helpers import create_character, expire_esi_cache, install_canned_esi, status_of, writes_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

CHARACTER_ID = 91_000_014
OPERATION = "GetCharactersCharacterIdBlueprints"
TABLE = CharacterBlueprint._meta.db_table
ARIA = 90_000_001
GWEN = 2_112_000_002
CONTAINER_ID = 1_040_000_555_001


def make_blueprint(item_id: int, type_id: int, **fields) -> dict:
    return {
        "item_id": item_id,
        "type_id": type_id,
        "location_id": 60_003_760,
        "location_flag": "Hangar",
        "quantity": -1,
        "material_efficiency": 10,
        "time_efficiency": 20,
        "runs": -1,
        **fields,
    }


@pytest.fixture
def character(db):
    return create_character(CHARACTER_ID)


@pytest.fixture
def type_id(db):
    return create_item_type().id


@pytest.fixture
def jita(db):
    return Location.objects.create(id=60_003_760, name="Jita IV", updated_at="2030-01-01T00:00Z")


@pytest.fixture
def esi(monkeypatch, jita):
    return install_canned_esi(monkeypatch, {OPERATION: []})


class TestWithCannedEsi:
    def test_should_store_originals_and_copies_with_me_te_and_runs(self, character, esi, type_id):
        esi[OPERATION] = [
            make_blueprint(1, type_id),
            make_blueprint(2, type_id, quantity=-2, runs=30, material_efficiency=4),
        ]

        outcome = updater.update_section(character, "blueprints")

        assert outcome.is_success, outcome.message
        original, copy = character.blueprints.order_by("item_id")
        assert not original.is_copy and original.runs == -1 and original.time_efficiency == 20
        assert copy.is_copy and copy.runs == 30 and copy.material_efficiency == 4
        assert original.location.name == "Jita IV" and original.container_item_id is None
        assert [call[2]["paged"] for call in esi["calls"] if call[0] == OPERATION] == [True]

    def test_should_place_a_blueprint_in_a_container_at_the_containers_station(
        self, character, esi, type_id, jita
    ):
        CharacterAsset.objects.create(
            character=character,
            item_id=CONTAINER_ID,
            eve_type_id=type_id,
            location=jita,
            place=jita,
            name="BPO box",
        )
        esi[OPERATION] = [
            make_blueprint(1, type_id, location_id=CONTAINER_ID, location_flag="Unlocked")
        ]

        updater.update_section(character, "blueprints")

        blueprint = character.blueprints.get()
        assert blueprint.location == jita
        assert blueprint.container_item_id == CONTAINER_ID and blueprint.container_name == "BPO box"

    def test_should_keep_the_item_of_a_container_the_assets_do_not_know(
        self, character, esi, type_id
    ):
        esi[OPERATION] = [
            make_blueprint(1, type_id, location_id=CONTAINER_ID, location_flag="Unlocked")
        ]

        outcome = updater.update_section(character, "blueprints")

        assert outcome.is_success
        blueprint = character.blueprints.get()
        assert blueprint.location is None and blueprint.container_item_id == CONTAINER_ID
        assert not Location.objects.filter(id=CONTAINER_ID).exists()

    def test_should_remove_blueprints_that_are_gone_and_update_changed_ones(
        self, character, esi, type_id
    ):
        esi[OPERATION] = [make_blueprint(n, type_id, quantity=-2, runs=10) for n in (1, 2, 3)]
        updater.update_section(character, "blueprints")
        esi[OPERATION] = [
            make_blueprint(1, type_id, quantity=-2, runs=9),
            make_blueprint(3, type_id, quantity=-2, runs=10),
        ]

        updater.update_section(character, "blueprints")

        assert dict(character.blueprints.values_list("item_id", "runs")) == {1: 9, 3: 10}


@pytest.mark.integration
class TestOverHttp:
    def test_should_store_the_500_blueprints_of_the_heavy_character_page_by_page(
        self, make_character, fake_eve
    ):
        fake_eve.set_page_size(OPERATION, 200)
        character = make_character(GWEN)
        assert updater.update_section(character, "assets").is_success

        outcome = updater.update_section(character, "blueprints")

        assert outcome.is_success, outcome.message
        assert character.blueprints.count() == 500
        assert fake_eve.log.count(route=OPERATION, status=200) == 3
        in_containers = character.blueprints.exclude(container_item_id=None)
        assert in_containers.exists()
        assert not in_containers.filter(location=None).exists()

    def test_should_write_nothing_when_nothing_changed(self, make_character, fake_eve):
        character = make_character(ARIA)
        assert updater.update_section(character, "blueprints").is_success
        expire_esi_cache()

        with CaptureQueriesContext(connection) as context:
            outcome = updater.update_section(character, "blueprints")

        assert outcome.is_success and not outcome.changed
        assert writes_to(context.captured_queries, TABLE) == []

    def test_should_keep_what_was_stored_when_page_two_fails(self, make_character, fake_eve):
        fake_eve.set_page_size(OPERATION, 200)
        character = make_character(GWEN)
        assert updater.update_section(character, "blueprints").is_success
        before = rows_of(character.blueprints.all())
        fake_eve.scenario.update_character(
            GWEN, {"blueprints": generate_blueprints({"character_id": GWEN}, 450, seed=4)}
        )
        fake_eve.faults.add(OPERATION, character_id=GWEN, page=2, status=500)
        expire_esi_cache()

        outcome = updater.update_section(character, "blueprints")

        assert not outcome.is_success
        assert rows_of(character.blueprints.all()) == before

    @pytest.mark.parametrize("fault", FAULTS)
    def test_should_keep_stored_rows_when_esi_fails(self, make_character, fake_eve, fault):
        character = make_character(ARIA)
        assert updater.update_section(character, "blueprints").is_success
        before = rows_of(character.blueprints.all())
        fake_eve.scenario.update_character(ARIA, {"blueprints": []})

        outcome = update_with_fault(fake_eve, character, "blueprints", OPERATION, fault)

        assert not outcome.is_success
        assert status_of(character, "blueprints").is_success is False
        assert rows_of(character.blueprints.all()) == before
