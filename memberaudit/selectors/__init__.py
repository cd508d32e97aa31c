"""Read-only queries behind the pages: what a user sees, in a bounded number of queries.

Every function here costs a constant number of queries, however many characters or rows
there are. Access is never decided here: callers pass querysets from :mod:`memberaudit.access`.
One module per page or group of tabs; this package names what the views and sections use.
"""

from .finder import finder_filter_options, finder_rows
from .industry_tabs import industry_jobs_tab, mining_ledger_tab, planets_tab
from .intel_tabs import (
    calendar_tab,
    character_killmail,
    contact_notifications_tab,
    killmails_tab,
    notifications_tab,
)
from .launcher import (
    access_log_entries,
    launcher_cards,
    launcher_characters,
    share_views,
    unregistered_characters,
)
from .tabs import (
    assets_tab,
    character_contracts,
    character_details_tab,
    character_mails,
    contacts_tab,
    contracts_tab,
    corporation_history_tab,
    implants_tab,
    jump_clones_tab,
    loyalty_tab,
    mails_tab,
    skill_queue_tab,
    skills_tab,
)
from .viewer import (
    section_status,
    viewer_page,
    viewer_tab,
)

__all__ = [
    "access_log_entries",
    "assets_tab",
    "calendar_tab",
    "character_contracts",
    "character_details_tab",
    "character_killmail",
    "character_mails",
    "contact_notifications_tab",
    "contacts_tab",
    "contracts_tab",
    "corporation_history_tab",
    "finder_filter_options",
    "finder_rows",
    "implants_tab",
    "industry_jobs_tab",
    "jump_clones_tab",
    "killmails_tab",
    "launcher_cards",
    "launcher_characters",
    "loyalty_tab",
    "mails_tab",
    "mining_ledger_tab",
    "notifications_tab",
    "planets_tab",
    "section_status",
    "share_views",
    "skill_queue_tab",
    "skills_tab",
    "unregistered_characters",
    "viewer_page",
    "viewer_tab",
]
