"""Errors show Alliance Auth's error pages, never Django's debug page; the SSO callback
without a session says what happened instead of failing."""

import runpy
from pathlib import Path

import demo
import pytest

from django.conf import settings
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import path, reverse

from fake_eve.sso_flow import follow_sso
from memberaudit.tests.factories import create_user_with_main
from testauth import urls as testauth_urls

pytestmark = pytest.mark.django_db

ARIA = 90000001
SETTINGS_FILE = Path(settings.BASE_DIR) / "testauth" / "settings" / "local.py"
DEBUG_PAGE_MARKS = ("Traceback", "technical_500", "DJANGO_SETTINGS_MODULE", "You're seeing this")


def _crash(request):
    raise RuntimeError("boom in a view")


urlpatterns = [path("crash/", _crash), *testauth_urls.urlpatterns]
handler400 = testauth_urls.handler400
handler403 = testauth_urls.handler403
handler404 = testauth_urls.handler404
handler500 = testauth_urls.handler500


@pytest.mark.parametrize("value, debug", [(None, False), ("0", False), ("", False), ("1", True)])
def test_debug_mode_is_off_unless_asked_for(monkeypatch, value, debug):
    if value is None:
        monkeypatch.delenv("TESTAUTH_DEBUG", raising=False)
    else:
        monkeypatch.setenv("TESTAUTH_DEBUG", value)

    assert runpy.run_path(str(SETTINGS_FILE))["DEBUG"] is debug


def test_demo_serves_static_files_without_debug_mode():
    assert "--insecure" in demo.site_command(debug=False)
    assert "--insecure" not in demo.site_command(debug=True)


def _assert_auth_error_page(response, status: int):
    assert response.status_code == status
    assert "allianceauth/error.html" in [template.name for template in response.templates]
    text = response.content.decode()
    assert not any(mark in text for mark in DEBUG_PAGE_MARKS)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_missing_page_shows_auths_404_page(client):
    client.force_login(User.objects.create_user("pilot"))

    _assert_auth_error_page(client.get("/member-audit/no-such-page/"), 404)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_forbidden_page_shows_auths_403_page(client):
    client.force_login(create_user_with_main())  # may use the app, not the finder

    _assert_auth_error_page(client.get(reverse("memberaudit:finder")), 403)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_shows_auths_500_page(client):
    client.raise_request_exception = False

    _assert_auth_error_page(client.get("/crash/"), 500)


def test_sso_callback_without_session_explains_instead_of_failing(client, fake_eve):
    """A pilot whose browser lost the session on EVE's login page (cookies blocked, session
    expired, another browser) comes back to a clear message."""
    client.get(reverse("auth_sso_login"))  # the login starts in this browser ...
    callback = _callback_url_from_fake_sso(client)
    client.cookies.clear()  # ... which comes back without its session cookie
    client.raise_request_exception = False

    response = client.get(callback, follow=True)  # EVE SSO may drop the trailing slash

    _assert_auth_error_page(response, 400)
    assert "login session was not found" in response.content.decode()


def test_sso_callback_with_its_session_still_logs_in(client, fake_eve):
    response = follow_sso(client, reverse("auth_sso_login"), ARIA)

    assert response.status_code == 200
    assert response.wsgi_request.path == reverse("registration_register")


def _callback_url_from_fake_sso(client) -> str:
    """Start the login and let the fake SSO pick Aria: the URL EVE SSO sends the browser to."""
    from urllib.parse import urlparse

    from fake_eve.sso_flow import _pick_character

    response = client.get(reverse("auth_sso_login"))
    while response.status_code in (301, 302):
        location = response["Location"]
        if "/oauth/authorize" in location:
            parsed = urlparse(_pick_character(location, ARIA))
            return parsed.path + (f"?{parsed.query}" if parsed.query else "")
        response = client.get(location)
    raise AssertionError("the login did not lead to EVE SSO")
