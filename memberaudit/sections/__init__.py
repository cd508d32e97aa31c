"""Every section of character data, each declared once in its own module.

Importing this package registers all sections, in the order the viewer shows them.
"""

from .base import (
    NavGroup,
    OverviewPart,
    Section,
    SectionRegistry,
    ViewerPage,
    ViewerTab,
    registry,
)

# Each module registers its section(s) with ``registry`` on import.
from . import (  # noqa: E402, F401  isort: skip
    location,
    online_status,
    ship,
    character_details,
    corporation_history,
    attributes,
    corporation_roles,
    titles,
    medals,
    jump_fatigue,
    implants,
    jump_clones,
    loyalty,
    skill_queue,
    skills,
    skill_sets,
    wallet_balance,
    wallet_journal,
    wallet_transactions,
    market_orders,
    contacts,
    standings,
    faction_warfare,
    contracts,
    mails,
    assets,
    research_agents,
    killmails,
    notifications,
    contact_notifications,
    calendar,
    blueprints,
    industry_jobs,
    mining_ledger,
    planets,
    changes,
)

__all__ = [
    "NavGroup",
    "OverviewPart",
    "Section",
    "SectionRegistry",
    "ViewerPage",
    "ViewerTab",
    "registry",
]
