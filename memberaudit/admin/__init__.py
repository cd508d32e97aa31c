"""Django admin of Member Audit, one module per kind of data: characters with their update
status, the access log, API tokens, locations, skill sets, killmails, compliance groups and
the watchlist. Importing the package registers them all."""

from . import (
    access_log,
    api_tokens,
    characters,
    compliance,
    killmails,
    locations,
    skill_sets,
    watchlist,
)
from .characters import CharacterAdmin

__all__ = [
    "CharacterAdmin",
    "access_log",
    "api_tokens",
    "characters",
    "compliance",
    "killmails",
    "locations",
    "skill_sets",
    "watchlist",
]
