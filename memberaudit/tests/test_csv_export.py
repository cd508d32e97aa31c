"""Every CSV the app writes is safe in a spreadsheet: no cell runs as a formula."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django.contrib.auth.models import User
from django.urls import reverse

from allianceauth.tests.auth_utils import AuthUtils

from memberaudit.csv_export import FORMULA_STARTS, LEADING_BLANKS, csv_lines, safe_cell
from memberaudit.reports import REPORTS

from .factories import create_character, create_user_with_main

# Text built to look like formulas: blanks, then maybe a formula sign, then anything.
FORMULA_LIKE = st.builds(
    lambda blanks, sign, rest: blanks + sign + rest,
    st.text(alphabet=" \t\r\n", max_size=3),
    st.sampled_from(["", *FORMULA_STARTS]),
    st.text(max_size=20),
)


def read_back(values) -> list[str]:
    text = "".join(csv_lines(["header"] * len(values), [values]))
    return list(csv.reader(io.StringIO(text, newline="")))[1]


def runs_as_formula(cell: str) -> bool:
    return cell[:1] in ("\t", "\r") or cell.lstrip(LEADING_BLANKS)[:1] in FORMULA_STARTS


@given(st.one_of(FORMULA_LIKE, st.text()))
def test_should_never_write_a_cell_that_runs_as_a_formula(text):
    (cell,) = read_back([text])

    assert not runs_as_formula(cell)
    assert cell in (text, f"'{text}")  # nothing lost: at most an apostrophe in front
    assert (cell == text) is not runs_as_formula(text)


class _Named:
    """A value that is neither text nor a number, written as its text (e.g. a lazy
    translation or a model)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def protected_cell(value, yes_no=("yes", "no")):
    """What a cell must be, decided the long way: every value is looked at as text."""
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return f"'{text}" if runs_as_formula(text) else text


HOSTILE_VALUES = st.one_of(
    FORMULA_LIKE,
    st.text(),
    st.builds(_Named, st.one_of(FORMULA_LIKE, st.text())),
    st.integers(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)


@given(st.lists(HOSTILE_VALUES, max_size=8))
def test_should_write_any_value_as_the_long_way_would(values):
    assert [safe_cell(value, ("yes", "no")) for value in values] == [
        protected_cell(value) for value in values
    ]
    cells = read_back(values) if values else []
    for value, cell in zip(values, cells, strict=True):
        if not isinstance(value, int | float | Decimal):  # numbers stay numbers, even negative
            assert not runs_as_formula(cell)


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_should_keep_numbers_numbers(number):
    (cell,) = read_back([number])

    assert cell == str(number)
    assert safe_cell(number) == number


def test_should_write_yes_no_and_empty():
    assert read_back([True, False, None]) == ["yes", "no", ""]


@pytest.mark.django_db
@pytest.mark.parametrize("report", list(REPORTS))
def test_should_neutralize_formulas_in_every_report_csv(client, report):
    hostile = '=HYPERLINK("https://evil.example","x")'
    user = create_user_with_main(
        character_name=f" {hostile}", corporation_name=f"\t{hostile}", alliance_name=hostile
    )
    create_character(user=user, character_name=f"@{hostile}")
    AuthUtils.add_permissions_to_user_by_name(
        ["memberaudit.reports_access", "memberaudit.view_everything"], user
    )
    client.force_login(User.objects.get(pk=user.pk))

    response = client.get(reverse("memberaudit:report_csv", args=[report]))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response).decode(), newline="")))
    cells = [cell for row in rows for cell in row]
    if report != "skill_sets":  # no skill set here: that report has no rows
        assert any(hostile in cell for cell in cells)
    assert not [cell for cell in cells if runs_as_formula(cell)]
