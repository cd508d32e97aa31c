"""Alliance Auth hooks: the sidebar entry, the app's URLs and the read API's URLs."""

from django.utils.translation import gettext_lazy as _

from allianceauth import hooks
from allianceauth.services.hooks import MenuItemHook, UrlHook

from . import api_urls, app_settings, urls


class MemberAuditMenuItem(MenuItemHook):
    """Sidebar entry, shown only to users with ``basic_access``."""

    def __init__(self):
        super().__init__(
            _(app_settings.MEMBERAUDIT_APP_NAME),
            "fas fa-id-card fa-fw",
            "memberaudit:index",
            navactive=["memberaudit:"],
        )

    def render(self, request):
        if request.user.has_perm("memberaudit.basic_access"):
            return super().render(request)
        return ""


@hooks.register("menu_item_hook")
def register_menu():
    return MemberAuditMenuItem()


@hooks.register("url_hook")
def register_urls():
    return UrlHook(urls, "memberaudit", r"^member-audit/")


@hooks.register("url_hook")
def register_api_urls():
    """The read API answers to tokens, not sessions: its views are public to Alliance Auth
    (with ``memberaudit_api`` in ``APPS_WITH_PUBLIC_VIEWS``) and check the token themselves."""
    return UrlHook(
        api_urls, api_urls.app_name, r"^member-audit/api/", excluded_views=api_urls.public_views()
    )
