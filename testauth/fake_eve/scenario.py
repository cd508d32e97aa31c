"""Loading, validating and editing scenario data.

A scenario is a JSON file (optionally including further files) with the universe subset,
corporations, alliances and characters the fake ESI serves. See docs/fake-eve-server.md.
"""

from __future__ import annotations

import copy
import json
import pickle
import random
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import scenario_schema as schema
from .esi import expand_character as expand_domain_data
from .esi import extra_character_fields
from .validation import check, check_fields, list_of, obj, opt, resolve_relative_times

SCENARIO_DIR = Path(__file__).parent / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.json"
MAX_REPORTED_ERRORS = 20


class ScenarioError(ValueError):
    """A scenario file is invalid. ``errors`` lists ``(file, path, reason)``."""

    def __init__(self, errors: list[tuple[str, str, str]]):
        self.errors = errors
        self.file, self.path, self.reason = errors[0]
        lines = [f"{f}: {p}: {r}" if p else f"{f}: {r}" for f, p, r in errors]
        if len(lines) > MAX_REPORTED_ERRORS:
            lines = lines[:MAX_REPORTED_ERRORS] + [f"... and {len(lines) - 20} more errors"]
        super().__init__("invalid scenario:\n  " + "\n  ".join(lines))


_FILE_FIELDS = {
    "include": list_of(opt("str")),
    "description": opt("str"),
    "settings": schema.SETTINGS,
    "sso": schema.SSO,
    "universe": obj(
        {name: list_of(obj(fields)) for name, (fields, _) in schema.UNIVERSE_SECTIONS.items()}
    ),
    "faults": list_of(schema.FAULT),
    **{name: list_of(obj(fields)) for name, (fields, _) in schema.TOP_SECTIONS.items()},
    # More data for characters declared in another file: one object per character, its
    # ``character_id`` plus the sections to add, so that each domain keeps its own file.
    "character_data": list_of(obj(schema.character_data_schema())),
}


def _read_json(path: Path, errors: list) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append((str(path), "", "file not found"))
        return None
    except json.JSONDecodeError as exc:
        errors.append(
            (path.name, "", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        )
        return None
    if not isinstance(data, dict):
        errors.append((path.name, "", "the top level must be a JSON object"))
        return None
    return data


def _load_files(path: Path, errors: list, seen: set) -> list[tuple[str, dict]]:
    """The file and its includes (depth first), each validated for structure."""
    path = path.resolve()
    if path in seen:
        errors.append((path.name, "include", "circular include"))
        return []
    seen.add(path)
    data = _read_json(path, errors)
    if data is None:
        return []
    file_errors: list[tuple[str, str]] = []
    check_fields(data, _FILE_FIELDS, "", file_errors)
    errors.extend((path.name, p, r) for p, r in file_errors)
    files = [(path.name, data)]
    for include in data.get("include", []) if not file_errors else []:
        files.extend(_load_files(path.parent / include, errors, seen))
    return files


# A reset older than this resolves the scenario's relative times again.
RESOLVE_AGAIN_AFTER = timedelta(minutes=1)


class Scenario:
    """Indexed scenario data. Handlers read it; the control API edits characters at runtime."""

    def __init__(self, files: list[tuple[str, dict]], name: str = "scenario") -> None:
        self.name = name
        self._lock = threading.RLock()
        self._files = files
        self._build()

    def _build(self) -> None:
        """The scenario as loaded, with relative times resolved against the time now."""
        self.settings: dict = {}
        self.sso: dict = {}
        self.faults: list[dict] = []
        self.sections: dict[str, list[dict]] = {}
        self.origins: dict[str, list[tuple[str, int]]] = {}
        now = datetime.now(timezone.utc).replace(microsecond=0)
        self._built_at = now
        files = self._files
        # relative times ("now-3h") resolved in every part, character_data included
        files = [(filename, resolve_relative_times(data, now)) for filename, data in files]
        for filename, data in files:
            self.settings.update(data.get("settings", {}))
            self.sso.update(data.get("sso", {}))
            self.faults.extend(data.get("faults", []))
            parts = [(name, data.get(name, [])) for name in schema.TOP_SECTIONS]
            parts += [
                (name, data.get("universe", {}).get(name, [])) for name in schema.UNIVERSE_SECTIONS
            ]
            for name, items in parts:
                self.sections.setdefault(name, []).extend(items)
                prefix = name if name in schema.TOP_SECTIONS else f"universe.{name}"
                self.origins.setdefault(name, []).extend(
                    (filename, f"{prefix}[{i}]") for i in range(len(items))
                )
        _add_character_data(self.sections["characters"], files, now)
        for character in self.sections["characters"]:
            _expand_character(character)
        # kept serialized: a reset (before every test) reads a fresh copy three times as fast
        # as a deep copy would make one
        self._pristine = pickle.dumps(self.sections, protocol=pickle.HIGHEST_PROTOCOL)
        self._index()

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> Scenario:
        path = Path(path) if path else DEFAULT_SCENARIO
        errors: list[tuple[str, str, str]] = []
        files = _load_files(path, errors, set())
        if errors:
            raise ScenarioError(errors)
        scenario = cls(files, name=path.name)
        errors = scenario.cross_check()
        if errors:
            raise ScenarioError(errors)
        return scenario

    @classmethod
    def from_dict(cls, data: dict, name: str = "<dict>") -> Scenario:
        file_errors: list[tuple[str, str]] = []
        check_fields(data, _FILE_FIELDS, "", file_errors)
        if file_errors:
            raise ScenarioError([(name, p, r) for p, r in file_errors])
        scenario = cls([(name, copy.deepcopy(data))], name=name)
        errors = scenario.cross_check()
        if errors:
            raise ScenarioError(errors)
        return scenario

    def _index(self) -> None:
        all_sections = {**schema.UNIVERSE_SECTIONS, **schema.TOP_SECTIONS}
        self.by_id: dict[str, dict[int, dict]] = {
            name: {item[id_field]: item for item in self.sections[name]}
            for name, (_, id_field) in all_sections.items()
        }

    def cross_check(self) -> list[tuple[str, str, str]]:
        from .scenario_refs import find_reference_errors

        return find_reference_errors(self)

    # --- lookups -------------------------------------------------------------------------

    def get(self, section: str, item_id: int) -> dict | None:
        return self.by_id[section].get(item_id)

    def items(self, section: str) -> list[dict]:
        return self.sections[section]

    def character(self, character_id: int) -> dict | None:
        return self.by_id["characters"].get(character_id)

    @property
    def characters(self) -> list[dict]:
        return self.sections["characters"]

    # --- runtime edits -------------------------------------------------------------------

    def reset(self, resolve_times: bool = False) -> None:
        """Back to the scenario as loaded. With ``resolve_times`` (a new test) its relative
        times ("now-2h") are resolved again once they are over a minute old, so that
        "2 hours ago" stays true in a long run; without, the data stays exactly as it was."""
        with self._lock:
            age = datetime.now(timezone.utc) - self._built_at
            if resolve_times and age > RESOLVE_AGAIN_AFTER:
                self._build()
                return
            self.sections = pickle.loads(self._pristine)
            self._index()

    def update_character(self, character_id: int, fields: dict) -> dict:
        """Replace top level fields of a character, e.g. ``{"wallet_balance": 5.0}``."""
        with self._lock:
            current = self._character_or_error(character_id)
            fields = resolve_relative_times(copy.deepcopy(fields), datetime.now(timezone.utc))
            updated = {**current, **fields, "character_id": character_id}
            self._validate_character(updated)
            _expand_character(updated)
            self._replace_character(updated)
            return updated

    def append_to_character(self, character_id: int, section: str, items: list) -> dict:
        """Append items to a list section of a character, e.g. ``wallet_journal``."""
        with self._lock:
            current = self._character_or_error(character_id)
            spec = {**schema.CHARACTER_SECTIONS, **extra_character_fields()}.get(section)
            if spec is None or spec.type != "list":
                raise ScenarioError(
                    [
                        (
                            "<runtime>",
                            f"characters[id={character_id}].{section}",
                            "not a list section of a character",
                        )
                    ]
                )
            updated = copy.deepcopy(current)
            items = resolve_relative_times(copy.deepcopy(list(items)), datetime.now(timezone.utc))
            updated[section] = updated.get(section, []) + items
            self._validate_character(updated)
            self._replace_character(updated)
            return updated

    def _character_or_error(self, character_id: int) -> dict:
        current = self.character(character_id)
        if current is None:
            raise KeyError(f"no character {character_id} in scenario")
        return current

    def _validate_character(self, character: dict) -> None:
        errors: list[tuple[str, str]] = []
        path = f"characters[id={character['character_id']}]"
        check(character, obj(schema.character_schema()), path, errors)
        if errors:
            raise ScenarioError([("<runtime>", p, r) for p, r in errors])

    def _replace_character(self, character: dict) -> None:
        characters = self.sections["characters"]
        for index, item in enumerate(characters):
            if item["character_id"] == character["character_id"]:
                characters[index] = character
        self.by_id["characters"][character["character_id"]] = character


def load_scenario(path: str | Path | None = None) -> Scenario:
    return Scenario.load(path)


def _add_character_data(
    characters: list[dict], files: list[tuple[str, dict]], now: datetime
) -> None:
    """Merge each file's ``character_data`` into the characters it names, with relative
    times (``now-2h``) resolved like those of the characters themselves."""
    by_id = {character["character_id"]: character for character in characters}
    for filename, data in files:
        for i, extra in enumerate(data.get("character_data", [])):
            character = by_id.get(extra["character_id"])
            if character is None:
                raise ScenarioError(
                    [(filename, f"character_data[{i}]", "names no character of the scenario")]
                )
            extra = resolve_relative_times(extra, now)
            character.update({key: value for key, value in extra.items() if key != "character_id"})


def _expand_character(character: dict) -> None:
    """Fill derived fields: generated journal entries and total skill points."""
    expand_domain_data(character)
    generator = character.pop("wallet_journal_generate", None)
    if generator:
        character["wallet_journal"] = character.get("wallet_journal", []) + generate_journal(
            character["character_id"], **generator
        )
    if "skills" in character and "total_sp" not in character:
        character["total_sp"] = sum(s["skillpoints_in_skill"] for s in character["skills"])


_REF_TYPES = [
    ("player_donation", "{a} deposited cash into {b}'s account", 0.05),
    ("bounty_prizes", "{b} got bounty prize payouts for killing pirates in Tama", 0.45),
    ("market_transaction", "Market: {a} bought stuff from {b}", 0.3),
    ("agent_mission_reward", "{b} received mission reward", 0.15),
    ("brokers_fee", "Brokers fee", 0.05),
]


def generate_journal(
    character_id: int,
    count: int,
    seed: int = 1,
    first_id: int | None = None,
    start: str | None = None,
) -> list[dict[str, Any]]:
    """Deterministic wallet journal entries, newest first, one every 37 minutes."""
    rng = random.Random(seed)
    newest = (
        datetime.fromisoformat(start.replace("Z", "+00:00"))
        if start
        else datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    )
    entry_id = first_id or 20_000_000_000 + character_id % 1_000_000 * 1000
    drawn = []
    for _ in range(count):
        ref_type, text, _ = rng.choices(_REF_TYPES, weights=[w for *_, w in _REF_TYPES])[0]
        amount = round(rng.uniform(10_000, 25_000_000), 2)
        if ref_type in ("brokers_fee", "market_transaction"):
            amount = -amount
        drawn.append((ref_type, text, amount))
    # Balances are walked back from the newest: start high enough that no older balance is
    # negative (a wallet never is), with at least 125 M ISK at the oldest entry.
    walked, lowest = 0.0, 0.0
    for *_, amount in drawn:
        walked -= amount
        lowest = min(lowest, walked)
    balance = 125_000_000.0 - lowest
    entries = []
    for n, (ref_type, text, amount) in enumerate(drawn):
        entries.append(
            {
                "id": entry_id + count - n,
                "date": (newest - timedelta(minutes=37 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ref_type": ref_type,
                "description": text.format(a="Someone", b="the character"),
                "amount": amount,
                "balance": round(balance, 2),
                "first_party_id": 1000125 if ref_type == "bounty_prizes" else character_id,
                "second_party_id": character_id,
            }
        )
        balance -= amount
    return entries
