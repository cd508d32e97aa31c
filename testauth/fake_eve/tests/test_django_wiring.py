"""End to end: django-esi (SSO, JWKS, ESI clients from a spec file) against the fake server."""

from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("django")

from django.utils import timezone  # noqa: E402

from esi.managers import TokenManager  # noqa: E402
from esi.openapi_clients import ESIClientProvider  # noqa: E402

from fake_eve.tokens import create_token  # noqa: E402

pytestmark = pytest.mark.django_db

SPEC = next((Path(__import__("eveuniverse").__file__).parent).glob("openapi_*.json"))
SCOPES = ["esi-wallet.read_character_wallet.v1", "esi-skills.read_skills.v1"]


@pytest.fixture
def esi():
    provider = ESIClientProvider(
        compatibility_date="2025-12-16",
        ua_appname="FakeEveTests",
        ua_version="1.0",
        spec_file=str(SPEC),
        operations=[
            "GetCharactersCharacterId",
            "GetCharactersCharacterIdWallet",
            "GetCharactersCharacterIdWalletJournal",
            "GetCharactersCharacterIdSkills",
        ],
    )
    return provider.client


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("pilot")


def test_public_operation(fake_eve, esi):
    data = esi.Character.GetCharactersCharacterId(character_id=90000001).result(
        use_cache=False, store_cache=False, use_etag=False
    )
    assert data.name == "Aria Jaxon"
    entry = fake_eve.log.entries(route="GetCharactersCharacterId")[-1]
    assert entry.compatibility_date == "2025-12-16"


def test_token_via_code_exchange_and_scoped_calls(fake_eve, esi, user):
    token = create_token(fake_eve, 90000001, user, SCOPES)
    assert token.character_name == "Aria Jaxon"
    assert set(token.scopes.values_list("name", flat=True)) == set(SCOPES)
    assert TokenManager.validate_access_token(token.access_token)["character_id"] == 90000001
    balance = esi.Wallet.GetCharactersCharacterIdWallet(character_id=90000001, token=token).result(
        use_cache=False, store_cache=False, use_etag=False
    )
    assert balance == 1254321987.55
    journal = esi.Wallet.GetCharactersCharacterIdWalletJournal(
        character_id=90000001, token=token
    ).results(use_cache=False, store_cache=False, use_etag=False)
    assert len(journal) == 250
    assert fake_eve.log.count(route="GetCharactersCharacterIdWalletJournal") == 3


def test_valid_access_token_refreshes(fake_eve, user):
    token = create_token(fake_eve, 90000002, user, SCOPES)
    old = token.access_token
    token.created = timezone.now() - timedelta(hours=1)
    token.save()
    assert token.valid_access_token() != old
    assert fake_eve.log.count(route="sso_token") == 2


def test_revoked_refresh_token_fails(fake_eve, user):
    from esi.errors import TokenError

    token = create_token(fake_eve, 90000003, user, SCOPES)
    fake_eve.sso.revoke_character(90000003)
    token.created = timezone.now() - timedelta(hours=1)
    token.save()
    with pytest.raises(TokenError):
        token.valid_access_token()


def test_eveuniverse_loads_from_fake_esi(fake_eve):
    from eveuniverse.models import EveEntity, EveSolarSystem, EveType

    rifter, _ = EveType.objects.get_or_create_esi(id=587, enabled_sections=[EveType.Section.DOGMAS])
    assert rifter.name == "Rifter" and rifter.eve_group.eve_category.name == "Ship"
    assert rifter.dogma_attributes.filter(eve_dogma_attribute_id=182).exists()
    jita, _ = EveSolarSystem.objects.get_or_create_esi(id=30000142)
    assert jita.eve_constellation.eve_region.name == "The Forge"
    EveEntity.objects.bulk_resolve_names([90000001, 98000001])
    assert EveEntity.objects.get(id=98000001).name == "Eclipse Shipyards"


def test_repointing_leaves_django_lazy_objects_unevaluated(fake_eve):
    from django.utils.functional import SimpleLazyObject, empty

    from fake_eve.wiring import point_esi_at

    def evaluate():
        raise AssertionError("the lazy object was evaluated")

    # Like the resolver_match of a test client's response, still alive somewhere.
    lazy = SimpleLazyObject(evaluate)

    point_esi_at(fake_eve.base_url)

    assert lazy._wrapped is empty  # never set up


def test_point_images_at_sends_auth_and_eveuniverse_pictures_to_the_fake_server(monkeypatch):
    from allianceauth.eveonline.evelinks import eveimageserver as auth_images
    from eveuniverse.core import eveimageserver as eveuniverse_images

    from fake_eve.wiring import point_images_at

    for module in (auth_images, eveuniverse_images):  # restored after the test
        monkeypatch.setattr(module, "_EVE_IMAGE_SERVER_URL", module._EVE_IMAGE_SERVER_URL)

    point_images_at("http://127.0.0.1:8765/images/")

    assert auth_images.character_portrait_url(90000001, 64) == (
        "http://127.0.0.1:8765/images/characters/90000001/portrait?size=64"
    )
    assert eveuniverse_images.type_icon_url(587, 32) == (
        "http://127.0.0.1:8765/images/types/587/icon?size=32"
    )
