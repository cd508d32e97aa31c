"""URLs of the read API (:mod:`memberaudit.api`), included by the app's second URL hook.

They answer to tokens, not to the session: Alliance Auth must not wrap them in its
``main_character_required``, so the hook lists them as public views (see
:func:`public_views`), which Alliance Auth honours for apps in ``APPS_WITH_PUBLIC_VIEWS``.
"""

from .api import NAMESPACE, api

app_name = NAMESPACE

urlpatterns, _app_name, _namespace = api.urls


def public_views() -> list[str]:
    """The qualified names of the API's views, for the URL hook's ``excluded_views``."""
    return [pattern.lookup_str for pattern in urlpatterns]
