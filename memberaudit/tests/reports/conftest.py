"""The world the report tests share: see ``scenario.py``."""

import pytest

from .scenario import add_skill_sets, build_scenario


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def skill_sets(scenario):
    return add_skill_sets(scenario)
