"""Benchmark: every JSON table, page and CSV of the app at alliance scale.

Fills a database of its own (a SQLite file, or the MariaDB database
``memberaudit_bench_alliance`` with ``--database mysql``) with 2,000 users owning 10,000
registered characters (one pilot owns 50 of them), 20 active skill sets (200,000 checks, and
the skills they ask for on every character) and one heavy character with 100,000 assets nested
in ships and containers across places, 100,000 wallet journal entries, 20,000 mails (labels,
mailing lists, recipients) and 10,000 contracts with their items; then refreshes the
database's table statistics.

Then it requests, through Django's test client in this process, every page, JSON table and
CSV of the app as a superuser and as a recruiter who sees the characters of their own
corporation (the launcher also as the pilot with 50 characters). The tables and their columns
are read from the tables themselves, so a new table or column is measured without changing
this script: for each table its first page, its last page, a search, each filter it declares
(where the benchmark knows a value for it) and a sort by each sortable column. Each request
runs once to warm up, then ``--repeat`` times; the script prints the p50 and p95 of those
runs, the database queries of one request and the target where there is one, marking those
over it. ``--explain`` prints the plan of the slowest query of each endpoint over target.

    .venv/bin/python benchmarks/alliance.py [--database mysql] [--reuse] [--keep]
        [--repeat 5] [--markdown] [--explain] [--only TEXT] [--scale 1.0] [--no-gc-freeze]

``--reuse`` keeps the data of an earlier run that was kept (``--keep``; the filling takes
minutes); ``--scale`` multiplies every count (e.g. 0.001 for a quick check);
``--only`` measures only endpoints whose name contains the text.

Before measuring, the objects of the started process are frozen out of the garbage
collector's reach, as the recommended ``wsgi.py`` does (``--no-gc-freeze`` leaves them); the
full collections during the timed runs are counted either way, and named beside each result
over target.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import alliance_data
import bulk_data  # the benchmarks' shared set-up, beside this file
import gc_pauses
from alliance_data import Scale, fill
from alliance_endpoints import PAGE_LENGTH, Endpoint, discover

MYSQL_NAME = "memberaudit_bench_alliance"
SQLITE_PATH = Path(tempfile.gettempdir()) / "memberaudit_bench_alliance.sqlite3"


@dataclass
class Result:
    viewer: str
    endpoint: Endpoint
    status: int
    rows: int | None = None
    queries: int = 0
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    slowest_sql: str = ""
    slowest_sql_ms: float = 0.0
    full_collections_ms: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def p95(self) -> float | None:
        return percentile(self.times_ms, 95) if self.times_ms else None

    @property
    def over_target(self) -> bool:
        target = self.endpoint.target_ms
        return bool(target and self.p95 is not None and self.p95 > target)


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def viewers() -> dict:
    """Logged-in test clients: the superuser, the recruiter (their corporation), the alliance
    recruiter (their alliance) and the pilot with the most characters (for the launcher)."""
    from django.contrib.auth.models import User
    from django.db.models import Count
    from django.test import Client

    pilot = (
        User.objects.filter(username__startswith="bench_", is_superuser=False)
        .exclude(username__startswith="bench_viewer_")
        .annotate(characters=Count("character_ownerships"))
        .order_by("-characters", "pk")
        .first()
    )
    alliance_data.create_alliance_recruiter()
    users = {
        "superuser": User.objects.get(username="bench_viewer_0"),
        "recruiter": User.objects.get(username="bench_viewer_1"),
        "alliance recruiter": User.objects.get(username=alliance_data.ALLIANCE_RECRUITER),
        "pilot": pilot,
    }
    clients = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


@dataclass
class Answer:
    """What one request cost: wall and CPU time of this process, time in SQL, queries."""

    status: int
    rows: int | None
    queries: int
    ms: float
    cpu_ms: float
    sql_ms: float
    slowest_sql: str
    slowest_sql_ms: float


def request(client, endpoint: Endpoint, params: dict) -> Answer:
    """One request. The body of a streamed answer (a CSV) is read to its end inside the
    timing."""
    import json

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log keeps at most 9,000 queries: then nothing would be captured
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        cpu_started = time.process_time()
        response = client.get(endpoint.url, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cpu_ms = (time.process_time() - cpu_started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
    rows = None
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json") and response.status_code == 200:
        data = json.loads(body)
        rows = data.get("recordsFiltered") if isinstance(data, dict) else None
    elif content_type.startswith("text/csv"):
        rows = max(0, body.count(b"\n") - 1)
    gc_pauses.drop_repeated_signal_finalizers()  # what the test tools leave, not the site
    queries = captured.captured_queries
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    return Answer(
        status=response.status_code,
        rows=rows,
        queries=len(queries),
        ms=elapsed,
        cpu_ms=cpu_ms,
        sql_ms=sum(float(q["time"]) for q in queries) * 1000,
        slowest_sql=slowest["sql"] if slowest else "",
        slowest_sql_ms=float(slowest["time"]) * 1000 if slowest else 0.0,
    )


def measure(
    endpoints: list[Endpoint],
    repeat: int,
    clients: dict,
    progress=None,
    collections: gc_pauses.FullCollections | None = None,
) -> list[Result]:
    """Each endpoint as each of its viewers (``clients``): a warm-up request, then ``repeat``
    timed ones (none after an answer other than 200). ``progress`` gets each result;
    ``collections``, if given, notes the full garbage collections during each timed run."""
    collections = collections or gc_pauses.FullCollections()
    results = []
    last_start: dict[tuple[str, str], int] = {}
    for endpoint in endpoints:
        for viewer in endpoint.viewers:
            client = clients[viewer]
            params = dict(endpoint.params)
            if endpoint.last_page:
                key = (viewer, endpoint.url)
                if key not in last_start:
                    first = request(client, endpoint, {**params, "start": "0"})
                    rows = first.rows or 0
                    last_start[key] = max(0, (rows - 1) // PAGE_LENGTH * PAGE_LENGTH)
                params["start"] = str(last_start[key])
            answer = request(client, endpoint, params)  # warm-up
            result = Result(viewer, endpoint, answer.status, answer.rows, answer.queries)
            if answer.status == 200:
                for _ in range(repeat):
                    collections.mark()
                    answer = request(client, endpoint, params)
                    result.full_collections_ms.extend(collections.since_mark())
                    result.times_ms.append(answer.ms)
                    result.cpu_ms.append(answer.cpu_ms)
                    result.sql_ms.append(answer.sql_ms)
                    if answer.slowest_sql_ms >= result.slowest_sql_ms:
                        result.slowest_sql = answer.slowest_sql
                        result.slowest_sql_ms = answer.slowest_sql_ms
                result.queries = answer.queries
            results.append(result)
            if progress:
                progress(result)
    return results


def explain(sql: str) -> str:
    """The database's plan of one query as the benchmark ran it."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        columns = [column[0] for column in cursor.description]
        lines = ["\t".join(columns)]
        lines.extend("\t".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(lines)


def format_row(result: Result) -> list[str]:
    def ms(value):
        return "" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"

    target = result.endpoint.target_ms
    mark = ""
    if result.status != 200:
        mark = f"HTTP {result.status}"
    elif result.over_target:
        mark = "OVER"
    return [
        result.viewer,
        result.endpoint.name,
        "" if result.rows is None else f"{result.rows:,}",
        str(result.queries) if result.status == 200 else "",
        ms(result.p50),
        ms(result.p95),
        ms(percentile(result.cpu_ms, 95) if result.cpu_ms else None),
        ms(percentile(result.sql_ms, 95) if result.sql_ms else None),
        str(target) if target else "",
        mark,
    ]


HEADER = [
    "viewer",
    "endpoint",
    "rows",
    "queries",
    "p50 ms",
    "p95 ms",
    "CPU p95 ms",
    "SQL p95 ms",
    "target ms",
    "",
]


def summary(lines: list[list[str]]) -> list[list[str]]:
    """One line per table or page from the lines of :func:`format_row`: the p95 of its first
    page, last page, search, slowest filter and slowest sort, each the worst of the viewers,
    and how many of its measurements are over target."""
    groups: dict[str, dict] = {}
    for _viewer, name, rows, queries, _p50, p95, _cpu, _sql, _target, mark in lines:
        group, _, kind = name.partition(": ")
        entry = groups.setdefault(
            group, {"rows": "", "queries": 0, "over": 0, "count": 0, "worst": {}, "which": {}}
        )
        entry["count"] += 1
        entry["over"] += mark == "OVER"
        if queries:
            entry["queries"] = max(entry["queries"], int(queries))
        if not p95:
            continue
        if not kind or kind == "first page":
            entry["rows"] = entry["rows"] or rows
        column = kind.split(" ")[0] if kind else "first"
        column = {"first": "first page", "last": "last page"}.get(column, column)
        if column not in ("first page", "last page", "search", "sort"):
            column = "filter"
        if float(p95) >= entry["worst"].get(column, -1):
            entry["worst"][column] = float(p95)
            detail = {"sort": kind.partition(" ")[2], "filter": kind}.get(column, "")
            entry["which"][column] = f"{detail} " if detail else ""
    result = []
    for group, entry in groups.items():
        cells = [
            f"{entry['which'].get(column, '')}{entry['worst'][column]:.0f}"
            if column in entry["worst"]
            else ""
            for column in ("first page", "last page", "search", "filter", "sort")
        ]
        over = f"{entry['over']} of {entry['count']}" if entry["over"] else ""
        result.append([group, entry["rows"], str(entry["queries"] or ""), *cells, over])
    return result


SUMMARY_HEADER = [
    "table or page",
    "rows",
    "queries",
    "p95 ms (first page)",
    "last page",
    "search",
    "slowest filter",
    "slowest sort",
    "over target",
]


def read_markdown(path: str) -> list[list[str]]:
    """The lines of a full table printed with ``--markdown`` by an earlier run."""
    lines = []
    for text in Path(path).read_text().splitlines():
        cells = [cell.strip() for cell in text.strip().strip("|").split("|")]
        if len(cells) == len(HEADER) and cells[0] in ("superuser", "recruiter", "pilot"):
            lines.append(cells)
    return lines


def heavy_character():
    """The character with the most assets."""
    from django.db.models import Count

    from memberaudit.models import Character

    return Character.objects.annotate(n=Count("assets")).order_by("-n", "pk").first()


def run(args) -> int:
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    bulk_data.migrate()
    fill(Scale(args.scale), reuse=args.reuse)
    character = heavy_character()
    endpoints, unmeasured = discover(character)
    if args.only:
        endpoints = [e for e in endpoints if args.only in e.name]
    clients = viewers()
    print(
        f"{len(endpoints)} endpoints, {args.repeat} runs each after a warm-up; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        file=sys.stderr,
    )

    def progress(result):
        print("  ".join(format_row(result)), file=sys.stderr)

    if args.no_gc_freeze:
        frozen = "not frozen (--no-gc-freeze)"
    else:
        frozen = f"{gc_pauses.freeze_startup_objects():,} objects of the started process frozen"
    started = time.perf_counter()
    with gc_pauses.FullCollections() as collections:
        results = measure(endpoints, args.repeat, clients, progress, collections)
    from django.db import connection

    worst = max(collections.durations_ms, default=0.0)
    print(
        f"\n{connection.vendor}, {len(results)} measurements in "
        f"{time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs; {frozen}; {len(collections.durations_ms)} full garbage "
        f"collections while measuring, the longest {worst:.0f} ms\n"
    )
    lines = [format_row(result) for result in results]
    bulk_data.print_table(HEADER, lines, args.markdown)
    print("\nSummary: the worst p95 of the viewers\n")
    bulk_data.print_table(SUMMARY_HEADER, summary(lines), args.markdown)
    over = [r for r in results if r.over_target]
    failed = [r for r in results if r.status != 200]
    print(f"\n{len(over)} over target:")
    for result in over:
        pauses = result.full_collections_ms
        during = (
            f"; {len(pauses)} full garbage collection(s) during its runs, "
            f"the longest {max(pauses):.0f} ms"
            if pauses
            else ""
        )
        print(
            f"- {result.viewer}: {result.endpoint.name} p95 {result.p95:.0f} ms "
            f"(target {result.endpoint.target_ms} ms{during})"
        )
    if failed:
        print(f"\n{len(failed)} not answered 200:")
        for result in failed:
            print(f"- {result.viewer}: {result.endpoint.name} HTTP {result.status}")
    if unmeasured:
        print("\nNot measured (no value known): " + ", ".join(unmeasured))
    if args.explain:
        for result in over:
            print(
                f"\n### {result.viewer}: {result.endpoint.name} "
                f"(slowest query {result.slowest_sql_ms:.0f} ms)\n\n"
                f"```\n{result.slowest_sql}\n```\n"
            )
            try:
                plan = explain(result.slowest_sql)
            except Exception as exc:  # e.g. a statement the database cannot explain
                plan = f"no plan: {exc}"
            print("```\n" + plan + "\n```")
    return 1 if over else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "mysql"), default="sqlite")
    parser.add_argument("--reuse", action="store_true", help="use the data of a kept run")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's database")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each request")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--explain", action="store_true", help="plans of queries over target")
    parser.add_argument("--only", default="", help="only endpoints whose name contains this")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
    parser.add_argument(
        "--name",
        default=MYSQL_NAME,
        help="the benchmark database's name (MariaDB) or file stem (SQLite), "
        "so that two runs can keep their data side by side",
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="leave the objects of the started process to the garbage collector, as a "
        "wsgi.py without gc.freeze() does",
    )
    parser.add_argument(
        "--summarize",
        metavar="FILE",
        help="print the summary of an earlier run's --markdown output",
    )
    args = parser.parse_args()
    if args.summarize:
        bulk_data.print_table(SUMMARY_HEADER, summary(read_markdown(args.summarize)), args.markdown)
        return 0
    sqlite_path = SQLITE_PATH.with_name(f"{args.name}.sqlite3")
    bulk_data.create_database(args.database, args.name, sqlite_path, args.reuse)
    try:
        bulk_data.setup_django(args.database, args.name, sqlite_path)
        return run(args)
    finally:
        if not args.keep:
            from django.db import connection

            connection.close()
            bulk_data.drop_database(args.database, args.name, sqlite_path)


if __name__ == "__main__":
    sys.exit(main())
