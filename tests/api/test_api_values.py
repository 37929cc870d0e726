"""Wire values read in one place: every date-time, number and boolean form the contract or any
part of the app accepts, and the app's readers (lists, agenda, edit forms, services) agreeing
on each of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from snx_desktop.api.values import (
    as_bool,
    format_datetime,
    format_number,
    parse_datetime,
    parse_number,
)
from snx_desktop.models import schema
from snx_desktop.ui.editing import agendadata, validation

_DAY = datetime(2026, 1, 2)

#: (text, the date-time it means or None)
DATE_TIMES: list[tuple[Any, datetime | None]] = [
    ("2026-01-02T03:04:05", datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02T03:04", datetime(2026, 1, 2, 3, 4)),
    ("2026-01-02 03:04:05", datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02 03:04", datetime(2026, 1, 2, 3, 4)),
    ("01/02/2026 3:04 PM", datetime(2026, 1, 2, 15, 4)),
    ("01/02/2026 03:04:05 AM", datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02", _DAY),
    ("01/02/2026", _DAY),
    ("2026-01-02T03:04:05+02:00", datetime(2026, 1, 2, 3, 4, 5)),
    ("2026-01-02T03:04:05.250Z", datetime(2026, 1, 2, 3, 4, 5, 250000)),
    ("  2026-01-02T03:04:05  ", datetime(2026, 1, 2, 3, 4, 5)),
    ("", None),
    (None, None),
    ("not a date", None),
    ("2026-13-01", None),
    ("2026-01-02 in the morning", None),
]


@pytest.mark.parametrize(("text", "expected"), DATE_TIMES)
def test_every_reader_takes_the_same_date_forms(text: Any, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected
    assert agendadata.parse_wire(text) == expected
    if text is not None:
        starts_with_a_date = expected is None and text.strip().startswith("2026-01-02")
        assert schema.parse_datetime(text) == (_DAY if starts_with_a_date else expected)
        assert (validation.check_date(text) == "") == (expected is not None or not text.strip())
        if expected is not None:
            assert validation.normalise_date(text) == format_datetime(expected)


def test_lists_also_read_a_value_that_starts_with_a_date() -> None:
    assert parse_datetime("2026-01-02 in the morning") is None
    assert parse_datetime("2026-01-02 in the morning", leading_date=True) == _DAY
    assert schema.parse_datetime("2026-01-02 in the morning") == _DAY
    assert parse_datetime("junk", leading_date=True) is None


def test_date_times_travel_in_one_form() -> None:
    assert format_datetime(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        (" TRUE ", True),
        ("1", True),
        ("yes", True),
        ("y", True),
        ("t", True),
        ("on", True),
        (True, True),
        (1, True),
        (2.5, True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("", False),
        (None, False),
        (0, False),
        (False, False),
    ],
)
def test_booleans(value: Any, expected: bool) -> None:
    assert as_bool(value) is expected
    assert agendadata.is_completed({"completed": value}) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234", 1234.0),
        ("-3.5", -3.5),
        ("1,234.5", 1234.5),
        ("$ 5", 5.0),
        ("€3", 3.0),
        ("£ 1,000", 1000.0),
        ("12%", 12.0),
        (7, 7.0),
        (2.5, 2.5),
        ("", None),
        (None, None),
        ("abc", None),
        ("12 apples", None),
    ],
)
def test_numbers(value: Any, expected: float | None) -> None:
    assert parse_number(value) == expected
    if isinstance(value, str):
        assert (validation.check_number(value) == "") == (expected is not None or not value)
        assert schema.sort_key(value, schema.NUMBER) == (expected or 0.0)


@pytest.mark.parametrize(
    ("value", "wire"),
    [(1234.56, "1234.56"), (15.0, "15"), (-0.5, "-0.5"), (2000.5, "2000.5"), (1e6, "1000000")],
)
def test_numbers_travel_with_a_dot_and_no_separators(value: float, wire: str) -> None:
    assert format_number(value) == wire
    assert parse_number(wire) == value
