"""Nothing lost, nothing stuck, with real Celery workers on MariaDB and a real Redis.

The heavy character (20,000 assets; its mails cut to 60 and contracts to 80, each a request of
its own) is updated by a worker that is killed in the middle (``kill -9``), whose database
connections are killed, or whose Redis restarts; then one periodic run must bring every section
to success with exactly ESI's rows, each stored once. A worker that lost its database
connections or its Redis carries out that run itself: it reconnected.

They take minutes in all and are not part of ``make test``: run them with ``make test-crash``
(MariaDB and a real Redis, which the Redis test restarts: the one ``TESTAUTH_REDIS_URL`` names).
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.core.cache import cache
from django.db import connection
from django.utils.dateparse import parse_datetime

from memberaudit import heartbeats, tasks
from memberaudit.models import CharacterContract, SectionUpdateStatus
from memberaudit.sections import registry

from .test_celery_worker import TESTAUTH_DIR, worker_environment

pytestmark = [
    pytest.mark.worker,
    pytest.mark.crash,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("celery-worker"),  # one broker: never two of these at once
    pytest.mark.timeout(1500),  # above three waits, and creating the test database
]

GWEN = 2112000002  # the heavy character
CENT = Decimal("0.01")
Status = CharacterContract.Status
BIG_SECTIONS = ["assets", "mails", "contracts"]
# A run of every section takes one to four minutes; the bound leaves room for a busy machine.
WAIT_SECONDS = 480


@pytest.fixture
def workers(fake_eve, tmp_path):
    """Start Celery worker processes with ``workers.start(name)``; all are stopped at the end.

    Each worker logs to a file of its own: a pipe nobody reads fills up and blocks the worker
    at its next log line.
    """
    from testauth.celery import app

    app.control.purge()
    # Task locks and heartbeats left by a test run that was itself killed must not skip work.
    cache.delete_pattern("qo_memberaudit.*")
    cache.delete_pattern(heartbeats._key("*", "*"))
    app.conf.task_always_eager = False  # these tests send their tasks to real workers
    started: list[tuple[subprocess.Popen, Path]] = []

    class Workers:
        def start(self, name: str) -> subprocess.Popen:
            log_path = tmp_path / f"worker-{name}-{len(started)}.log"
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
                        f"--hostname={name}@%h",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                    ],
                    cwd=TESTAUTH_DIR,
                    env=worker_environment(fake_eve),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                    preexec_fn=die_with_parent,
                )
            started.append((process, log_path))
            return process

    yield Workers()
    app.conf.task_always_eager = True
    for process, _log_path in started:
        if process.poll() is None:
            process.terminate()
    for process, log_path in started:
        try:
            process.wait(timeout=5)  # tasks still running are of no interest now
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(f"--- {log_path.name}")  # shown by pytest when the test fails
        print(log_path.read_text()[-3000:])
    app.control.purge()


def die_with_parent() -> None:
    """Have the kernel kill the worker when the test process dies, so that no worker of a run
    cut short (e.g. by pytest's timeout) takes tasks from the next one."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def wait_until(condition, seconds: float, message: str, processes=(), character=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            assert process.poll() is None, "a worker stopped"
        time.sleep(0.5)
    if character is not None:
        rows = statuses(character).values()
        message += ": " + ", ".join(
            f"{row.section}={'running' if row.is_in_progress else row.is_success}" for row in rows
        )
    pytest.fail(message)


OTHER_HEAVY_LISTS = (
    "killmails",
    "notifications",
    "wallet_journal",
    "wallet_transactions",
    "market_orders",
    "market_order_history",
    "industry_jobs",
    "blueprints",
    "mining_ledger",
)


@pytest.fixture
def heavy_character(make_character, fake_eve):
    """The heavy character with its 20,000 assets, its mails cut to 60, contracts to 80 and
    its other long lists to 50: each mail body, contract's items and killmail is a request of
    its own, and the big sections only need to be hit in the middle."""
    served = fake_eve.scenario.character(GWEN)
    smaller = {"mails": served["mails"][:60], "contracts": served["contracts"][:80]}
    # The other sections need not be heavy here: each killmail is a request of its own too.
    for key in OTHER_HEAVY_LISTS:
        if isinstance(served.get(key), list):
            smaller[key] = served[key][:50]
    fake_eve.scenario.update_character(GWEN, smaller)
    return make_character(GWEN)


def statuses(character) -> dict[str, SectionUpdateStatus]:
    return {row.section: row for row in SectionUpdateStatus.objects.filter(character=character)}


def big_sections_running(character, fake_eve) -> bool:
    """All three big sections are in the middle of their run, well into fetching."""
    rows = statuses(character)
    in_progress = all(name in rows and rows[name].is_in_progress for name in BIG_SECTIONS)
    return in_progress and all(fake_eve.log.count(route=route) >= 3 for route in SLOW_ROUTES)


def all_sections_succeeded(character) -> bool:
    rows = statuses(character)
    return len(rows) == len(registry) and all(
        row.is_success and not row.is_in_progress for row in rows.values()
    )


def assert_rows_equal_esi(character, fake_eve):
    """The big sections hold exactly ESI's rows, each once, field by field."""
    served = fake_eve.scenario.character(GWEN)
    assert stored_assets(character) == esi_assets(served["assets"])
    assert stored_mails(character) == esi_mails(served["mails"])
    assert stored_contracts(character) == esi_contracts(served["contracts"])


def stored_assets(character) -> list[tuple]:
    # the ship the character flies in space is stored beside ESI's asset list
    rows = character.assets.filter(is_active_ship_in_space=False).values_list(
        "item_id",
        "eve_type_id",
        "quantity",
        "location_flag",
        "is_singleton",
        "is_blueprint_copy",
        "parent__item_id",
        "location_id",
    )
    return sorted((*row[:6], row[6] or row[7]) for row in rows)


def esi_assets(assets: list[dict]) -> list[tuple]:
    return sorted(
        (
            item["item_id"],
            item["type_id"],
            item.get("quantity", 1),
            item.get("location_flag", ""),
            bool(item.get("is_singleton")),
            item.get("is_blueprint_copy"),
            item["location_id"],  # the item it is in, or the place
        )
        for item in assets
    )


def stored_mails(character) -> list[tuple]:
    mails = character.mails.prefetch_related("labels", "recipients")
    return sorted(
        (
            mail.mail_id,
            mail.from_id,
            mail.subject,
            mail.body,
            mail.timestamp,
            mail.is_read,
            sorted(label.label_id for label in mail.labels.all()),
            sorted(recipient.recipient_id for recipient in mail.recipients.all()),
        )
        for mail in mails
    )


def esi_mails(mails: list[dict]) -> list[tuple]:
    return sorted(
        (
            mail["mail_id"],
            mail["from"],
            mail.get("subject", ""),
            mail.get("body", ""),
            parse_datetime(str(mail["timestamp"])),
            mail.get("is_read", False),
            sorted(mail.get("labels", [])),
            sorted(recipient["recipient_id"] for recipient in mail.get("recipients", [])),
        )
        for mail in mails
        if not mail.get("deleted")  # ESI lists it but has no body for it anymore
    )


def stored_contracts(character) -> list[tuple]:
    contracts = character.contracts.prefetch_related("items")
    return sorted(
        (
            contract.contract_id,
            contract.status,
            contract.title,
            contract.date_issued,
            contract.price,
            sorted(
                (item.record_id, item.eve_type_id, item.quantity) for item in contract.items.all()
            ),
        )
        for contract in contracts
    )


def esi_contracts(contracts: list[dict]) -> list[tuple]:
    return sorted(
        (
            contract["contract_id"],
            # a status ESI's spec does not know (the scenario has some) is stored as unknown
            contract["status"] if contract["status"] in Status.values else Status.UNKNOWN,
            contract.get("title", ""),
            parse_datetime(str(contract["date_issued"])),
            None
            if contract.get("price") is None
            else Decimal(str(contract["price"])).quantize(CENT),
            sorted(
                (item["record_id"], item["type_id"], item["quantity"])
                for item in contract.get("items", [])
            )
            if contract["type"] != "courier"  # a courier contract's items are not asked for
            else [],
        )
        for contract in contracts
    )


# Each big section makes many of these requests: slowed down, the three runs overlap.
SLOW_ROUTES = (
    "GetCharactersCharacterIdAssets",
    "GetCharactersCharacterIdMailMailId",
    "GetCharactersCharacterIdContractsContractIdItems",
)


def slow_down_big_sections(fake_eve) -> list:
    """Every page, mail body and contract's items answer slowly: the runs are long enough to
    be hit in the middle."""
    return [fake_eve.faults.add(route=route, latency=0.4) for route in SLOW_ROUTES]


def start_big_sections(workers, character, fake_eve):
    slow = slow_down_big_sections(fake_eve)
    worker = workers.start("first")
    tasks.update_character_now(character, sections=BIG_SECTIONS)
    wait_until(
        lambda: big_sections_running(character, fake_eve),
        WAIT_SECONDS,
        "the big sections did not start",
        [worker],
        character,
    )
    return worker, slow


def periodic_run_brings_everything_back(character, fake_eve, worker):
    """One periodic run, carried out by ``worker`` alone, brings every section to success
    with exactly ESI's rows."""
    assert tasks.run_regular_updates() == 1
    wait_until(
        lambda: all_sections_succeeded(character),
        WAIT_SECONDS,
        "a periodic run did not bring every section to success",
        [worker],
        character,
    )
    assert_rows_equal_esi(character, fake_eve)


def wait_for_recorded_outcomes(character, worker, message: str):
    wait_until(
        lambda: not any(statuses(character)[name].is_in_progress for name in BIG_SECTIONS),
        WAIT_SECONDS,
        message,
        [worker],
        character,
    )


def test_should_update_every_section_after_a_worker_was_killed_in_the_middle(
    workers, heavy_character, fake_eve
):
    character = heavy_character
    worker, slow = start_big_sections(workers, character, fake_eve)

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)
    for fault in slow:
        fake_eve.faults.remove(fault.id)
    rows = statuses(character)
    assert all(rows[name].is_in_progress for name in BIG_SECTIONS)  # nobody will finish them
    # The dead worker's once-locks stay, as they would until the task time limit; its
    # heartbeats expire by themselves. Removing them stands in for that wait.
    for name in BIG_SECTIONS:
        assert cache.get(tasks._section_lock_key(character.pk, name)) is not None
        assert 0 < cache.ttl(heartbeats._key(character.pk, name)) <= heartbeats.HEARTBEAT_SECONDS
    cache.delete_many([heartbeats._key(character.pk, name) for name in BIG_SECTIONS])

    periodic_run_brings_everything_back(character, fake_eve, workers.start("second"))


def test_should_record_and_recover_when_database_connections_are_killed(
    workers, heavy_character, fake_eve
):
    character = heavy_character
    worker, slow = start_big_sections(workers, character, fake_eve)

    killed = kill_other_database_connections()
    for fault in slow:
        fake_eve.faults.remove(fault.id)

    assert killed >= 1
    wait_for_recorded_outcomes(
        character, worker, "the runs whose connections were killed did not record their outcome"
    )
    # the same worker, on new connections
    periodic_run_brings_everything_back(character, fake_eve, worker)


def test_should_recover_after_redis_restarts_in_the_middle(workers, heavy_character, fake_eve):
    character = heavy_character
    worker, slow = start_big_sections(workers, character, fake_eve)

    restart_redis()
    for fault in slow:
        fake_eve.faults.remove(fault.id)

    wait_for_recorded_outcomes(
        character, worker, "the runs did not record their outcome after Redis restarted"
    )
    # the same worker, reconnected to the broker and the cache
    periodic_run_brings_everything_back(character, fake_eve, worker)


def test_should_do_no_work_twice_with_two_workers_and_repeated_periodic_runs(
    workers, heavy_character, fake_eve
):
    character = heavy_character
    first, second = workers.start("first"), workers.start("second")

    queued = [tasks.run_regular_updates() for _ in range(3)]
    wait_until(
        lambda: all_sections_succeeded(character),
        WAIT_SECONDS,
        "the periodic runs did not update every section",
        [first, second],
        character,
    )
    queued.append(tasks.run_regular_updates())  # nothing is stale anymore

    assert queued[0] == 1 and queued[-1] == 0
    for route in (
        "GetCharactersCharacterIdWallet",
        "GetCharactersCharacterIdSkills",
        "GetCharactersCharacterIdContracts",
    ):
        assert fake_eve.log.count(route=route) == 1, route
    assert_rows_equal_esi(character, fake_eve)


def kill_other_database_connections() -> int:
    """Kill every connection to the test database but this one: what a database restart or a
    proxy dropping idle connections does to a worker."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM information_schema.processlist WHERE db = %s AND id != CONNECTION_ID()",
            [connection.settings_dict["NAME"]],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for connection_id in ids:
            with contextlib.suppress(Exception):  # it may have ended by itself meanwhile
                cursor.execute(f"KILL CONNECTION {int(connection_id)}")
    return len(ids)


def restart_redis() -> None:
    """Restart the Redis named by ``TESTAUTH_REDIS_URL`` (never another one): everything in it
    is gone, as after a real restart of a Redis that keeps nothing on disk."""
    url = urlsplit(os.environ["TESTAUTH_REDIS_URL"])
    host, port = url.hostname or "127.0.0.1", str(url.port or 6379)
    cli = ["redis-cli", "-h", host, "-p", port]
    subprocess.run([*cli, "shutdown", "nosave"], capture_output=True, check=False)
    wait_for_redis(cli, answering=False)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            host,
            "--port",
            port,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    wait_for_redis(cli, answering=True)


def wait_for_redis(cli: list[str], answering: bool) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ping = subprocess.run([*cli, "ping"], capture_output=True, text=True)
        if (ping.stdout.strip() == "PONG") == answering:
            return
        time.sleep(0.1)
    pytest.fail(f"Redis did not {'come back' if answering else 'stop'}")
