"""The number column helper the tables share (memberaudit.json_tables.common)."""

from types import SimpleNamespace

from memberaudit.json_tables.common import number_column


def test_should_read_sort_and_show_a_number_by_its_name():
    column = number_column("users", "Users", 1)

    assert column.value({"users": 3}) == 3
    assert column.value(SimpleNamespace(users=4)) == 4
    assert column.order_by == "users"
    assert column.browser_spec() == {
        "data": "users",
        "title": "Users",
        "orderable": True,
        "searchable": False,
        "render": "number",
        "priority": 1,
        "align": "end",
        "details": False,
    }


def test_should_take_its_renderer_reader_and_sort_key_when_given():
    column = number_column(
        "price", "Price", render="isk", order_by="unit_price", value=lambda row: row.cost * 2
    )
    unsorted = number_column("total", "Total", order_by=None)

    assert column.value(SimpleNamespace(cost=1.5)) == 3.0
    assert (column.render, column.order_by, column.priority) == ("isk", "unit_price", 5)
    assert unsorted.order_by is None
    assert not unsorted.browser_spec()["orderable"]
