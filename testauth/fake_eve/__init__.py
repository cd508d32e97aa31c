"""A fake EVE Online SSO and ESI server for development, tests and benchmarks.

The server modules only use the standard library (plus PyJWT/cryptography for tokens);
Django integration lives in ``apps``, ``wiring``, ``tokens`` and ``pytest_plugin``.
"""

from .faults import Fault, FaultRegistry
from .scenario import DEFAULT_SCENARIO, Scenario, ScenarioError, load_scenario
from .server import FakeEveServer

__all__ = [
    "DEFAULT_SCENARIO",
    "FakeEveServer",
    "Fault",
    "FaultRegistry",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]
