"""The Changes tab: not a section, a viewer page over the change events all sections record."""

from django.utils.translation import gettext_lazy as _

from .. import red_flags
from .base import NavGroup, ViewerPage, ViewerTab, registry

registry.register_page(
    ViewerPage(
        name="changes",
        title=_("changes"),
        tab=ViewerTab(
            group=NavGroup.INTEL,
            title=_("Changes"),
            template="memberaudit/tabs/changes.html",
            context=red_flags.changes_tab,
            tables={"changes": red_flags.changes_table},
        ),
    )
)
