import json
import subprocess
import sys
from pathlib import Path

import pytest

from fake_eve import FakeEveServer, Scenario, ScenarioError, load_scenario

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
