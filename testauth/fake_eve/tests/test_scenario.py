import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_eve import FakeEveServer, Scenario, ScenarioError, load_scenario
from fake_eve import scenario as scenario_module
from fake_eve.scenario import generate_journal

MINIMAL = {
    "universe": {
        "races": [{"race_id": 1, "name": "Caldari", "description": "", "alliance_id": 500001}],
        "bloodlines": [
            {
                "bloodline_id": 1,
                "name": "Deteis",
                "race_id": 1,
                "corporation_id": 1,
                "description": "",
                "charisma": 1,
                "intelligence": 1,
                "memory": 1,
                "perception": 1,
                "willpower": 1,
            }
        ],
    },
    "corporations": [
        {
            "corporation_id": 98000001,
            "name": "C",
            "ticker": "C",
            "member_count": 1,
            "ceo_id": 1,
            "creator_id": 1,
            "tax_rate": 0.1,
        }
    ],
    "characters": [
        {
            "character_id": 1,
            "name": "A",
            "corporation_id": 98000001,
            "birthday": "2020-01-01T00:00:00Z",
            "bloodline_id": 1,
            "race_id": 1,
            "gender": "male",
        }
    ],
}


def test_default_scenario_loads():
    scenario = load_scenario()
    assert len(scenario.characters) >= 6
    assert scenario.get("stations", 60003760)["name"].startswith("Jita IV - Moon 4")


def test_minimal_scenario_from_dict():
    scenario = Scenario.from_dict(MINIMAL)
    assert scenario.character(1)["name"] == "A"


def test_character_data_from_an_included_file_adds_sections(tmp_path):
    extra = {
        "character_data": [
            {"character_id": 1, "contact_labels": [{"label_id": 7, "label_name": "Friends"}]}
        ]
    }
    write(tmp_path, "extra.json", extra)
    main = write(tmp_path, "main.json", {**MINIMAL, "include": ["extra.json"]})
    scenario = load_scenario(main)
    assert scenario.character(1)["contact_labels"] == [{"label_id": 7, "label_name": "Friends"}]
    assert scenario.character(1)["name"] == "A"


def test_character_data_resolves_relative_times_like_the_characters(tmp_path):
    extra = {
        "character_data": [
            {
                "character_id": 1,
                "online": {"online": True, "last_login": "now-3h", "logins": 1},
            }
        ]
    }
    write(tmp_path, "extra.json", extra)
    main = write(tmp_path, "main.json", {**MINIMAL, "include": ["extra.json"]})

    last_login = load_scenario(main).character(1)["online"]["last_login"]

    assert not last_login.startswith("now")
    moment = datetime.fromisoformat(last_login.replace("Z", "+00:00"))
    assert (
        timedelta(hours=2, minutes=59)
        < datetime.now(timezone.utc) - moment
        < timedelta(hours=3, minutes=1)
    )


def test_reset_resolves_relative_times_again_in_a_long_run(tmp_path, monkeypatch):
    """A server started long ago still answers "3 hours ago" to a new test, not "3 hours
    before it started"; a plain reset gives back exactly what was loaded."""
    online = {"online": True, "last_login": "now-3h", "logins": 1}
    extra = {"character_data": [{"character_id": 1, "online": online}]}
    write(tmp_path, "extra.json", extra)
    scenario = load_scenario(write(tmp_path, "main.json", {**MINIMAL, "include": ["extra.json"]}))
    loaded = parse_time(scenario.character(1)["online"]["last_login"])

    class AnHourLater(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=1)

    monkeypatch.setattr(scenario_module, "datetime", AnHourLater)
    scenario.reset()  # e.g. before a second update that must find nothing changed
    assert parse_time(scenario.character(1)["online"]["last_login"]) == loaded

    scenario.reset(resolve_times=True)  # a new test
    later = parse_time(scenario.character(1)["online"]["last_login"])
    assert abs(later - loaded - timedelta(hours=1)) < timedelta(seconds=5)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_character_data_for_an_unknown_character_is_an_error(tmp_path):
    write(tmp_path, "extra.json", {"character_data": [{"character_id": 2, "contacts": []}]})
    main = write(tmp_path, "main.json", {**MINIMAL, "include": ["extra.json"]})
    with pytest.raises(ScenarioError, match="names no character"):
        load_scenario(main)


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_error_names_file_path_and_reason(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    data["characters"][0]["skills"] = [
        {
            "skill_id": 3300,
            "active_skill_level": 1,
            "trained_skill_level": 1,
            "skillpoints_in_skill": 250,
        },
        {
            "skill_id": 3301,
            "active_skill_level": 1,
            "trained_skill_level": 1,
            "skillpoints_in_skill": 250,
        },
        {
            "skill_id": "3302",
            "active_skill_level": 1,
            "trained_skill_level": 1,
            "skillpoints_in_skill": 250,
        },
    ]
    path = write(tmp_path, "broken.json", data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.file == "broken.json"
    assert info.value.path == "characters[0].skills[2].skill_id"
    assert "must be an integer" in info.value.reason
    assert "broken.json: characters[0].skills[2].skill_id: must be an integer" in str(info.value)


def test_reference_error_in_included_file(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    chars = {"characters": data.pop("characters")}
    chars["characters"][0]["corporation_id"] = 42
    write(tmp_path, "chars.json", chars)
    path = write(tmp_path, "main.json", {**data, "include": ["chars.json"]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.file, info.value.path) == ("chars.json", "characters[0].corporation_id")
    assert "unknown id 42" in info.value.reason


@pytest.mark.parametrize(
    "mutate, path, reason",
    [
        (lambda d: d["characters"][0].pop("name"), "characters[0].name", "required field"),
        (lambda d: d["characters"][0].update(gender="x"), "characters[0].gender", "not one of"),
        (
            lambda d: d["characters"][0].update(birthday="soon"),
            "characters[0].birthday",
            "ISO 8601",
        ),
        (lambda d: d["characters"][0].update(colour=1), "characters[0].colour", "unknown field"),
        (
            lambda d: d["characters"].append(dict(d["characters"][0])),
            "characters[1].character_id",
            "duplicate id",
        ),
    ],
)
def test_validation_messages(tmp_path, mutate, path, reason):
    data = json.loads(json.dumps(MINIMAL))
    mutate(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, "s.json", data))
    assert info.value.path == path and reason in info.value.reason


def test_invalid_json_and_missing_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nope")
    with pytest.raises(ScenarioError, match="bad.json: invalid JSON at line 1"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="file not found"):
        FakeEveServer(tmp_path / "missing.json")


def test_cli_exits_2_on_invalid_scenario(tmp_path):
    path = write(tmp_path, "s.json", {"characters": [{"character_id": "x"}]})
    result = subprocess.run(
        [sys.executable, "-m", "fake_eve", "--port", "0", "--scenario", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 2
    assert "s.json: characters[0].character_id: must be an integer" in result.stderr


@settings(max_examples=40, deadline=None)
@given(count=st.integers(min_value=1, max_value=400), seed=st.integers(0, 10_000))
def test_generated_journal_balances_add_up_and_are_never_negative(count, seed):
    entries = generate_journal(90000001, count=count, seed=seed)

    assert all(entry["balance"] >= 0 for entry in entries)
    for newer, older in pairwise(entries):
        assert abs(newer["balance"] - newer["amount"] - older["balance"]) < 0.02
