"""The large tables the pages fetch as JSON: their rows, columns, sorting and searching.

Each builder returns a :class:`memberaudit.tables.ServerSideTable` for one character (already
checked by :mod:`memberaudit.access`) or for the finder. Rows are plain data; the browser
renders them (``static/memberaudit/js/server-tables.js``), so nothing here builds HTML.
A viewer tab names its builders in :attr:`memberaudit.sections.ViewerTab.tables`. One module
per kind of data; this package gives every builder under its own name.
"""

from .access_log import access_log
from .assets import asset_children, asset_items, asset_locations, assets
from .characters import character_columns, finder
from .contacts import contacts, standings
from .contracts import contracts
from .finances import market_orders, wallet_journal, wallet_transactions
from .industry import blueprints, industry_jobs
from .intel import killmails, notifications
from .mails import mails

__all__ = [
    "access_log",
    "asset_children",
    "asset_items",
    "asset_locations",
    "assets",
    "blueprints",
    "character_columns",
    "contacts",
    "contracts",
    "finder",
    "industry_jobs",
    "killmails",
    "mails",
    "market_orders",
    "notifications",
    "standings",
    "wallet_journal",
    "wallet_transactions",
]
