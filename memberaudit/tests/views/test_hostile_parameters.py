"""No query parameter makes any URL of the app fail: bad values answer 400 or are ignored.

Every URL pattern of ``memberaudit.urls`` (each tab, JSON table and report name filled in, as
in ``test_no_leaks``) is called by a superuser with generated parameters: the DataTables
protocol's and the filters', plus unknown ones, holding non-numbers, numbers beyond 64 bits,
negative numbers, floats, empty and repeated values.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth.models import User
from django.http import QueryDict
from django.urls import reverse

from memberaudit import query_params

from ..factories import create_character, create_user_with_main, share_with_all_recruiters
from .test_no_leaks import app_patterns, create_children, fill_values, urls_for

pytestmark = pytest.mark.django_db

PARAMETER_NAMES = (
    "draw",
    "start",
    "length",
    "order[0][column]",
    "order[0][dir]",
    "order[1][column]",
    "columns[0][data]",
    "columns[3][data]",
    "columns[99999999999999999999][data]",
    "search[value]",
    "search[regex]",
    "total_known",
    "location",
    "folder",
    "corporation",
    "alliance",
    "main",
    "state",
    "shared",
    "unknown",
)
HOSTILE_TEXT = (
    "",
    " ",
    "-1",
    "0",
    "1.5",
    "-0.0",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "١٢",  # digits of another script
    "1_000",
    "99999999999999999999999999999999",
    "-9223372036854775809",
    "9223372036854775808",
    "desc",
    "label:99999999999999999999999",
    "list:-1",
    "label:abc",
    "unread",
    "name",
    "\x00",
    "%",
    "' OR 1=1 --",
)
values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=30),
)
parameters = st.dictionaries(
    st.sampled_from(PARAMETER_NAMES), st.lists(values, min_size=1, max_size=3), max_size=6
)


@pytest.fixture
def app_urls():
    """A superuser with a character that has a mail, a contract and a container, and every
    URL of the app filled with them."""
    user = create_user_with_main()
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    character = create_character(user=user, character_name="Own Pilot")
    children = create_children(character, "OWN")
    share = share_with_all_recruiters(character)
    filled = fill_values({"character": character, "share": share, **children})
    urls = [url for pattern in app_patterns() for url in urls_for(pattern, filled)]
    return User.objects.get(pk=user.pk), urls


# Every example is sent to each of the app's URLs (over a hundred requests): 30 examples keep
# the walk under a minute, and the values are drawn mostly from the hostile list above.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=parameters)
def test_should_never_fail_on_any_query_parameter(app_urls, client, params):
    """The same generated parameters go to every URL: each answers, none with a 5xx."""
    user, urls = app_urls
    client.force_login(user)
    client.raise_request_exception = False
    failures = []

    for url in urls:
        response = client.get(url, params)
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
        elif response.status_code == 400 and response["Content-Type"] == "application/json":
            assert response.json()["error"], url

    assert not failures, f"{params}: {failures}"


def test_every_url_answers_the_superuser(app_urls, client):
    """The walk above covers real pages: without parameters every URL opens."""
    user, urls = app_urls
    client.force_login(user)

    statuses = {url: client.get(url).status_code for url in urls}

    assert len(urls) >= 15
    assert all(status in (200, 302, 405) for status in statuses.values()), statuses


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "abc"}, "start"),
        ({"start": "-1"}, "start"),
        ({"length": "99999999999999999999999"}, "length"),
        ({"draw": "1.5"}, "draw"),
        ({"order[0][column]": "name"}, "order[0][column]"),
    ],
)
def test_should_answer_400_with_a_short_message(app_urls, client, params, message):
    user, urls = app_urls
    client.force_login(user)

    response = client.get(reverse("memberaudit:finder_data"), params)

    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize("name", ["corporation", "alliance", "main"])
@pytest.mark.parametrize("value", ["abc", "1.0", "-5", "99999999999999999999"])
def test_should_refuse_malformed_finder_filters(app_urls, client, name, value):
    user, _urls = app_urls
    client.force_login(user)

    response = client.get(reverse("memberaudit:finder_data"), {name: value})

    assert response.status_code == 400
    assert name in response.json()["error"]


@pytest.mark.parametrize("path_id", ["99999999999999999999", "9223372036854775808"])
def test_should_answer_404_for_ids_beyond_64_bits_in_the_path(app_urls, client, path_id):
    user, urls = app_urls
    client.force_login(user)
    character_urls = [url for url in urls if "/character/" in url]
    assert character_urls

    for url in character_urls:
        parts = url.split("/")
        position = parts.index("character") + 1
        parts[position] = path_id
        assert client.get("/".join(parts)).status_code == 404


@given(st.integers(min_value=-(2**80), max_value=2**80))
def test_should_parse_whole_numbers_only_within_bounds(number):
    params = {"start": str(number)}
    if 0 <= number <= query_params.MAX_OFFSET:
        assert query_params.table_request(params).start == number
    else:
        with pytest.raises(query_params.InvalidParameter):
            query_params.table_request(params)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_should_refuse_floats_even_whole_ones(number):
    with pytest.raises(query_params.InvalidParameter):
        query_params.integer({"start": repr(number)}, "start", minimum=0, maximum=10)


def test_should_take_the_last_of_repeated_values():
    params = QueryDict("start=1&start=7&search[value]=a&search[value]=b")

    asked = query_params.table_request(params)

    assert (asked.start, asked.search) == (7, "b")
