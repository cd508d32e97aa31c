"""Fixtures shared by the section tests."""

import pytest


@pytest.fixture
def fast_retries(monkeypatch):
    """No pause between retries of a failing ESI call."""
    from memberaudit import esi_gateway

    monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0)
