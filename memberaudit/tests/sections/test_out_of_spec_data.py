"""Out-of-spec ESI data fails no section.

Every section is also loaded while ESI leaves out every field its spec calls optional.

Every section of the registry is loaded from the fake ESI while every text value of every
answer is out of spec: 3,000 characters longer than any column, with a NUL byte and 4-byte
UTF-8 (so enum values are unknown ones too). Runs on SQLite and, with
``TESTAUTH_DATABASE=mysql``, on MariaDB.
"""

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.apps import apps
from django.db import connection, models

from eveuniverse.models import EveEntity

from memberaudit import fitted_fields, updater
from memberaudit.esi_client import SPEC_FILE
from memberaudit.models import CharacterContract, CharacterDetails, SectionUpdateStatus
from memberaudit.sections import registry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_retries")]

ARIA = 90000001


def esi_sections() -> list[str]:
    return [section.name for section in registry if section.operations]


def memberaudit_text_columns():
    for model in apps.get_app_config("memberaudit").get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.is_relation:
                yield model, field


@pytest.fixture
def aria(make_character, fake_eve):
    fake_eve.rate_limiter.set_limit("char-contract", 100_000)
    return make_character(ARIA)


@pytest.mark.parametrize("section", esi_sections())
def test_should_store_a_section_whose_text_is_out_of_spec(aria, fake_eve, section):
    fake_eve.faults.add(route="*", stretch_text=True)

    outcome = updater.update_section(aria, section)

    assert outcome.is_success, f"{section}: {outcome.message}"
    status = SectionUpdateStatus.objects.get(character=aria, section=section)
    assert status.is_success


def test_should_keep_every_stored_text_within_its_column_and_without_nul(aria, fake_eve):
    fake_eve.faults.add(route="*", stretch_text=True)

    for section in esi_sections():
        assert updater.update_section(aria, section).is_success, section

    cut = set()
    for model, field in memberaudit_text_columns():
        for value in model.objects.values_list(field.attname, flat=True):
            if not isinstance(value, str):
                continue
            assert "\x00" not in value, f"{model.__name__}.{field.name}"
            if field.max_length:
                assert len(value) <= field.max_length, f"{model.__name__}.{field.name}"
                if value.endswith(fitted_fields.ELLIPSIS):
                    cut.add(f"{model.__name__}.{field.name}")
    # names, titles and labels were cut, not refused
    assert {
        "CharacterAsset.name",
        "CharacterContactLabel.name",
        "CharacterContract.title",
        "CharacterJumpClone.name",
        "CharacterMail.subject",
        "CharacterMailLabel.name",
        "CharacterMailingList.name",
        "CharacterShip.name",
        "Location.name",
    } <= cut


def test_should_keep_4_byte_utf8_text_as_sent(aria, fake_eve):
    fake_eve.faults.add(route="GetCharactersCharacterId", stretch_text=True)

    assert updater.update_section(aria, "character_details").is_success

    description = CharacterDetails.objects.get(character=aria).description
    assert description.endswith(" 🚀𝄞") and "\x00" not in description


def test_should_cut_entity_names_loaded_from_esi(aria, fake_eve):
    fake_eve.faults.add(route="PostUniverseNames", stretch_text=True)

    assert updater.update_section(aria, "contacts").is_success

    names = EveEntity.objects.exclude(name="").values_list("name", flat=True)
    max_length = EveEntity._meta.get_field("name").max_length
    assert names and all(len(name) <= max_length for name in names)
    assert any(name.endswith(fitted_fields.ELLIPSIS) for name in names)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=300))
def test_should_cut_text_to_the_column_with_an_ellipsis(text, max_length):
    fitted = fitted_fields.fit_text(text, max_length)

    assert len(fitted) <= max_length and "\x00" not in fitted
    without_nul = text.replace("\x00", "")
    if len(without_nul) <= max_length:
        assert fitted == without_nul
    else:
        assert fitted == without_nul[: max_length - 1] + fitted_fields.ELLIPSIS


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    price=st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**30),
    days=st.integers(min_value=-(2**70), max_value=2**70),
)
def test_should_bring_numbers_into_their_columns_range(aria, price, days):
    """A number no column holds is written as the nearest one it holds, not refused."""
    CharacterContract.objects.filter(character=aria).delete()

    contract = CharacterContract.objects.create(
        character=aria,
        contract_id=1,
        contract_type="courier",
        status="outstanding",
        price=price,
        days_to_complete=days,
    )

    contract.refresh_from_db()
    price_field = CharacterContract._meta.get_field("price")
    bound = Decimal(10) ** (price_field.max_digits - price_field.decimal_places) - 1
    # within one ISK: SQLite keeps decimals as floats
    assert abs(contract.price - min(max(price, -bound), bound)) <= 1
    low, high = connection.ops.integer_field_range("PositiveIntegerField")
    assert contract.days_to_complete == min(max(days, low), high)


def optional_fields(operation_id: str) -> list[str]:
    """The fields ESI's spec lets an answer of ``operation_id`` leave out (top level, or of
    each list item): the fields its schema does not require."""
    spec = json.loads(SPEC_FILE.read_text())
    operation = next(
        op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    content = operation["responses"].get("200", {}).get("content", {})
    schema = _resolve(spec, content.get("application/json", {}).get("schema", {}))
    if schema.get("type") == "array":
        schema = _resolve(spec, schema.get("items", {}))
    properties = schema.get("properties") or {}
    return sorted(set(properties) - set(schema.get("required") or []))


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


@pytest.mark.parametrize("section", esi_sections())
def test_should_store_a_section_whose_answers_lack_every_optional_field(aria, fake_eve, section):
    dropped = {}
    for operation in registry.get(section).operations:
        fields = optional_fields(operation)
        if fields:
            fake_eve.faults.add(route=operation, drop_fields=fields)
            dropped[operation] = fields

    outcome = updater.update_section(aria, section)

    assert outcome.is_success, f"{section} without {dropped}: {outcome.message}"
