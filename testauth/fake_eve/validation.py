"""A small declarative schema for scenario files, with error paths like ``characters[3].name``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# "now", "now-3d", "now+90m": resolved to an ISO date-time when the scenario is loaded
RELATIVE_TIME = re.compile(r"^now(?:([+-])(\d+)([smhd]))?$")


@dataclass
class F:
    """One field: type is int, number, str, bool, datetime, list, object or any."""

    type: str
    required: bool = False
    items: Any = None  # F for list items
    fields: dict | None = None  # dict[str, F] for objects
    choices: tuple | None = None


def req(type_: str, **kw) -> F:
    return F(type_, required=True, **kw)


def opt(type_: str, **kw) -> F:
    return F(type_, **kw)


def obj(fields: dict, required: bool = False) -> F:
    return F("object", required=required, fields=fields)


def list_of(items: F, required: bool = False) -> F:
    return F("list", required=required, items=items)


POSITION = obj({"x": req("number"), "y": req("number"), "z": req("number")})


def _type_ok(value: Any, type_: str) -> bool:
    if type_ == "any":
        return True
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ in ("str", "datetime"):
        return isinstance(value, str)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "list":
        return isinstance(value, list)
    if type_ == "object":
        return isinstance(value, dict)
    raise ValueError(type_)


_TYPE_NAMES = {
    "int": "an integer",
    "number": "a number",
    "str": "a string",
    "bool": "a boolean",
    "datetime": "an ISO 8601 date-time string",
    "list": "a list",
    "object": "an object",
}


def check(value: Any, spec: F, path: str, errors: list[tuple[str, str]]) -> None:
    """Append ``(path, reason)`` for everything wrong with value."""
    if not _type_ok(value, spec.type):
        errors.append((path, f"must be {_TYPE_NAMES[spec.type]}, got {json_type(value)}"))
        return
    if spec.type == "datetime" and not RELATIVE_TIME.match(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            errors.append((path, f"'{value}' is not an ISO 8601 date-time"))
    if spec.choices and value not in spec.choices:
        options = ", ".join(map(str, spec.choices))
        errors.append((path, f"'{value}' is not one of: {options}"))
    if spec.type == "list" and spec.items is not None:
        for index, item in enumerate(value):
            check(item, spec.items, f"{path}[{index}]", errors)
    if spec.type == "object" and spec.fields is not None:
        check_fields(value, spec.fields, path, errors)


def check_fields(
    value: dict, fields: dict, path: str, errors: list[tuple[str, str]], allow_extra: bool = False
) -> None:
    prefix = f"{path}." if path else ""
    for name, spec in fields.items():
        if name not in value:
            if spec.required:
                errors.append((f"{prefix}{name}", "required field is missing"))
            continue
        check(value[name], spec, f"{prefix}{name}", errors)
    if not allow_extra:
        for name in value:
            if name not in fields:
                errors.append((f"{prefix}{name}", "unknown field"))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def resolve_relative_times(value: Any, now: datetime) -> Any:
    """Replace ``now±N[smhd]`` strings by ISO 8601 UTC date-times, recursively."""
    if isinstance(value, dict):
        return {k: resolve_relative_times(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_relative_times(v, now) for v in value]
    if isinstance(value, str):
        match = RELATIVE_TIME.match(value)
        if match:
            seconds = 0
            if match.group(1):
                unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(3)]
                seconds = int(match.group(2)) * unit * (-1 if match.group(1) == "-" else 1)
            moment = now + timedelta(seconds=seconds)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value
