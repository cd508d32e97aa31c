import pytest

from django.contrib.auth.models import Permission
from django.test import RequestFactory

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.auth_hooks import MemberAuditMenuItem

EXPECTED_CODENAMES = {
    "basic_access",
    "share_characters",
    "finder_access",
    "reports_access",
    "characters_access",
    "view_shared_characters",
    "view_same_corporation",
    "view_same_alliance",
    "view_everything",
}


@pytest.mark.django_db
def test_should_define_exactly_the_nine_permissions_in_general_category():
    permissions = Permission.objects.filter(content_type__app_label="memberaudit")
    assert {p.codename for p in permissions} == EXPECTED_CODENAMES
    assert {str(p.content_type) for p in permissions} == {"memberaudit | general"}


@pytest.mark.django_db
def test_should_show_menu_entry_only_with_basic_access():
    request = RequestFactory().get("/")
    request.user = AuthUtils.create_user("pilot")
    assert MemberAuditMenuItem().render(request) == ""

    request.user = AuthUtils.add_permission_to_user_by_name(
        "memberaudit.basic_access", request.user
    )
    assert "Member Audit" in MemberAuditMenuItem().render(request)


@pytest.mark.django_db
def test_should_name_menu_entry_after_setting(settings):
    settings.MEMBERAUDIT_APP_NAME = "Char Audit"
    request = RequestFactory().get("/")
    request.user = AuthUtils.add_permission_to_user_by_name(
        "memberaudit.basic_access", AuthUtils.create_user("pilot")
    )
    assert "Char Audit" in MemberAuditMenuItem().render(request)
