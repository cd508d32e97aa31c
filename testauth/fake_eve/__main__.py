"""Run the fake EVE server: ``python -m fake_eve --port 8765 --scenario PATH``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys

from .scenario import DEFAULT_SCENARIO, ScenarioError
from .server import FakeEveServer


def find_spec_file() -> str | None:
    """The ESI spec bundled with django-eveuniverse, if installed (served as meta/openapi)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("eveuniverse")
    if spec is None or not spec.origin:
        return None
    files = sorted(Path(spec.origin).parent.glob("openapi_*.json"))
    return str(files[-1]) if files else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fake_eve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    return run(args.scenario, args.host, args.port)


def run(scenario: str, host: str, port: int) -> int:
    try:
        server = FakeEveServer(scenario, host=host, port=port, spec_file=find_spec_file())
    except ScenarioError as exc:
        print(f"fake_eve: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fake_eve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    server._bind()
    print(f"Fake EVE server ({server.scenario.name}) on {server.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
