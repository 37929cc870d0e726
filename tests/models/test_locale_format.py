"""Values shown in the user's language: dates in its order with the month's name, numbers,
amounts and percentages with its separators; what is typed read the same way and refused
when that language would read it otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from snx_desktop.models.localefmt import (
    date_edit_format,
    number_message,
    parse_local_number,
)
from snx_desktop.models.schema import CURRENCY, DATE, NUMBER, PERCENT, format_value


@pytest.fixture
def locale_named(request: pytest.FixtureRequest) -> Iterator[str]:
    before = QLocale()
    QLocale.setDefault(QLocale(request.param))
    yield str(request.param)
    QLocale.setDefault(before)


SHOWN = {
    "de_DE": ("4. März 2026", "14:30", "1.234,56\u00a0€", "1.234,5", "12,5%", "dd.MM.yyyy"),
    "en_GB": ("4 Mar 2026", "14:30", "£1,234.56", "1,234.5", "12.5%", "dd/MM/yyyy"),
    "en_US": ("Mar 4, 2026", "2:30\u202fPM", "$1,234.56", "1,234.5", "12.5%", "M/d/yyyy"),
}


@pytest.mark.parametrize("locale_named", list(SHOWN), indirect=True)
def test_values_are_shown_in_the_users_language(locale_named: str) -> None:
    day, time, money, number, percent, edit_format = SHOWN[locale_named]
    assert format_value("2026-03-04T00:00:00", DATE) == day
    with_time = format_value("2026-03-04T14:30:00", DATE).replace("\u202f", " ")
    assert with_time == f"{day} {time}".replace("\u202f", " ")
    assert format_value("1234.56", CURRENCY) == money
    assert format_value("1234.5", NUMBER) == number
    assert format_value("12.5", PERCENT) == percent
    assert date_edit_format() == edit_format  # four-digit years, never "yy"


READ = {
    # typed: (de_DE, en_GB, en_US)
    "1,5": (1.5, None, None),
    "1.5": (None, 1.5, 1.5),
    "1.234,56 €": (1234.56, None, None),
    "1,234.56": (None, 1234.56, 1234.56),
    "$1,234.56": (None, 1234.56, 1234.56),
    "12,5 %": (12.5, None, None),
    "-3": (-3.0, -3.0, -3.0),
    "twelve": (None, None, None),
    "1,2,3": (None, None, None),
}


@pytest.mark.parametrize("locale_named", list(SHOWN), indirect=True)
@pytest.mark.parametrize("typed", list(READ))
def test_typed_numbers_are_read_as_the_language_writes_them(locale_named: str, typed: str) -> None:
    expected = READ[typed][list(SHOWN).index(locale_named)]
    assert parse_local_number(typed) == expected
    message = number_message(typed, "Annual Revenue")
    if expected is None:
        assert message.startswith("Annual Revenue must be a number written like ")
    else:
        assert message == ""
