"""The launcher: a pilot's cards, unregistered characters, token problems; share, unshare,
remove."""

import pytest

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import updater
from memberaudit.models import Character, SectionUpdateStatus

from ..factories import (
    create_character,
    create_eve_character,
    create_user,
    create_user_with_main,
    is_shared,
    share_with_all_recruiters,
)
from .conftest import ARIA, DAX

pytestmark = pytest.mark.django_db

SHARE = "memberaudit.share_characters"


def launcher_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("memberaudit:launcher"))
    assert response.status_code == 200
    return response.content.decode()


class TestLauncherContent:
    def test_should_show_location_ship_wallet_skillpoints_and_status(self, aria, client):
        html = launcher_page(client, aria.owner)

        assert "Aria Jaxon" in html
        assert "Jita" in html and "Caldari Navy Assembly Plant" in html
        assert '<span class="badge text-bg-secondary security-status">0.9</span>' in html
        assert "Drake" in html
        assert "1,254,321,988 ISK" in html
        assert "1,215,455" in html
        assert "character-status status-incomplete" in html  # not every section loaded
        assert "Eclipse Shipyards" in html and "Northern Lights Collective" in html

    def test_should_show_a_card_without_location_ship_wallet_or_skillpoints(
        self, client, monkeypatch
    ):
        """Rows a character lacks are read from its card: the template never looks them up
        on the character, which makes the engine list every attribute of the character."""
        user = create_user()
        create_character(user, character_name="Bare Pilot")
        listed = []
        monkeypatch.setattr(
            Character,
            "__dir__",
            lambda character: listed.append(character) or object.__dir__(character),
        )

        html = launcher_page(client, user)

        assert listed == []
        card = html.split('class="card h-100 character-card', 1)[1].split("card-footer")[0]
        assert "Bare Pilot" in card
        for kind in ("location", "ship", "wallet", "skillpoints"):
            assert f'class="character-{kind}' in card
        assert '<dd class="character-ship text-truncate">-</dd>' in card

    def test_should_show_the_portrait_of_each_character(self, make_character, client):
        user = create_user()
        make_character(ARIA, user=user)
        make_character(DAX, user=user)

        html = launcher_page(client, user)

        for character_id in (ARIA, DAX):
            card = html.split(f'data-character-id="{character_id}"', 1)[1].split("card-footer")[0]
            portrait = f"https://images.evetech.net/characters/{character_id}/portrait?size=64"
            assert f'src="{portrait}"' in card

    def test_should_take_portraits_and_logos_from_the_configured_image_server(
        self, make_character, client, settings
    ):
        settings.MEMBERAUDIT_IMAGE_SERVER_URL = "http://images.example:8080/eve/"
        character = make_character(ARIA)

        html = launcher_page(client, character.owner)

        card = html.split(f'data-character-id="{ARIA}"', 1)[1].split("card-footer")[0]
        eve = character.eve_character
        base = "http://images.example:8080/eve"
        assert f'src="{base}/characters/{ARIA}/portrait?size=64"' in card
        assert f'src="{base}/corporations/{eve.corporation_id}/logo?size=32"' in card
        assert f'src="{base}/alliances/{eve.alliance_id}/logo?size=32"' in card
        assert "images.evetech.net" not in card

    def test_should_list_the_main_character_first_and_mark_it(self, make_character, client):
        user = make_character(DAX).owner  # the first character of a user becomes the main
        make_character(ARIA, user=user)  # sorts before "Dax Morrow" by name
        assert user.profile.main_character.character_id == DAX

        html = launcher_page(client, user)

        cards = html.split('class="card h-100 character-card')[1:]
        assert f'data-character-id="{DAX}"' in cards[0]
        assert "character-main" in cards[0] and "main-character" in cards[0]
        assert f'data-character-id="{ARIA}"' in cards[1]
        assert "character-main" not in cards[1]

    def test_should_show_the_skill_in_training_or_not_training(self, make_character, client):
        user = create_user()
        make_character(DAX, user=user)  # paused queue
        aria = make_character(ARIA, user=user)
        updater.update_section(aria, "skill_queue")
        training = aria.skillqueue.select_related("eve_type").active_entry()
        assert training is not None

        html = launcher_page(client, user)

        aria_card = html.split(f'data-character-id="{ARIA}"', 1)[1].split("card-footer")[0]
        dax_card = html.split(f'data-character-id="{DAX}"', 1)[1].split("card-footer")[0]
        assert f"{training.eve_type.name} {training.finished_level}" in aria_card
        assert "finishes" in aria_card
        assert "not training" in dax_card

    def test_should_offer_a_name_filter_only_with_many_characters(self, client):
        few, many = create_user(), create_user()
        for _ in range(6):
            create_character(few)
        for _ in range(7):
            create_character(many)

        assert 'id="character-filter"' not in launcher_page(client, few)
        assert 'id="character-filter"' in launcher_page(client, many)

    def test_should_count_unread_mails(self, client):
        character = create_character()
        mail_model = pytest.importorskip("memberaudit.models").CharacterMail
        mail_model.objects.bulk_create(
            [
                mail_model(character=character, mail_id=index, is_read=index % 2 == 0)
                for index in range(5)
            ]
        )
        html = launcher_page(client, character.owner)

        assert '<dd class="character-unread-mails text-nowrap">2</dd>' in html

    def test_should_list_own_unregistered_characters_only(self, client):
        character = create_character()
        own = create_eve_character(character_name="Spare Alt")
        CharacterOwnership.objects.create(character=own, user=character.owner, owner_hash="x")
        create_eve_character(character_name="Somebody Else")

        html = launcher_page(client, character.owner)

        assert "Spare Alt" in html
        assert "Somebody Else" not in html

    def test_should_ask_to_reregister_characters_with_token_problems(self, client):
        user = create_user()
        invalid = create_character(user=user, character_name="Invalid Token")
        limited = create_character(user=user, character_name="Limited Token")
        fine = create_character(user=user, character_name="Fine Token")
        for character, kind in ((invalid, "token_invalid"), (limited, "token_limited")):
            SectionUpdateStatus.objects.create(
                character=character, section="skills", is_success=False, error_kind=kind
            )
        SectionUpdateStatus.objects.create(character=fine, section="skills", is_success=True)

        html = launcher_page(client, user)

        assert 'id="token-problems"' in html
        assert f'data-character-id="{invalid.character_id}">\n            Invalid Token' in html
        assert "the token is invalid or was revoked" in html
        assert "the token misses scopes" in html
        assert html.count("character-reregister") == 2
        assert f'class="token-problem" data-character-id="{fine.character_id}"' not in html

    def test_should_show_share_buttons_only_with_share_permission(self, client):
        character = create_character()
        assert "character-share" not in launcher_page(client, character.owner)

        sharer = create_character(user=create_user(permissions=("memberaudit.basic_access", SHARE)))
        assert "character-share" in launcher_page(Client(), sharer.owner)

    def test_should_show_registered_characters_of_the_fake_server(self, make_character, client):
        user = create_user()
        make_character(ARIA, user=user)
        make_character(DAX, user=user)

        html = launcher_page(client, user)

        assert html.count('class="card h-100 character-card') == 2


def user_with_main(*permissions):
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def sharer():
    return user_with_main(SHARE)


class TestShareUnshareRemove:
    @pytest.mark.parametrize("name", ["share_character", "unshare_character", "remove_character"])
    def test_should_refuse_get(self, name, client, sharer):
        character = create_character(user=sharer)
        client.force_login(sharer)

        response = client.get(reverse(f"memberaudit:{name}", args=[character.pk]))

        assert response.status_code == 405

    def test_should_share_and_unshare_own_character(self, client, sharer):
        character = create_character(user=sharer)
        client.force_login(sharer)

        response = client.post(reverse("memberaudit:share_character", args=[character.pk]))
        assert response.status_code == 302
        assert is_shared(character)

        client.post(reverse("memberaudit:unshare_character", args=[character.pk]))
        assert not is_shared(character)

    def test_should_enforce_csrf(self, sharer):
        character = create_character(user=sharer)
        client = Client(enforce_csrf_checks=True)
        client.force_login(sharer)

        response = client.post(reverse("memberaudit:share_character", args=[character.pk]))

        assert response.status_code == 403
        assert not is_shared(character)

    def test_should_share_with_a_csrf_token_from_the_launcher(self, sharer):
        character = create_character(user=sharer)
        client = Client(enforce_csrf_checks=True)
        client.force_login(sharer)
        client.get(reverse("memberaudit:launcher"))
        token = client.cookies["csrftoken"].value

        response = client.post(
            reverse("memberaudit:share_character", args=[character.pk]),
            {"csrfmiddlewaretoken": token},
        )

        assert response.status_code == 302
        assert is_shared(character)

    def test_should_not_share_without_share_permission(self, client):
        character = create_character()
        client.force_login(character.owner)

        response = client.post(reverse("memberaudit:share_character", args=[character.pk]))

        assert response.status_code == 403
        assert not is_shared(character)

    @pytest.mark.parametrize("name", ["share_character", "unshare_character", "remove_character"])
    def test_should_refuse_other_users(self, name, client, sharer):
        character = create_character()
        client.force_login(sharer)

        response = client.post(
            reverse(f"memberaudit:{name}", args=[character.pk]), {"confirmed": "yes"}
        )

        assert response.status_code == 403
        assert Character.objects.filter(pk=character.pk, is_disabled=False).exists()

    def test_should_refuse_a_recruiter_who_may_view_but_not_manage(self, client, sharer):
        character = create_character(user=sharer)
        share_with_all_recruiters(character)
        recruiter = user_with_main("memberaudit.view_shared_characters")
        client.force_login(recruiter)

        response = client.post(reverse("memberaudit:unshare_character", args=[character.pk]))

        assert response.status_code == 403
        assert is_shared(character)

    @pytest.mark.parametrize("name", ["share_character", "unshare_character", "remove_character"])
    def test_should_answer_404_for_missing_characters(self, name, client, sharer):
        client.force_login(sharer)

        response = client.post(reverse(f"memberaudit:{name}", args=[987654]))

        assert response.status_code == 404

    def test_should_ask_for_confirmation_before_removing(self, client):
        character = create_character()
        client.force_login(character.owner)

        response = client.post(reverse("memberaudit:remove_character", args=[character.pk]))

        assert response.status_code == 200
        assert 'id="remove-character-confirmation"' in response.content.decode()
        assert Character.objects.filter(pk=character.pk, is_disabled=False).exists()

    def test_should_remove_character_once_confirmed(self, client):
        character = create_character()
        client.force_login(character.owner)

        response = client.post(
            reverse("memberaudit:remove_character", args=[character.pk]), {"confirmed": "yes"}
        )

        assert response.status_code == 302
        assert not Character.objects.filter(pk=character.pk).exists()  # eager Celery here
