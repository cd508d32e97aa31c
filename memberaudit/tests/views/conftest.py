"""Fixtures for the page tests: pilots whose characters are loaded from the fake EVE server."""

import pytest

from memberaudit import updater

ARIA = 90000001  # docked in Jita, training, everything filled in
BRUNO = 90000002  # same alliance as Aria, other corporation
DAX = 90000004  # paused skill queue

VIEWER_SECTIONS = (
    "location",
    "online_status",
    "ship",
    "character_details",
    "corporation_history",
    "implants",
    "jump_clones",
    "loyalty",
    "skill_queue",
    "skills",
    "wallet_balance",
    "wallet_journal",
    "contacts",
)


@pytest.fixture
def load_sections():
    """``load_sections(character, *names)`` loads sections from the fake server (default: all
    sections the launcher and the viewer show) and fails on any unsuccessful update."""

    def load(character, *names):
        for name in names or VIEWER_SECTIONS:
            outcome = updater.update_section(character, name)
            assert outcome.is_success, f"{name}: {outcome.message}"
        return character

    return load


@pytest.fixture
def aria(make_character, load_sections):
    return load_sections(make_character(ARIA))
