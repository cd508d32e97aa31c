"""No request makes the read API fail: every URL of ``memberaudit.api_urls`` (each section's
each dataset filled in) is called with generated parameters and generated tokens; bad values
answer 400 with a short message, bad tokens 401, and nothing answers 5xx.

The walk reads the API's URL patterns itself, so a new endpoint is covered without being
listed here; a path parameter it does not know how to fill fails the test loudly.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth.models import User
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit import api_tokens, api_urls
from memberaudit.api_datasets import section_datasets
from memberaudit.sections import registry

from ..factories import create_character, create_user_with_main
from ..views.test_hostile_parameters import HOSTILE_TEXT
from ..views.test_no_leaks import create_children
from .conftest import API_PERMISSIONS

pytestmark = pytest.mark.django_db

PARAMETER_NAMES = ("offset", "limit", "start", "length", "search[value]", "unknown")
values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
)
parameters = st.dictionaries(
    st.sampled_from(PARAMETER_NAMES), st.lists(values, min_size=1, max_size=3), max_size=4
)


def section_dataset_pairs() -> list[dict]:
    return [
        {"section": section.name, "dataset": dataset}
        for section in registry
        for dataset in section_datasets(section)
    ]


def api_urls_for(character_pk: int) -> list[str]:
    """Every URL of the API, path parameters filled with ``character_pk`` and every section's
    every dataset."""
    urls = []
    for pattern in api_urls.urlpatterns:
        names = set(pattern.pattern.converters)
        unknown = names - {"character_pk", "section", "dataset"}
        assert not unknown, f"{pattern.pattern}: say here how to fill {sorted(unknown)}"
        fills = [{}]
        if "section" in names:
            fills = section_dataset_pairs()
        for fill in fills:
            kwargs = {**fill, **({"character_pk": character_pk} if "character_pk" in names else {})}
            urls.append(reverse(f"{api_urls.app_name}:{pattern.name}", kwargs=kwargs))
    return list(dict.fromkeys(urls))


@pytest.fixture
def api_walk(settings):
    """A superuser's token, and every URL of the API filled with their character."""
    settings.MEMBERAUDIT_API_RATE_LIMIT = 1_000_000
    user = create_user_with_main()
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    AuthUtils.add_permissions_to_user_by_name(list(API_PERMISSIONS), user)
    character = create_character(user=user, character_name="Own Pilot")
    create_children(character, "OWN")
    plain = api_tokens.create_token(User.objects.get(pk=user.pk), "walk").plain
    return plain, api_urls_for(character.pk)


def test_every_api_url_answers_a_valid_token(api_walk, client):
    plain, urls = api_walk

    statuses = {
        url: client.get(url, HTTP_AUTHORIZATION=f"Bearer {plain}").status_code for url in urls
    }

    assert len(urls) >= 3 + len(section_dataset_pairs())
    assert set(statuses.values()) == {200}, statuses


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=parameters)
def test_should_never_fail_on_any_query_parameter(api_walk, client, params):
    plain, urls = api_walk
    client.raise_request_exception = False
    failures = []

    for url in urls:
        response = client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {plain}")
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
        elif response.status_code == 400:
            assert response.json()["error"], url
        else:
            assert response.status_code == 200, url

    assert not failures, f"{params}: {failures}"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(header=st.one_of(st.text(max_size=60), st.text(max_size=60).map("Bearer ma_{}".format)))
def test_should_answer_401_to_any_made_up_token(api_walk, client, header):
    _plain, urls = api_walk
    client.raise_request_exception = False
    header = header.replace("\n", " ").replace("\r", " ")

    for url in itertools.islice((url for url in urls if "/characters/" in url), 3):
        assert client.get(url, HTTP_AUTHORIZATION=header).status_code == 401, url
