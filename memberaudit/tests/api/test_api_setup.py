"""What a site needs for the API: its URLs public to Alliance Auth (the token decides), and a
system check that says so when they are not."""

from memberaudit import api_urls
from memberaudit.auth_hooks import register_api_urls
from memberaudit.checks import check_api_is_public


def test_should_warn_while_the_api_is_not_among_the_public_apps(settings):
    settings.APPS_WITH_PUBLIC_VIEWS = ["someotherapp"]

    assert [warning.id for warning in check_api_is_public(None)] == ["memberaudit.W003"]


def test_should_not_warn_once_the_api_is_public(settings):
    settings.APPS_WITH_PUBLIC_VIEWS = ["someotherapp", "memberaudit_api"]

    assert check_api_is_public(None) == []


def test_should_hand_every_api_view_to_alliance_auth_as_public():
    hook = register_api_urls()

    assert hook.include_pattern.app_name == "memberaudit_api"
    assert {pattern.lookup_str for pattern in api_urls.urlpatterns} <= hook.excluded_views
