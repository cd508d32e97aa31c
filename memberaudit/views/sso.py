"""EVE SSO's return to the site, without a server error when the session is gone.

django-esi's callback view (``/sso/callback/``, used by Alliance Auth's login and by every
``token_required`` view such as registering a character) reads the request's session key and
fails with a server error when there is none: a browser that blocks cookies, a login
finished in another browser, or a session that expired while the pilot was on EVE's login
page. :func:`receive_callback` answers those with a clear message (400) and hands every
other request to django-esi unchanged. Projects mount it before Alliance Auth's URLs (see
``docs/operations.md``).
"""

import logging

from django.shortcuts import render
from django.utils.translation import gettext as _

from esi import views as esi_views

logger = logging.getLogger(__name__)


def receive_callback(request):
    """django-esi's SSO callback, or a clear 400 when the request has no session."""
    if not request.session.session_key:
        logger.info("EVE SSO callback without a session: cookies blocked or session expired")
        context = {
            "error_title": _("Your login session was not found"),
            "error_message": _(
                "EVE SSO sent you back, but this browser no longer has the session that "
                "started the login: cookies may be blocked for this site, the session may "
                "have expired, or the login was finished in another browser. Allow cookies "
                "for this site and start again."
            ),
        }
        return render(request, "allianceauth/error.html", context, status=400)
    return esi_views.receive_callback(request)
