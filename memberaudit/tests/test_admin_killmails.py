"""The Django admin shows the site's killmails read-only."""

import pytest

from django.urls import reverse
from django.utils import timezone

from eveuniverse.models import EveEntity

from memberaudit.models import Killmail, KillmailAttacker

pytestmark = pytest.mark.django_db


@pytest.fixture
def killmail():
    victim = EveEntity.objects.create(id=95000001, name="Vex Morrigan", category="character")
    killer = EveEntity.objects.create(id=90000001, name="Aria Jaxon", category="character")
    killmail = Killmail.objects.create(
        id=124000001, hash="abc", time=timezone.now(), victim_character=victim, attacker_count=1
    )
    KillmailAttacker.objects.create(killmail=killmail, character=killer, is_final_blow=True)
    return killmail


def test_should_label_attacker_rows_with_the_attackers_name(admin_client, killmail):
    npc_corporation = EveEntity.objects.create(
        id=1000125, name="Serpentis Corporation", category="corporation"
    )
    tower = EveEntity.objects.create(id=16213, name="Control Tower", category="inventory_type")
    KillmailAttacker.objects.create(killmail=killmail, position=1, corporation=npc_corporation)
    KillmailAttacker.objects.create(killmail=killmail, position=2, ship_type=tower)

    response = admin_client.get(reverse("admin:memberaudit_killmail_change", args=[killmail.pk]))

    labels = [str(form.original) for form in response.context["inline_admin_formsets"][0]]
    assert labels == ["Aria Jaxon", "Serpentis Corporation", "Control Tower"]
    assert f"{killmail.pk}-{npc_corporation.id}" not in response.content.decode()  # no raw ids


def test_should_list_and_show_killmails_without_letting_anyone_change_them(admin_client, killmail):
    changelist = admin_client.get(reverse("admin:memberaudit_killmail_changelist"))
    detail = admin_client.get(reverse("admin:memberaudit_killmail_change", args=[killmail.pk]))
    add = admin_client.get(reverse("admin:memberaudit_killmail_add"))

    assert changelist.status_code == 200 and "Vex Morrigan" in changelist.content.decode()
    assert detail.status_code == 200 and "Aria Jaxon" in detail.content.decode()
    assert b'name="_save"' not in detail.content
    assert add.status_code == 403
