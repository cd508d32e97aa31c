"""Request and response objects shared by all parts of the fake server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lower-case
    body: bytes = b""
    client: str = "127.0.0.1"

    @classmethod
    def build(cls, method: str, raw_path: str, headers, body: bytes, client: str) -> Request:
        path, _, query = raw_path.partition("?")
        return cls(
            method=method.upper(),
            path=path or "/",
            query=parse_qs(query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            client=client,
        )

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict | None = None) -> Response:
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return cls(status, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}, body)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, {"Content-Type": "text/html; charset=utf-8"}, text.encode("utf-8"))

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(302, {"Location": location}, b"")


class EsiError(Exception):
    """Raised by route handlers to answer with an ESI error body ``{"error": ...}``."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        return Response.json({"error": self.message}, self.status, self.headers)
