import pytest

from memberaudit.eft import EftFormatError, EftItem, parse_eft, parse_items

DRAKE = """[Drake, My Drake]
Ballistic Control System II
[Empty Low slot]

Large Shield Extender II
10MN Afterburner II /OFFLINE

Heavy Missile Launcher II, Scourge Heavy Missile
Heavy Missile Launcher II, Scourge Heavy Missile
[Empty High slot]

Medium Core Defense Field Extender I


Hobgoblin II x5

Scourge Heavy Missile x1000
"""


def test_should_read_ship_and_fitting_name_from_the_header():
    fitting = parse_eft(DRAKE)

    assert fitting.ship_type_name == "Drake"
    assert fitting.name == "My Drake"


def test_should_read_modules_charges_drones_and_skip_empty_slots():
    fitting = parse_eft(DRAKE)

    assert fitting.type_names() == [
        "Drake",
        "Ballistic Control System II",
        "Large Shield Extender II",
        "10MN Afterburner II",
        "Heavy Missile Launcher II",
        "Scourge Heavy Missile",
        "Medium Core Defense Field Extender I",
        "Hobgoblin II",
    ]
    assert EftItem("Hobgoblin II", 5) in fitting.items
    assert EftItem("Scourge Heavy Missile", 1000) in fitting.items


def test_should_mark_offline_modules():
    assert EftItem("10MN Afterburner II", 1, True) in parse_eft(DRAKE).items


def test_should_accept_windows_line_endings_and_surrounding_whitespace():
    text = "\r\n\r\n  [Drake, My Drake]  \r\n  Damage Control II \r\n\r\nHobgoblin II x5\r\n"

    fitting = parse_eft(text)

    assert fitting.ship_type_name == "Drake"
    assert fitting.type_names() == ["Drake", "Damage Control II", "Hobgoblin II"]


def test_should_accept_a_header_without_fitting_name():
    fitting = parse_eft("[Rifter]\nDamage Control I")

    assert (fitting.ship_type_name, fitting.name) == ("Rifter", "")


def test_should_accept_a_header_without_space_after_the_comma():
    fitting = parse_eft("[Rifter,Tackle, fast]\nDamage Control I")

    assert (fitting.ship_type_name, fitting.name) == ("Rifter", "Tackle, fast")


def test_should_ignore_a_byte_order_mark_and_comment_lines():
    fitting = parse_eft("\ufeff[Rifter, X]\n# my comment\nDamage Control I")

    assert fitting.type_names() == ["Rifter", "Damage Control I"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("[Empty Med slot]", []),
        ("[empty rig slot]", []),
        ("[Empty Subsystem slot]", []),
        ("Hobgoblin II x5", [EftItem("Hobgoblin II", 5)]),
        ("Hobgoblin II x 5", [EftItem("Hobgoblin II", 5)]),
        ("Nanite Repair Paste X50", [EftItem("Nanite Repair Paste", 50)]),
        ("Damage Control II/OFFLINE", [EftItem("Damage Control II", 1, True)]),
        ("Damage Control II /offline", [EftItem("Damage Control II", 1, True)]),
        (
            "125mm Gatling AutoCannon I, EMP S /OFFLINE",
            [EftItem("125mm Gatling AutoCannon I", 1, True), EftItem("EMP S")],
        ),
        ("Capital Armor Repairer I", [EftItem("Capital Armor Repairer I")]),
        ("   ", []),
    ],
)
def test_should_parse_item_lines(line, expected):
    assert parse_items(line) == expected


@pytest.mark.parametrize(
    "text", ["", "   \n\n", "Damage Control I\n[Rifter, X]", "[Empty High slot]"]
)
def test_should_refuse_text_without_a_header(text):
    with pytest.raises(EftFormatError):
        parse_eft(text)
