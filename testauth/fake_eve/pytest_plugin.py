"""pytest fixtures for the fake EVE server (load with ``-p fake_eve.pytest_plugin``).

- ``fake_eve_server``: one server per session on a free port; django-esi is pointed at it
  when Django is configured.
- ``fake_eve``: the same server, reset (faults, request log, revocations, scenario edits,
  limits) before the test.
- ``fake_eve_scenario``: the scenario path; override it in a conftest for another scenario.
"""

from __future__ import annotations

import pytest

from .__main__ import find_spec_file
from .scenario import DEFAULT_SCENARIO
from .server import FakeEveServer


def _django_configured() -> bool:
    try:
        from django.conf import settings
    except ImportError:
        return False
    return settings.configured


@pytest.fixture(scope="session")
def fake_eve_scenario():
    return DEFAULT_SCENARIO


@pytest.fixture(scope="session")
def fake_eve_server(fake_eve_scenario):
    server = FakeEveServer(fake_eve_scenario, spec_file=find_spec_file()).start()
    if _django_configured():
        from .wiring import point_esi_at

        point_esi_at(server.base_url)
    yield server
    server.stop()


@pytest.fixture
def fake_eve(fake_eve_server):
    fake_eve_server.reset(resolve_times=True)
    return fake_eve_server
