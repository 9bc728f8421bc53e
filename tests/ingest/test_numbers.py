"""Figures as national files write them; anything else is a ValueError, never a guess."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pivgm.ingest.numbers import MISSING_MARKS, detect_decimal, is_missing, looks_numeric, parse_number


@pytest.mark.parametrize(
    ("text", "decimal", "number"),
    [
        ("1.234,5", ",", 1234.5),
        ("1,234.5", ".", 1234.5),
        ("12 345", ".", 12345.0),
        ("12\u00a0345,25", ",", 12345.25),
        ("1'234'567", ".", 1234567.0),
        ("-3", ".", -3.0),
        ("\u22123", ".", -3.0),
        ("+7", ",", 7.0),
        ("0,5", ",", 0.5),
        (",5", ",", 0.5),
        ("1.234", ",", 1234.0),
        ("1.234", ".", 1.234),
        ("1E+05", ".", 100000.0),
        ("  42 ", ".", 42.0),
    ],
)
def test_numbers_in_national_forms(text, decimal, number):
    assert parse_number(text, decimal) == number


@pytest.mark.parametrize("text", ["", "..", "...", "…", "-", "—", "n.d.", "N/D", "s.d.", ":"])
def test_missing_marks_are_no_figure(text):
    assert parse_number(text, ".") is None
    assert is_missing(text)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("(123)", "."),
        ("12%", "."),
        ("1,5", "."),
        ("1.23", ","),
        ("1,2345.6", "."),
        ("cinco", ","),
        ("nan", "."),
        ("inf", "."),
        ("1e999", "."),
        ("+", "."),
        ("1.234.5", "."),
    ],
)
def test_garbage_is_a_value_error(text, decimal):
    with pytest.raises(ValueError):
        parse_number(text, decimal)


def test_only_point_and_comma_are_decimal_marks():
    with pytest.raises(ValueError, match="decimal mark"):
        parse_number("1", ";")


def test_the_decimal_mark_is_detected_from_unambiguous_examples():
    assert detect_decimal(["1.234,5", "7"]) == ","
    assert detect_decimal(["0,25"]) == ","
    assert detect_decimal(["1,234.5"]) == "."
    assert detect_decimal(["3.14159"]) == "."
    assert detect_decimal(["1,234", "1.234", "12"]) is None


def test_looks_numeric_accepts_either_mark_but_not_missing_marks_or_periods():
    assert looks_numeric("1.234,5") and looks_numeric("1,234.5") and looks_numeric("-7")
    assert not looks_numeric("..") and not looks_numeric("2024-01") and not looks_numeric("Total")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.sampled_from([".", ","]))
def test_any_text_is_a_number_none_or_a_value_error(text, decimal):
    try:
        value = parse_number(text, decimal)
    except ValueError:
        return
    assert value is None or math.isfinite(value)
    assert (value is None) == (text.strip().casefold() in MISSING_MARKS or is_missing(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=99))
def test_formatted_figures_read_back(whole, cents):
    sign = "-" if whole < 0 else ""
    grouped = f"{abs(whole):,}"
    expected = abs(whole) + cents / 100
    assert parse_number(f"{sign}{grouped}.{cents:02d}", ".") == pytest.approx(-expected if sign else expected)
    spanish = grouped.replace(",", ".")
    assert parse_number(f"{sign}{spanish},{cents:02d}", ",") == pytest.approx(-expected if sign else expected)
