from django.db import models
from django.utils.translation import gettext_lazy as _


class General(models.Model):
    """A model without a table that holds the app's permissions."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("general")
        permissions = (
            ("basic_access", _("Can access this app and register and view own characters")),
            ("share_characters", _("Can share his/her characters")),
            ("finder_access", _("Can access character finder feature")),
            ("reports_access", _("Can access reports feature")),
            ("characters_access", _("Can view characters owned by others")),
            ("view_shared_characters", _("Can view shared characters")),
            ("view_same_corporation", _("Can view corporation characters")),
            ("view_same_alliance", _("Can view alliance characters")),
            ("view_everything", _("Can view all characters")),
            ("view_access_log", _("Can view who opened which character")),
            ("api_access", _("Can read characters through the API with personal tokens")),
            ("exports_access", _("Can export data of the characters he/she may access")),
            ("view_esi_budget", _("Can view how the app uses its ESI budget")),
            ("receive_red_flags", _("Can receive the daily digest of red flags")),
        )

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
