"""The fake EVE server: SSO + ESI + control API over real HTTP."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import images
from .control import ControlApi
from .esi import all_routes
from .esi_app import handle_esi
from .faults import FaultRegistry, malform
from .headers import LastModifiedTracker
from .limits import ErrorLimiter, RateLimiter
from .messages import EsiError, Request, Response
from .requestlog import LoggedRequest, RequestLog
from .router import Route, Router
from .scenario import Scenario
from .signing import SigningKey
from .sso import SSO_ROUTES, SsoService

logger = logging.getLogger(__name__)


class FakeEveServer:
    """Serves a scenario as EVE SSO and ESI on ``base_url``.

    Use ``start()``/``stop()`` or as a context manager; ``serve_forever()`` blocks.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        signing_key_pem: bytes | None = None,
        spec_file: str | Path | None = None,
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
        self.host = host
        self.port = port
        self.spec_file = Path(spec_file) if spec_file else None
        self.key = SigningKey(signing_key_pem)
        self.sso = SsoService(self.scenario, self.key, lambda: self.base_url)
        self.router = Router(all_routes())
        self.faults = FaultRegistry()
        self.log = RequestLog()
        self.error_limiter = ErrorLimiter()
        self.rate_limiter = RateLimiter()
        self.last_modified = LastModifiedTracker()
        self.control = ControlApi(self)
        self.page_sizes: dict[str, int] = {}
        self.route_status: dict[str, str] = {}
        self._spec_body: bytes | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # --- state ---------------------------------------------------------------------------

    def reset(self, resolve_times: bool = False) -> None:
        """Back to the scenario as loaded: faults, log, revocations, edits, limits (and
        relative times resolved again, see :meth:`Scenario.reset`)."""
        self.scenario.reset(resolve_times)
        settings = self.scenario.settings
        self.faults.reset()
        for fault in self.scenario.faults:
            self.faults.add(**fault)
        self.log.clear()
        self.sso.reset()
        self.error_limiter.configure(
            settings.get("error_limit", 100), settings.get("error_window", 60)
        )
        self.error_limiter.reset()
        self.rate_limiter.overrides = {
            group: tuple(limit) for group, limit in settings.get("rate_limits", {}).items()
        }
        self.rate_limiter.reset()
        self.page_sizes = dict(settings.get("page_sizes", {}))
        self.route_status = {}

    def page_size(self, route: Route) -> int:
        return int(self.page_sizes.get(route.key, route.page_size))

    def set_page_size(self, route_key: str, size: int) -> None:
        self._route(route_key)
        self.page_sizes[route_key] = int(size)

    def set_route_status(self, route_key: str, status: str) -> None:
        """Status shown for a route by ``GET /meta/status``: OK, Degraded, Down, Recovering."""
        self._route(route_key)
        self.route_status[route_key] = status

    def _route(self, route_key: str) -> Route:
        if route_key not in self.router.by_key:
            raise KeyError(f"unknown route key {route_key!r}")
        return self.router.by_key[route_key]

    # --- HTTP dispatch -------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        try:
            if request.path.startswith("/_fake/"):
                return self.control.handle(request)
            sso_key = SSO_ROUTES.get((request.method, request.path.rstrip("/") or "/"))
            if sso_key:
                return self._handle_sso(request, sso_key)
            if request.method == "GET" and request.path == "/meta/openapi.json":
                return self._spec()
            if images.handles(request.path):
                return images.handle(request.method, request.path, request.arg("size"))
            try:
                resolved = self.router.resolve(request.method, request.path)
            except EsiError as error:
                return error.response()
            if resolved is None:
                return self._not_found(request)
            route, params = resolved
            return handle_esi(self, request, route, params)
        except Exception:
            logger.exception("fake EVE server failed on %s %s", request.method, request.path)
            return Response.json({"error": "Internal server error (fake EVE server bug)"}, 500)

    def _handle_sso(self, request: Request, key: str) -> Response:
        fault = self.faults.take(key, None)
        if fault and fault.latency:
            time.sleep(fault.latency)
        if fault and fault.status:
            response = Response.json(fault.error_body(), fault.status, fault.error_headers())
        else:
            response = self.sso.handle(request, key)
            if fault and fault.malformed:
                response.body = malform(response.body)
        self.log.add(
            LoggedRequest(
                time=time.time(),
                kind="sso",
                method=request.method,
                path=request.path,
                route=key,
                status=response.status,
                fault_id=fault.id if fault else None,
            )
        )
        return response

    def _not_found(self, request: Request) -> Response:
        status = 405 if self.router.path_exists(request.path) else 404
        response = Response.json(
            {"error": "Not found" if status == 404 else "Method not allowed"}, status
        )
        self.error_limiter.record(status)
        response.headers.update(self.error_limiter.headers())
        self.log.add(
            LoggedRequest(
                time=time.time(),
                kind="esi",
                method=request.method,
                path=request.path,
                route=None,
                status=status,
            )
        )
        return response

    def _spec(self) -> Response:
        if self.spec_file is None:
            return Response.json({"error": "No spec file configured"}, 404)
        if self._spec_body is None:
            spec = json.loads(self.spec_file.read_text(encoding="utf-8"))
            spec["servers"] = [{"url": self.base_url}]
            self._spec_body = json.dumps(spec).encode("utf-8")
        return Response(
            200,
            {
                "Content-Type": "application/json; charset=UTF-8",
                "Cache-Control": "public, max-age=3600",
            },
            self._spec_body,
        )

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def _bind(self) -> None:
        if self._httpd is None:
            self._httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
            self._httpd.daemon_threads = True
            self._httpd.app = self

    def start(self) -> FakeEveServer:
        """Serve in a background thread."""
        self._bind()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-eve-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._bind()
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeEveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send small answers at once instead of waiting for the client's delayed ACK (Nagle).
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "FakeEVE/1.0"

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.build(
            self.command, self.path, dict(self.headers.items()), body, self.client_address[0]
        )
        response = self.server.app.handle(request)
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.body and self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (a latency fault longer than its timeout), as
            # clients of the real ESI do: nothing to answer to.
            logger.debug("%s %s: the client closed the connection", self.command, self.path)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        logger.debug("%s - %s", self.address_string(), format % args)
