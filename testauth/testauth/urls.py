from django.urls import include, path

from allianceauth import urls

from memberaudit.views import sso

urlpatterns = [
    # Before Auth's own: django-esi's callback fails with a 500 when there is no session.
    path("sso/callback/", sso.receive_callback),
    path("", include(urls)),
]

handler500 = "allianceauth.views.Generic500Redirect"
handler404 = "allianceauth.views.Generic404Redirect"
handler403 = "allianceauth.views.Generic403Redirect"
handler400 = "allianceauth.views.Generic400Redirect"
