import pytest

from fake_eve import FakeEveServer


@pytest.fixture(scope="module")
def server():
    """A private server per test module (the plugin's session server is for Django tests)."""
    with FakeEveServer() as srv:
        yield srv


@pytest.fixture
def srv(server):
    server.reset()
    return server


def pytest_ignore_collect(collection_path, config):
    """The Django tests need pytest-django; the rest also runs with ``-p no:django``."""
    if collection_path.name == "test_django_wiring.py":
        return not config.pluginmanager.hasplugin("django") or None
    return None
