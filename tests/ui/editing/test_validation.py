"""The input checks behind the dialogs' inline messages."""

from __future__ import annotations

from datetime import datetime

from snx_desktop.ui.editing import validation as v


def test_email() -> None:
    assert v.check_email("") == ""
    assert v.check_email("ana@example.org") == ""
    for bad in ("ana", "ana@", "@x.org", "a b@x.org", "ana@x", "ana@@x.org"):
        assert "not an e-mail address" in v.check_email(bad), bad


def test_phone() -> None:
    for good in ("+1 (555) 010-2000", "555.123.4567", "030 1234 ext 12", "0171/55555"):
        assert v.check_phone(good) == "", good
    assert "digits" in v.check_phone("555-CALL-NOW")
    assert "at least 3 digits" in v.check_phone("12")
    assert v.check_phone("1+2") != ""


def test_colour() -> None:
    assert v.check_colour("#3a7bd5") == ""
    assert v.normalise_colour("#3a7bd5") == "3A7BD5"
    for bad in ("12345", "12345G", "#1234567", "red"):
        assert "RRGGBB" in v.check_colour(bad), bad


def test_numbers_dates_ranges() -> None:
    assert v.check_number("12,500.50") == ""
    assert v.normalise_number("12,500.50") == "12500.5"
    assert v.normalise_number("$1,000") == "1000"
    assert "must be a number" in v.check_number("twelve", "Amount")
    assert v.normalise_date("2026-12-31") == "2026-12-31T00:00:00"
    assert v.check_date("12/31/2026") == ""
    assert v.check_date("31/31/2026") != ""
    assert v.check_time("14:30") == ""
    assert v.check_time("25:00") != ""
    a, b = datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 9)
    assert v.check_range(a, b) == "The end cannot be before the start."
    assert v.check_range(b, a) == ""
    assert v.check_typed("x", v.FIELD_PHONE, "Phone") != ""
    assert v.check_typed("x", v.FIELD_TEXT, "Name") == ""
    assert v.check_required("  ", "Name") == "Name is required."
