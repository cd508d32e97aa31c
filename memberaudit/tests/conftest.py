"""Fixtures shared by Member Audit's tests."""

import pytest

from django.core.cache import cache
from django.db import OperationalError
from django.db.models import QuerySet

from allianceauth.authentication.models import CharacterOwnership
from allianceauth.eveonline.models import EveCharacter

from fake_eve.tokens import create_token
from memberaudit.models import Character
from memberaudit.scopes import REGISTRATION_SCOPES

from .factories import create_character, create_user


@pytest.fixture(autouse=True, scope="session")
def run_tasks_eagerly():
    """Tasks run in the test process, whichever broker is configured.

    The one test with a real Celery worker switches this off for itself.
    """
    from testauth.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def clear_cache():
    """Start every test with an empty cache: no ESI answers, ETags or locks of other tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    """Keep the retry logic but not its waiting: tests would spend most time asleep."""
    from esi import app_settings as esi_settings

    from memberaudit import esi_gateway

    monkeypatch.setattr(esi_gateway, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(esi_settings, "ESI_SERVER_ERROR_WAIT_EXPONENT", 0.01)


@pytest.fixture(autouse=True)
def no_waiting_for_the_error_limit(monkeypatch):
    """A section fails at once while ESI's error limit pauses calls, unless a test that is
    about the wait allows it (``updater.ERROR_LIMIT_MAX_WAIT_SECONDS``)."""
    from memberaudit import updater

    monkeypatch.setattr(updater, "ERROR_LIMIT_MAX_WAIT_SECONDS", 0)


@pytest.fixture
def character(db) -> Character:
    """A registered character of a user of its own, without data (modules that need another
    one define their own)."""
    return create_character()


@pytest.fixture
def make_character(fake_eve, db):
    """Register a scenario character the way a pilot does: a real token from the fake SSO.

    ``make_character(character_id, user=None, scopes=None)`` returns the ``Character``; the
    owner is ``user`` (a new user with ``basic_access`` when not given), whose main it
    becomes if the user has none.
    """

    def factory(character_id: int, user=None, scopes=None) -> Character:
        user = user or create_user()
        create_token(fake_eve, character_id, user, list(scopes or REGISTRATION_SCOPES))
        eve_character = EveCharacter.objects.get(character_id=character_id)
        assert CharacterOwnership.objects.filter(character=eve_character, user=user).exists()
        if user.profile.main_character is None:
            user.profile.main_character = eve_character
            user.profile.save()
        character, _ = Character.objects.get_or_create(eve_character=eve_character)
        return character

    return factory


@pytest.fixture
def drop_connection_once(monkeypatch):
    """Make the first ``QuerySet.update`` of a model whose fields pass a test meet a
    connection the database server dropped, as MariaDB's "server has gone away" does.

    ``drop_connection_once(model, is_the_write)`` takes the model and a test of the update's
    keyword arguments; it returns a list that gets the arguments of the failed write.
    """
    real_update = QuerySet.update

    def drop(model, is_the_write) -> list[dict]:
        failures = []

        def update(queryset, **kwargs):
            if queryset.model is model and is_the_write(kwargs) and not failures:
                failures.append(kwargs)
                raise OperationalError(2006, "Server has gone away")
            return real_update(queryset, **kwargs)

        monkeypatch.setattr(QuerySet, "update", update)
        return failures

    return drop
