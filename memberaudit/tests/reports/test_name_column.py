"""The name column helper the tables share (memberaudit.json_tables.common)."""

from types import SimpleNamespace

from memberaudit.json_tables.common import name_column


def test_should_read_sort_and_search_a_name_by_its_field():
    column = name_column(
        "character", "character_name", "eve_character__character_name", "Character", 1
    )

    assert column.value(SimpleNamespace(character_name="Aria Jaxon")) == "Aria Jaxon"
    assert column.order_by == "character_name"
    assert column.search == "eve_character__character_name"
    assert column.browser_spec() == {
        "data": "character",
        "title": "Character",
        "orderable": True,
        "searchable": True,
        "render": "text",
        "priority": 1,
        "align": "start",
        "details": False,
    }
