"""No URL of the app shows another pilot's data: every pattern of ``memberaudit.urls`` is
called with the id of a character the user may not open, and with child ids (mail, contract,
asset item) that belong to that character.

The test walks ``urlpatterns`` itself, so a new URL is checked without being listed here;
a URL with a path parameter this file does not know how to fill fails the test loudly.
Name parameters are filled with every name there is: each tab of the section registry, each
JSON table of each tab, each report, each chart.
"""

import datetime as dt
import itertools

import pytest

from django.contrib.auth.models import User
from django.http import JsonResponse
from django.test import override_settings
from django.urls import include, path, reverse
from django.utils import timezone

from allianceauth.tests.auth_utils import AuthUtils
from eveuniverse.models import EveEntity

from memberaudit import api_tokens, esi_budget
from memberaudit import urls as memberaudit_urls
from memberaudit.charts import CHARTS
from memberaudit.export_topics import TOPICS
from memberaudit.models import (
    AccessLogEntry,
    ApiToken,
    ChangeEvent,
    Character,
    CharacterAsset,
    CharacterCalendarEvent,
    CharacterContactNotification,
    CharacterContract,
    CharacterCorporationRole,
    CharacterKillmail,
    CharacterMail,
    CharacterMedal,
    CharacterNotification,
    CharacterResearchAgent,
    CharacterStanding,
    CharacterTitle,
    DataExport,
    Killmail,
    Location,
)
from memberaudit.reports import REPORTS
from memberaudit.sections import registry

from ..factories import (
    create_character,
    create_item_type,
    create_user_with_main,
    keep_asset_summaries,
    share_with_all_recruiters,
)

pytestmark = pytest.mark.django_db

SECRETS = (
    "Secret Pilot",
    "SECRET-MAIL",
    "SECRET-CONTRACT",
    "SECRET-ASSET",
    "SECRET-SHEET",
    "Secret Main",
    "SECRET-KILL",
    "SECRET-NOTE",
    "SECRET-CONTACT",
    "SECRET-EVENT",
    "SECRET-TOKEN",
)
OTHER_CORPORATION = {"corporation_id": 98_000_777, "corporation_name": "Hidden Corp"}


def tab_names() -> list[str]:
    return [section.name for section in registry.viewer_tabs()]


def table_names() -> list[str]:
    return [name for section in registry.viewer_tabs() for name in section.tab.tables]


# The values each path parameter is filled with: ids of the forbidden character's objects, and
# every name for name parameters (a URL is tried with each combination). A URL with a
# parameter not named here makes the test fail: say here how to fill it.
FILL = {
    "character_pk": lambda secret: [secret["character"].pk],
    "mail_id": lambda secret: [secret["mail"].mail_id],
    "contract_pk": lambda secret: [secret["contract"].pk],
    "item_pk": lambda secret: [secret["container"].pk],
    "killmail_id": lambda secret: [secret["killmail"].id],
    "section_name": lambda secret: tab_names(),
    "table": lambda secret: table_names(),
    "report": lambda secret: list(REPORTS),
    "share_pk": lambda secret: [secret["share"].pk],
    "chart": lambda secret: list(CHARTS),
    "budget_chart": lambda secret: list(esi_budget.CHARTS),
    "token_pk": lambda secret: [api_token_of(secret["character"]).pk],
    "topic": lambda secret: list(TOPICS),
    "export_pk": lambda secret: [secret["export"].pk] if "export" in secret else [],
}
CHILD_PARAMETERS = {"mail_id", "contract_pk", "item_pk", "killmail_id"}
NAME_PARAMETERS = {"section_name", "table", "report", "chart", "budget_chart"}
# The only URLs that answer a signed-in user with a redirect: the app's start page (to the
# launcher), registration (to EVE SSO) and starting a data export (back to the export page).
# Any other page a user may not open says 403.
REDIRECTING = {"index", "register_character", "data_export_start"}

VIEWERS = {
    "basic": ("memberaudit.basic_access",),
    "recruiter": (
        "memberaudit.view_shared_characters",
        "memberaudit.finder_access",
        "memberaudit.reports_access",
    ),
    "corporation_auditor": (
        "memberaudit.characters_access",
        "memberaudit.view_same_corporation",
        "memberaudit.finder_access",
        "memberaudit.reports_access",
    ),
    "alliance_auditor_without_alliance": (
        "memberaudit.characters_access",
        "memberaudit.view_same_alliance",
        "memberaudit.finder_access",
        "memberaudit.reports_access",
    ),
    "access_log_auditor": ("memberaudit.view_access_log",),
    "corporation_exporter": (
        "memberaudit.exports_access",
        "memberaudit.characters_access",
        "memberaudit.view_same_corporation",
    ),
}


def api_token_of(character: Character):
    """A personal API token of the character's owner (made once per character)."""
    token = ApiToken.objects.filter(user=character.owner).first()
    return token or api_tokens.create_token(character.owner, "SECRET-TOKEN").token


def user_with_main(*permissions):
    user = create_user_with_main()
    AuthUtils.add_permissions_to_user_by_name(list(permissions), user)
    return User.objects.get(pk=user.pk)


def create_secret_character(
    shared: bool, owner_may_share: bool, shared_with_someone_else: bool = False
) -> dict:
    """A character in another corporation with a mail, a contract and a container with an
    item inside, all with names that must never show up for the viewers of this test.

    It always has a share with all recruiters that ended a second ago, and when asked a share
    with all recruiters that has not ended, or one with another recruiter."""
    owner = create_user_with_main(character_name="Secret Main", **OTHER_CORPORATION)
    if owner_may_share:
        AuthUtils.add_permissions_to_user_by_name(["memberaudit.share_characters"], owner)
    character = create_character(user=owner, character_name="Secret Pilot", **OTHER_CORPORATION)
    ended = share_with_all_recruiters(
        character, expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    if shared:
        share_with_all_recruiters(character, expires_at=timezone.now() + dt.timedelta(days=1))
    if shared_with_someone_else:
        other_recruiter = user_with_main(
            "memberaudit.finder_access", "memberaudit.view_shared_characters"
        )
        share_with_all_recruiters(character, user=other_recruiter)
    export = DataExport.objects.create(
        user=owner,
        topic="wallet_journal",
        status=DataExport.Status.DONE,
        file_name="memberaudit_wallet_journal_secret.csv.gz",
    )
    return {
        "character": character,
        "share": ended,
        "export": export,
        **create_children(character, "SECRET"),
    }


def create_children(character: Character, prefix: str) -> dict:
    entity, _ = EveEntity.objects.get_or_create(
        id=3_900_000_001, defaults={"name": "Someone", "category": "character"}
    )
    agent, _ = EveEntity.objects.get_or_create(
        id=3_900_000_000 + character.pk, defaults={"name": f"{prefix}-SHEET agent"}
    )
    eve_type = create_item_type()
    location, _ = Location.objects.get_or_create(id=60003760, defaults={"name": "Jita IV"})
    mail = CharacterMail.objects.create(
        character=character,
        mail_id=400_000_000 + character.pk,
        sender=entity,
        subject=f"{prefix}-MAIL",
        body=f"{prefix}-MAIL body",
        timestamp=timezone.now(),
    )
    contract = CharacterContract.objects.create(
        character=character,
        contract_id=500_000_000 + character.pk,
        contract_type="item_exchange",
        status="outstanding",
        title=f"{prefix}-CONTRACT",
        issuer=entity,
        date_issued=timezone.now() - dt.timedelta(days=1),
    )
    container = CharacterAsset.objects.create(
        character=character,
        item_id=1_000_000_000_000 + character.pk * 10,
        eve_type=eve_type,
        location=location,
        place=location,
        name=f"{prefix}-ASSET box",
    )
    CharacterAsset.objects.create(
        character=character,
        item_id=1_000_000_000_001 + character.pk * 10,
        eve_type=eve_type,
        parent=container,
        place=location,
        name=f"{prefix}-ASSET inside",
    )
    keep_asset_summaries(character)
    CharacterTitle.objects.create(character=character, title_id=1, name=f"{prefix}-SHEET title")
    CharacterCorporationRole.objects.create(
        character=character, scope="general", role=f"{prefix}-SHEET_role"
    )
    CharacterMedal.objects.create(
        character=character,
        medal_id=1,
        title=f"{prefix}-SHEET medal",
        reason=f"{prefix}-SHEET reason",
        date=timezone.now(),
    )
    CharacterStanding.objects.create(
        character=character, eve_entity=agent, kind="agent", standing=5.0
    )
    CharacterResearchAgent.objects.create(
        character=character,
        agent=agent,
        started_at=timezone.now(),
        points_per_day=50,
        remainder_points=0,
    )
    killmail = create_intel(character, prefix)
    return {"mail": mail, "contract": contract, "container": container, "killmail": killmail}


def create_intel(character: Character, prefix: str) -> Killmail:
    """A kill, a notification, a contact notification and an event of ``character``."""
    victim, _ = EveEntity.objects.get_or_create(
        id=3_900_000_100 + character.pk, defaults={"name": f"{prefix}-KILL victim"}
    )
    killmail = Killmail.objects.create(
        id=700_000_000 + character.pk, hash="abc", time=timezone.now(), victim_character=victim
    )
    CharacterKillmail.objects.create(
        character=character, killmail=killmail, killmail_hash="abc", is_loss=False
    )
    CharacterNotification.objects.create(
        character=character,
        notification_id=800_000_000 + character.pk,
        type="SomethingNew",
        timestamp=timezone.now(),
        text=f"{prefix}-NOTE text",
    )
    CharacterContactNotification.objects.create(
        character=character,
        notification_id=900_000_000 + character.pk,
        sender_character_id=3_900_000_001,
        message=f"{prefix}-CONTACT message",
        send_date=timezone.now(),
    )
    CharacterCalendarEvent.objects.create(
        character=character,
        event_id=600_000_000 + character.pk,
        title=f"{prefix}-EVENT title",
        event_date=timezone.now(),
    )
    ChangeEvent.objects.create(  # a red flag, in the Changes tab and the Red flags report
        character=character,
        kind=ChangeEvent.Kind.WATCHLIST,
        severity=ChangeEvent.Severity.HIGH,
        occurred_at=timezone.now(),
        section="contacts",
        entity_id=3_900_000_001,
        details={"source": f"{prefix}-EVENT change"},
        key=f"{prefix}-{character.pk}",
    )
    return killmail


def app_patterns():
    """Every URL pattern of the app, with the names of its path parameters."""
    patterns = []
    for pattern in memberaudit_urls.urlpatterns:
        assert getattr(pattern, "name", None), f"URL pattern {pattern.pattern} has no name"
        assert hasattr(pattern.pattern, "converters"), f"{pattern.pattern}: use path()"
        patterns.append(pattern)
    return patterns


def fill_values(secret: dict) -> dict[str, list]:
    return {name: fill(secret) for name, fill in FILL.items()}


def urls_for(pattern, values: dict[str, list]) -> list[str]:
    """The pattern's URL with each combination of the values of its path parameters."""
    names = sorted(pattern.pattern.converters)
    unknown = set(names) - FILL.keys()
    if unknown:
        pytest.fail(
            f"URL {pattern.name!r} has path parameters {sorted(unknown)} that test_no_leaks "
            "does not know how to fill: add them to FILL"
        )
    return [
        reverse(f"memberaudit:{pattern.name}", kwargs=dict(zip(names, combination, strict=True)))
        for combination in itertools.product(*(values[name] for name in names))
    ]


def find_leaks(client, patterns, secret: dict) -> list[str]:
    """Call each pattern with GET and POST and describe every answer that shows data of the
    forbidden character, or that is not 403/404 for a URL that carries its id."""
    values = fill_values(secret)
    leaks = []
    for pattern, url in ((p, url) for p in patterns for url in urls_for(p, values)):
        carries_character = "character_pk" in pattern.pattern.converters
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            status = response.status_code
            content = b"".join(response) if response.streaming else response.content
            text = content.decode(errors="replace")
            shown = [secret_text for secret_text in SECRETS if secret_text in text]
            if shown:
                leaks.append(f"{method.upper()} {url} ({pattern.name}): {status} shows {shown}")
            elif carries_character and status not in (403, 404, 405):
                leaks.append(f"{method.upper()} {url} ({pattern.name}): {status}, not 403/404")
            elif (
                not carries_character
                and status not in (200, 403, 404, 405)
                and not (status == 302 and pattern.name in REDIRECTING)
            ):
                leaks.append(f"{method.upper()} {url} ({pattern.name}): unexpected {status}")
    return leaks


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize(
    "shared, owner_may_share, shared_with_someone_else",
    [(False, True, False), (True, False, False), (False, True, True)],
    ids=[
        "not_shared_or_share_ended",
        "shared_by_owner_without_share_permission",
        "shared_with_another_recruiter",
    ],
)
def test_no_url_shows_a_character_the_user_may_not_open(
    viewer, shared, owner_may_share, shared_with_someone_else, client
):
    secret = create_secret_character(shared, owner_may_share, shared_with_someone_else)
    user = user_with_main(*VIEWERS[viewer])
    create_character(user=user, character_name="Own Pilot")
    client.force_login(user)

    leaks = find_leaks(client, app_patterns(), secret)

    assert not leaks, "\n".join(leaks)
    character = Character.objects.get(pk=secret["character"].pk)
    # POSTs changed nothing: no share revoked or added, nothing recorded as seen, no token
    # revoked
    assert character.shares.count() == 1 + shared + shared_with_someone_else
    assert not AccessLogEntry.objects.filter(character=character).exists()
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_child_ids_of_another_character_are_404_under_the_users_own_character(viewer, client):
    secret = create_secret_character(shared=False, owner_may_share=True)
    user = user_with_main(*VIEWERS[viewer])
    own = create_character(user=user, character_name="Own Pilot")
    client.force_login(user)
    values = fill_values(secret)
    values["character_pk"] = [own.pk]
    child_patterns = [
        pattern
        for pattern in app_patterns()
        if "character_pk" in pattern.pattern.converters
        and CHILD_PARAMETERS & set(pattern.pattern.converters)
    ]
    assert len(child_patterns) >= 3  # mail, contract, asset

    for url in (url for pattern in child_patterns for url in urls_for(pattern, values)):
        response = client.get(url)
        assert response.status_code == 404, f"{url}: {response.status_code}"
        assert not any(secret_text in response.content.decode() for secret_text in SECRETS)


def test_own_children_are_found(client):
    """The counterpart of the 404s above: the same URLs open the user's own objects."""
    user = user_with_main()
    own = create_character(user=user, character_name="Own Pilot")
    children = create_children(own, "OWN")
    client.force_login(user)
    values = fill_values({"character": own, "share": share_with_all_recruiters(own), **children})

    for pattern in app_patterns():
        if CHILD_PARAMETERS & set(pattern.pattern.converters):
            (url,) = urls_for(pattern, values)
            response = client.get(url)
            assert response.status_code == 200, pattern.name
            assert "OWN-" in response.content.decode(), pattern.name


def test_every_name_tried_opens_for_a_user_who_may_see_it(client):
    """The counterpart for name parameters: each tab, table and report name tried above is a
    real one (a 404 for a misspelt name would hide a leak)."""
    user = user_with_main("memberaudit.reports_access", "memberaudit.view_esi_budget")
    own = create_character(user=user, character_name="Own Pilot")
    client.force_login(user)
    share = share_with_all_recruiters(own)
    values = fill_values({"character": own, "share": share, **create_children(own, "OWN")})

    for pattern in app_patterns():
        if NAME_PARAMETERS & set(pattern.pattern.converters):
            for url in urls_for(pattern, values):
                assert client.get(url).status_code == 200, url


def _unprotected_view(request, character_pk: int):
    character = Character.objects.get(pk=character_pk)
    return JsonResponse({"name": character.name})


_unprotected = path("character/<int:character_pk>/leak/", _unprotected_view, name="leak")
urlpatterns = [
    path("member-audit/", include(([*memberaudit_urls.urlpatterns, _unprotected], "memberaudit")))
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_check_catches_an_unprotected_url(client):
    secret = create_secret_character(shared=False, owner_may_share=True)
    client.force_login(user_with_main())

    leaks = find_leaks(client, [_unprotected], secret)

    assert leaks and "Secret Pilot" in leaks[0]


def test_the_check_fails_on_unknown_path_parameters():
    pattern = path("character/<int:character_pk>/thing/<int:thing_id>/", _unprotected_view)
    pattern.name = "thing"

    with pytest.raises(pytest.fail.Exception, match="thing_id"):
        urls_for(pattern, {})
