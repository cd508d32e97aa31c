"""Every scope a section needs is asked for at registration and listed for site admins."""

import json
import re
from pathlib import Path

from memberaudit.esi_client import SPEC_FILE
from memberaudit.scopes import REGISTRATION_SCOPES
from memberaudit.sections import registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "installation.md"


def test_should_ask_at_registration_for_every_scope_a_section_needs():
    missing = {
        section.name: scope
        for section in registry
        for scope in section.scopes
        if scope not in REGISTRATION_SCOPES
    }

    assert missing == {}


def test_should_list_the_registration_scopes_in_the_installation_guide():
    block = DOCS.read_text(encoding="utf-8").split("## 4.")[1].split("```")[1]

    assert set(re.findall(r"esi-[\w.-]+\.v\d", block)) == set(REGISTRATION_SCOPES)


# Sections with one ESI route each, whose scope is the route's scope. (Location and assets
# also look up structures, which they do without failing when that scope is missing.)
SINGLE_ROUTE_SECTIONS = (
    "attributes",
    "corporation_roles",
    "titles",
    "medals",
    "standings",
    "faction_warfare",
    "jump_fatigue",
    "research_agents",
)


def test_should_declare_the_scope_esi_requires_for_each_operation():
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    required = {
        operation["operationId"]: {
            scope for entry in operation.get("security", []) for scope in entry.get("OAuth2", [])
        }
        for path in spec["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }

    for name in SINGLE_ROUTE_SECTIONS:
        section = registry.get(name)
        (operation_id,) = section.operations
        assert set(section.scopes) == required[operation_id], name
