"""Parsing notification texts: any text is either parsed into the fields of its type or kept
as it is; nothing a player writes into a notification is ever interpreted."""

import string

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from memberaudit import notification_texts
from memberaudit.notification_texts import (
    ENTITY,
    ISK,
    KILLMAIL,
    NUMBER,
    SENDER,
    TEXT,
    TIME,
    TYPES,
    Group,
    add_names,
    entity_ids,
    parse,
    segments,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TYPE_NAMES = sorted(TYPES)
ids = st.integers(min_value=1, max_value=2**62)
texts = st.text(max_size=200) | st.sampled_from([HOSTILE, "", "'quoted'", "a: b", "- x"])
numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
filetimes = st.integers(min_value=10**17, max_value=2 * 10**17)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(string.ascii_letters, max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _set(data: dict, key: str, value) -> None:
    parts = key.split(".")
    for part in parts[:-1]:
        data = data.setdefault(int(part) if part.isdigit() else part, {})
    last = parts[-1]
    data[int(last) if last.isdigit() else last] = value


@st.composite
def valid_notifications(draw):
    """A notification of a parsed type with generated values for all its fields."""
    notification_type = draw(st.sampled_from(TYPE_NAMES))
    data: dict = {}
    expected: dict = {}
    for name, spec in TYPES[notification_type].fields.items():
        if spec.kind == SENDER:
            continue
        if spec.kind == ENTITY:
            value = draw(ids)
        elif spec.kind == TEXT:
            value = draw(texts)
        elif spec.kind in (NUMBER, ISK):
            value = draw(numbers)
        elif spec.kind == TIME:
            value = draw(filetimes)
        elif spec.kind == KILLMAIL:
            value = draw(ids)
            _set(data, spec.hash_key, draw(st.text(string.hexdigits, min_size=1, max_size=40)))
        _set(data, spec.key, value)
        expected[name] = value
    return notification_type, yaml.safe_dump(data), expected


@given(st.sampled_from(TYPE_NAMES) | st.text(max_size=40), st.text(max_size=500))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_should_never_fail_on_any_text(notification_type, text):
    parsed = parse(notification_type, text, sender_id=90000001)

    assert parsed.group in Group.TITLES
    if not parsed.is_parsed:
        assert parsed.details == {}
    parts = segments(notification_type, parsed.details) if parsed.is_parsed else None
    assert parts is None or all(isinstance(part["text"], str) for part in parts)


@given(st.sampled_from(TYPE_NAMES), yaml_values)
@settings(max_examples=300)
def test_should_never_fail_on_any_yaml_document(notification_type, document):
    text = yaml.safe_dump(document)

    parsed = parse(notification_type, text, sender_id=90000001)

    assert parsed.group == TYPES[notification_type].group
    assert parsed.is_parsed in (True, False)


@given(valid_notifications())
@settings(max_examples=400)
def test_should_parse_every_field_of_every_parsed_type(notification):
    notification_type, text, expected = notification

    parsed = parse(notification_type, text, sender_id=90000007)

    assert parsed.is_parsed, text
    for name, value in expected.items():
        detail = parsed.details[name]
        if detail["kind"] in (ENTITY, KILLMAIL):
            assert detail["id"] == value
        elif detail["kind"] == TEXT:
            assert detail["value"] == value[: notification_texts.MAX_TEXT_VALUE]
        elif detail["kind"] in (NUMBER, ISK):
            assert detail["value"] == value


@given(valid_notifications(), st.text(min_size=1, max_size=60) | st.just(HOSTILE))
@example(("AllWarDeclaredMsg", "againstID: 1\ndeclaredByID: 1\n", {}), "%(")
@example(("AllWarDeclaredMsg", "againstID: 1\ndeclaredByID: 1\n", {}), "%(aggressor)s")
@settings(max_examples=200)
def test_should_show_resolved_names_in_the_sentence_as_plain_data(notification, name):
    notification_type, text, _ = notification
    parsed = parse(notification_type, text, sender_id=90000007)
    names = dict.fromkeys(entity_ids(parsed.details), (name, "character"))

    parts = segments(notification_type, add_names(parsed.details, names))

    assert parts, notification_type
    # no placeholder of the sentence is left unfilled (a name may hold "%(" itself)
    sentence = "".join(part["text"] for part in parts if part["text"] != name)
    assert "%(" not in sentence
    if names:
        linked = [part for part in parts if part.get("url", "").startswith("https://evewho.com/")]
        assert linked and all(part["text"] == name for part in linked)
    assert all(part.get("url", "https://").startswith("https://") for part in parts)


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo owned']\n",
        "charID: !!python/name:os.system\ncorpID: 1\n",
        "a: &a [*a]\n",
        "charID: [unclosed\n",
        "x" * (notification_texts.MAX_PARSED_TEXT + 1),
    ],
)
def test_should_keep_dangerous_or_broken_yaml_unparsed(text):
    parsed = parse("CharLeftCorpMsg", text)

    assert not parsed.is_parsed and parsed.details == {}
    assert parsed.group == Group.CORPORATION


def test_should_keep_unknown_types_in_the_other_group():
    parsed = parse("SkyhookDeployed", "skyhookID: 1\n")

    assert parsed.group == Group.OTHER and not parsed.is_parsed
    assert segments("SkyhookDeployed", {}) is None


def test_should_read_the_sender_for_contact_notifications():
    parsed = parse("ContactAdd", "level: 10\nmessage: hello\n", sender_id=95000001)
    details = add_names(parsed.details, {95000001: ("Vex Morrigan", "character")})

    parts = segments("ContactAdd", details)

    assert parts[0] == {"text": "Vex Morrigan", "url": "https://evewho.com/character/95000001"}
    assert "".join(part["text"] for part in parts).endswith("standing 10: hello")


def test_should_link_killmails_to_the_killboard():
    text = "killMailHash: abc\nkillMailID: 123\nvictimShipTypeID: 587\n"
    details = add_names(parse("KillReportVictim", text).details, {587: ("Rifter", None)})

    parts = segments("KillReportVictim", details)

    assert {"text": "Rifter"} in parts
    assert parts[-1]["url"] == "https://zkillboard.com/kill/123/"


def test_should_read_the_located_system_from_the_target_location():
    text = "characterID: 95000002\ntargetLocation:\n  3: 10000002\n  5: 30000142\n"

    parsed = parse("LocateCharMsg", text)

    assert parsed.details["solar_system"]["id"] == 30000142
    assert parsed.details["region"]["id"] == 10000002


def test_should_convert_eve_file_times():
    parsed = parse(
        "SovStructureReinforced",
        "decloakTime: 133000000000000000\nsolarSystemID: 30004759\n",
    )

    assert parsed.details["decloak"]["value"].startswith("2022-")


def test_should_link_items_like_ships_and_structures():
    astrahus = {"kind": "entity", "id": 35832, "name": "Astrahus", "category": "inventory_type"}
    details = {"structure_type": astrahus}

    parts = notification_texts.segments("StructureUnderAttack", details) or []

    assert {"text": "Astrahus", "url": "https://everef.net/type/35832"} in parts
