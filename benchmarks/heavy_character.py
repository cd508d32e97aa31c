"""Benchmark: first full update and no-change second update of the heavy scenario character.

Runs the real update path against the fake EVE server (a separate process, over HTTP) on a
fresh SQLite database and prints, per section, the wall time, ESI requests (and how many were
answered 304), database queries and writes, and peak Python memory.

    .venv/bin/python benchmarks/heavy_character.py [--character 2112000002] [--markdown]
        [--latency MS]
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTAUTH = ROOT / "testauth"
HEAVY_CHARACTER = 2112000002
WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_fake_eve(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTAUTH)])}
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_eve", "--port", str(port)],
        cwd=TESTAUTH,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_fake/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the fake EVE server did not start")


def esi_requests(base_url: str, character_id: int) -> list[dict]:
    url = f"{base_url}/_fake/requests?character_id={character_id}&kind=esi"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)["entries"]


def all_esi_requests(base_url: str) -> int:
    """ESI requests so far, of every character and public ones (killmail details, EVE types,
    names), as the fake server counted them."""
    with urllib.request.urlopen(f"{base_url}/_fake/requests?kind=esi", timeout=30) as response:
        return json.load(response)["count"]


def killmail_detail_paths(base_url: str) -> list[str]:
    """Paths of the public killmail detail requests so far (they carry no character)."""
    url = f"{base_url}/_fake/requests?route=GetKillmailsKillmailIdKillmailHash&kind=esi"
    with urllib.request.urlopen(url, timeout=10) as response:
        return [entry["path"] for entry in json.load(response)["entries"]]


def setup_django(base_url: str, database: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "testauth.settings.local"
    os.environ["TESTAUTH_SQLITE_PATH"] = str(database)
    os.environ["FAKE_EVE_URL"] = base_url
    os.environ.setdefault("TESTAUTH_LOG_LEVEL", "ERROR")
    sys.path[:0] = [str(ROOT), str(TESTAUTH)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def register_heavy_character(base_url: str, character_id: int):
    from fake_eve.tokens import create_token
    from memberaudit.models import Character
    from memberaudit.scopes import REGISTRATION_SCOPES
    from memberaudit.tests.factories import create_user_with_main

    user = create_user_with_main("benchmark")
    token = create_token(base_url, character_id, user, list(REGISTRATION_SCOPES))
    from allianceauth.eveonline.models import EveCharacter

    eve_character = EveCharacter.objects.get(character_id=token.character_id)
    return Character.objects.create(eve_character=eve_character)


def run_update(
    character, base_url: str, character_id: int, force_expiry: bool, trace_memory: bool = True
) -> list[dict]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from memberaudit import updater
    from memberaudit.sections import registry

    rows = []
    for section in registry:
        if force_expiry:
            cache.delete_pattern("esi_*")  # ESI's cached answers expired: ask with ETags
        before = len(esi_requests(base_url, character_id))
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            outcome = updater.update_section(character, section.name)
        elapsed = time.perf_counter() - started
        peak = None
        if trace_memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        requests = esi_requests(base_url, character_id)[before:]
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(WRITE_PREFIXES)
            and "memberaudit_sectionupdatestatus" not in q["sql"]
        ]
        rows.append(
            {
                "section": section.name,
                "ok": outcome.is_success,
                "message": outcome.message,
                "seconds": elapsed,
                "requests": len(requests),
                "not_modified": sum(1 for r in requests if r["status"] == 304),
                "urls": len({(r["method"], r["path"], r["page"]) for r in requests}),
                "queries": len(queries.captured_queries),
                "writes": len(writes),
                "peak_mb": None if peak is None else peak / 2**20,
            }
        )
    return rows


def catch_up_rate_limited_work(character, base_url: str, latency: float) -> tuple[int, int]:
    """Let the contracts section load the items it left for later runs.

    ESI allows a character about 300 contract answers per 15 minutes, so the items of a
    character with hundreds of contracts arrive over several update cycles. Here the time
    between cycles is skipped: the rate limit windows of the fake server and of django-esi
    are reset before each run. Returns the number of runs it took and their ESI requests.
    """
    from django.core.cache import cache

    from memberaudit import updater
    from memberaudit.models import CharacterContract
    from memberaudit.sections.contracts import _needs_items

    def missing_items() -> int:
        return sum(
            1
            for contract in CharacterContract.objects.filter(
                character=character, items_fetched=False
            ).values("contract_type")
            if _needs_items(contract)
        )

    runs = requests = 0
    while missing_items() and runs < 10:
        request = urllib.request.Request(f"{base_url}/_fake/reset", method="POST")
        urllib.request.urlopen(request, timeout=10)
        if latency:
            add_latency(base_url, latency)  # the reset removed it
        cache.delete_pattern("esi:bucket:*")
        updater.update_section(character, "contracts")
        requests += all_esi_requests(base_url)  # the reset cleared the server's log
        runs += 1
    request = urllib.request.Request(f"{base_url}/_fake/reset", method="POST")
    urllib.request.urlopen(request, timeout=10)
    cache.delete_pattern("esi:bucket:*")
    return runs, requests


def _megabytes(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_table(title: str, rows: list[dict], markdown: bool) -> None:
    header = [
        "section",
        "ok",
        "seconds",
        "ESI requests",
        "304",
        "DB queries",
        "DB writes",
        "peak MB",
    ]
    lines = [
        [
            r["section"],
            "yes" if r["ok"] else "NO",
            f"{r['seconds']:.2f}",
            str(r["requests"]),
            str(r["not_modified"]),
            str(r["queries"]),
            str(r["writes"]),
            _megabytes(r["peak_mb"]),
        ]
        for r in rows
    ]
    total = [
        "total",
        "",
        f"{sum(r['seconds'] for r in rows):.2f}",
        str(sum(r["requests"] for r in rows)),
        str(sum(r["not_modified"] for r in rows)),
        str(sum(r["queries"] for r in rows)),
        str(sum(r["writes"] for r in rows)),
        _megabytes(max((r["peak_mb"] for r in rows if r["peak_mb"] is not None), default=None)),
    ]
    print(f"\n{title}\n")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in [*lines, total]:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(x) for x in column) for column in zip(header, *lines, total, strict=True)]
        for line in [header, *lines, total]:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    for row in rows:
        if not row["ok"]:
            print(f"  {row['section']} failed: {row['message']}")


def add_latency(base_url: str, seconds: float) -> None:
    """Every answer of the fake EVE server from now on waits ``seconds``."""
    request = urllib.request.Request(
        f"{base_url}/_fake/faults",
        data=json.dumps({"route": "*", "latency": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).read()


def in_flight() -> int:
    """How many ESI requests the app sends at once (its concurrency limit)."""
    from memberaudit.esi_limits import MAX_REQUESTS_IN_FLIGHT

    return MAX_REQUESTS_IN_FLIGHT


def latency_bound(latency_ms: float, requests: int) -> float:
    """Seconds the first sync would take if ESI's latency were all: every request waits
    ``latency_ms``, up to ``in_flight()`` of them at once."""
    return requests / in_flight() * latency_ms / 1000


def print_latency_target(latency_ms: float, seconds: float, requests: int) -> None:
    """The first sync against what ESI's latency alone would allow."""
    print(
        f"First sync with catch-up: {seconds:.1f} s for {requests} ESI requests in all "
        "(public ones included)"
    )
    if latency_ms:
        bound = latency_bound(latency_ms, requests)
        print(
            f"  latency bound: {requests} requests / {in_flight()} in flight x "
            f"{latency_ms:.0f} ms = {bound:.1f} s; took {seconds / bound:.2f}x that"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--character", type=int, default=HEAVY_CHARACTER)
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="milliseconds the fake EVE server waits before each answer, as ESI over a network",
    )
    parser.add_argument(
        "--no-trace",
        action="store_true",
        help="do not trace Python's memory per section: tracing doubles the CPU time of the "
        "updates, so latency runs are timed without it",
    )
    args = parser.parse_args()
    trace_memory = not args.no_trace

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_fake_eve(port)
    try:
        with tempfile.TemporaryDirectory() as folder:
            setup_django(base_url, Path(folder) / "benchmark.sqlite3")
            character = register_heavy_character(base_url, args.character)
            if args.latency:
                add_latency(base_url, args.latency / 1000)
            requests_before = all_esi_requests(base_url)
            first = run_update(
                character, base_url, args.character, force_expiry=False, trace_memory=trace_memory
            )
            requests_first = all_esi_requests(base_url) - requests_before
            details_first = killmail_detail_paths(base_url)
            started = time.perf_counter()
            catch_up, requests_catch_up = catch_up_rate_limited_work(
                character, base_url, args.latency / 1000
            )
            catch_up_seconds = time.perf_counter() - started
            second = run_update(
                character, base_url, args.character, force_expiry=True, trace_memory=trace_memory
            )
            details_second = killmail_detail_paths(base_url)  # the catch-up cleared the log
            killmails = character.killmails.count()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print_table("First update (empty database)", first, args.markdown)
    print_table("Second update (nothing changed, cached answers expired)", second, args.markdown)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first_seconds = sum(r["seconds"] for r in first)
    print(
        f"\nContract items left for later cycles by ESI's rate limit: loaded in {catch_up} "
        f"more contracts run(s), {requests_catch_up} requests, {catch_up_seconds:.1f} s"
    )
    print_latency_target(
        args.latency, first_seconds + catch_up_seconds, requests_first + requests_catch_up
    )
    print(f"Peak resident memory of the process: {peak_rss:.0f} MB")
    print(
        f"Killmails: {killmails} listed, {len(details_first)} detail requests in the first "
        f"update ({len(set(details_first))} distinct), {len(details_second)} in the second"
    )
    sync_seconds = first_seconds + catch_up_seconds
    sync_requests = requests_first + requests_catch_up
    if args.latency >= 100:  # ESI's latency sets the pace: the target is relative to it
        speed_check = {
            "first sync with catch-up within 2x of the latency bound": sync_seconds
            < 2 * latency_bound(args.latency, sync_requests)
        }
    elif args.latency:  # a short latency: the client's own work sets the pace, no target
        speed_check = {}
    else:
        speed_check = {"first update under 60 s": first_seconds < 60}
    checks = {
        **speed_check,
        "peak memory under 500 MB": peak_rss < 500,
        "second update: at most one request per endpoint (URL and page)": all(
            r["requests"] <= r["urls"] for r in second
        ),
        "second update: every request answered 304": all(
            r["requests"] == r["not_modified"] for r in second
        ),
        "second update writes nothing": sum(r["writes"] for r in second) == 0,
        "every section succeeded": all(r["ok"] for r in first + second),
        "one detail request per distinct killmail, once": (
            len(details_first) == len(set(details_first)) == killmails and not details_second
        ),
    }
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
