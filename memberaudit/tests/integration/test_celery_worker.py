"""A real Celery worker registers and updates a character from the fake EVE server.

Needs the production-like parts: a real Redis (``TESTAUTH_REDIS_URL``) as broker and MariaDB,
whose test database the worker process opens too (run by the MariaDB half of ``make test``).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from django.conf import settings
from django.db import connection
from django.urls import reverse

from fake_eve.sso_flow import follow_sso
from memberaudit.models import Character, CharacterWalletBalance, SectionUpdateStatus
from memberaudit.sections import registry
from memberaudit.tests.factories import create_user_with_main

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery-worker"),  # one broker: never two worker tests at once
]

ARIA = 90000001
TESTAUTH_DIR = Path(settings.BASE_DIR)


def worker_environment(fake_eve) -> dict:
    if not os.environ.get("TESTAUTH_REDIS_URL"):
        pytest.fail(
            "This test needs a real Redis: set TESTAUTH_REDIS_URL (see docs/development.md)"
        )
    env = {
        **os.environ,
        "FAKE_EVE_URL": fake_eve.base_url,
        "PYTHONPATH": os.pathsep.join([str(TESTAUTH_DIR.parent), str(TESTAUTH_DIR)]),
    }
    if connection.vendor != "mysql":
        pytest.fail("This test needs MariaDB: set TESTAUTH_DATABASE=mysql")
    env["TESTAUTH_MYSQL_NAME"] = connection.settings_dict["NAME"]
    return env


@pytest.fixture
def celery_worker_process(fake_eve, tmp_path):
    from testauth.celery import app

    app.control.purge()
    app.conf.task_always_eager = False  # this test sends its tasks to the real worker
    # A file, not a pipe: a pipe nobody reads fills up and blocks the worker at its next log line.
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "testauth",
                "worker",
                "--pool=threads",
                "--concurrency=4",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=TESTAUTH_DIR,
            env=worker_environment(fake_eve),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    yield process
    app.conf.task_always_eager = True
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    print(log_path.read_text()[-5000:])  # shown by pytest when the test fails


def test_should_register_and_update_character_with_a_real_worker(
    client, fake_eve, celery_worker_process
):
    user = create_user_with_main("aria_owner")
    client.force_login(user)

    follow_sso(client, reverse("memberaudit:register_character"), ARIA)

    character = Character.objects.get(eve_character__character_id=ARIA)
    deadline = time.monotonic() + 90
    finished = 0
    while time.monotonic() < deadline:
        finished = SectionUpdateStatus.objects.filter(
            character=character, finished_at__isnull=False
        ).count()
        if finished == len(registry):
            break
        assert celery_worker_process.poll() is None, "the worker stopped"
        time.sleep(0.5)
    assert finished == len(registry), "the worker did not update every section in time"
    assert CharacterWalletBalance.objects.filter(character=character).exists()
    failed = SectionUpdateStatus.objects.filter(character=character, is_success=False)
    assert list(failed.values_list("section", "error_message")) == []
    assert fake_eve.log.count(route="GetCharactersCharacterIdWallet") >= 1
