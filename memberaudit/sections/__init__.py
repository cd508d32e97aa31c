"""Every section of character data, each declared once in its own module.

Importing this package registers all sections, in the order the viewer shows them.
"""

from .base import Section, SectionRegistry, ViewerTab, registry

# Each module registers its section(s) with ``registry`` on import.
from . import (  # noqa: E402, F401  isort: skip
    location,
    online_status,
    ship,
    character_details,
    corporation_history,
    implants,
    jump_clones,
    loyalty,
    skill_queue,
    skills,
    skill_sets,
    wallet_balance,
    wallet_journal,
    contacts,
    contracts,
    mails,
    assets,
)

__all__ = ["Section", "SectionRegistry", "ViewerTab", "registry"]
