"""Point django-esi (and every ESI client built from a spec file) at a fake EVE server.

For development and tests only. Needs Django settings to be configured.
"""

from __future__ import annotations

import gc
import logging

from aiopenapi3.plugin import Document

logger = logging.getLogger(__name__)

_state = {"base_url": None, "patched": False}


class RewriteServers(Document):
    """aiopenapi3 document plugin: send every request of a client to the fake server."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def parsed(self, ctx: Document.Context) -> Document.Context:
        ctx.document["servers"] = [{"url": self.base_url}]
        return ctx


def _patch_load_plugins() -> None:
    from esi import openapi_clients

    if _state["patched"]:
        return
    original = openapi_clients._load_plugins

    def load_plugins(*args, **kwargs):
        plugins = original(*args, **kwargs)
        if _state["base_url"]:
            plugins.append(RewriteServers(_state["base_url"]))
        return plugins

    load_plugins.fake_eve_original = original
    openapi_clients._load_plugins = load_plugins
    _state["patched"] = True


def _patch_client_sessions() -> None:
    """Let every ESI client reuse its HTTP connections (as Member Audit's own client does).

    Otherwise each request of eveuniverse's client sets up a new HTTP client, which makes
    tests that load EVE types and systems over HTTP slow.
    """
    from esi import openapi_clients

    from memberaudit.esi_gateway import reuse_sessions

    if _state.get("sessions_patched"):
        return
    original = openapi_clients._load_aiopenapi_client_sync

    def load_client(*args, **kwargs):
        api = original(*args, **kwargs)
        reuse_sessions(api)
        return api

    openapi_clients._load_aiopenapi_client_sync = load_client
    _state["sessions_patched"] = True


def reset_esi_clients() -> int:
    """Drop already built clients of all ESIClientProvider instances; they rebuild lazily."""
    from esi.openapi_clients import ESIClientProvider

    count = 0
    for obj in gc.get_objects():
        # type(), not isinstance(): isinstance() reads obj.__class__, which makes a Django lazy
        # object evaluate itself (e.g. a test client's resolver_match, raising Resolver404).
        if issubclass(type(obj), ESIClientProvider):
            if obj.__dict__.get("_client") is not None:
                count += 1
            obj._client = None
            obj._client_async = None
    return count


def point_esi_at(base_url: str) -> None:
    """Make django-esi use the fake server for SSO, JWKS, the spec and all ESI calls."""
    from esi import app_settings, sso

    base_url = base_url.rstrip("/")
    app_settings.ESI_API_URL = f"{base_url}/"
    app_settings.ESI_OAUTH_URL = f"{base_url}/v2/oauth"
    app_settings.ESI_OAUTH_LOGIN_URL = f"{base_url}/v2/oauth/authorize/"
    app_settings.ESI_TOKEN_URL = f"{base_url}/v2/oauth/token"
    app_settings.ESI_TOKEN_JWK_SET_URL = f"{base_url}/oauth/jwks"
    _state["base_url"] = base_url
    _patch_load_plugins()
    _patch_client_sessions()
    reset_esi_clients()
    try:  # keys of a previous fake server must not be used to validate new tokens
        from django.core.cache import cache

        cache.delete(sso.JWKS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - no cache reachable yet is fine
        logger.debug("could not clear the cached JWKS", exc_info=True)
    logger.info("django-esi now talks to the fake EVE server at %s", base_url)


def current_base_url() -> str | None:
    return _state["base_url"]


IMAGE_SERVER_MODULES = (
    "allianceauth.eveonline.evelinks.eveimageserver",
    "eveuniverse.core.eveimageserver",
)


def point_images_at(images_url: str) -> None:
    """Make Alliance Auth's and eveuniverse's image URLs (the Auth menu's portrait and logos,
    ``EveType.icon_url``) use ``images_url``, e.g. the fake server's ``/images``.

    Member Audit itself reads ``MEMBERAUDIT_IMAGE_SERVER_URL``; these libraries have no
    setting, so the dev project changes their constant.
    """
    import importlib

    for name in IMAGE_SERVER_MODULES:
        module = importlib.import_module(name)
        module._EVE_IMAGE_SERVER_URL = images_url.rstrip("/")
