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
    "view_access_log",
    "view_esi_budget",
    "api_access",
    "exports_access",
    "receive_red_flags",
}
# Compliance groups and the watchlist are kept in the admin with Django's model permissions.
DESIGNATION_CODENAMES = {
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("compliancegroupdesignation", "watchedentity")
}


@pytest.mark.django_db
def test_should_define_the_feature_permissions_in_general_and_no_other_model_permissions():
    permissions = Permission.objects.filter(content_type__app_label="memberaudit")
    general = {p.codename for p in permissions if p.content_type.model == "general"}
    others = {p.codename for p in permissions if p.content_type.model != "general"}
    assert general == EXPECTED_CODENAMES
    assert others <= DESIGNATION_CODENAMES


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
