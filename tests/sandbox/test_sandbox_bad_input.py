"""Bad input gets the contract's error element, never ``SERVER_ERROR`` or HTTP 500: numerals of
thousands of digits, non-ASCII digits, dates at the ends of the calendar, ``_toMatch`` entries
that are not fields, ``NaN`` / ``Infinity`` in a body, a document of blanks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from support.fields import C_BIRTHDAY, C_EMAIL, C_NAME, G_NAME
from support.sandboxapi import Api

HUGE = "9" * 5000
PAGED = ("get-contacts", "get-groups", "get-activities", "get-sales", "get-campaigns")


def _strict(text: str) -> Any:
    """JSON as RFC 8259 has it: NaN and Infinity are not numbers."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in an answer")

    return json.loads(text, parse_constant=refuse)


def _total(api: Api, function: str, **extra: Any) -> int:
    answer = api.call(function, **extra, **{"page-size": "1"})
    [listing] = [v for k, v in answer.items() if k.endswith("-list")]
    return int(listing["total-record-count"])


def _page(api: Api, function: str, **params: Any) -> dict[str, Any]:
    answer = api.call(function, **params)
    [listing] = [v for k, v in answer.items() if k.endswith("-list")]
    assert isinstance(listing, dict)
    return listing


@pytest.mark.parametrize("function", [*PAGED, "get-activities-for-group"])
def test_a_huge_page_size_is_clamped_and_a_huge_start_after_gives_an_empty_page(
    api: Api, function: str
) -> None:
    extra = {"group-id": api.first_group()} if function.endswith("-for-group") else {}
    total = _total(api, function, **extra)
    for size in (HUGE, "+" + HUGE, "0" * 4000 + "7", 10**4000, 1e300):
        page = _page(api, function, **extra, **{"page-size": size})
        assert page["total-record-count"] == str(total)
        expected = 7 if size == "0" * 4000 + "7" else min(total, 1000)
        assert len(page[next(k for k in page if k.endswith("-ids"))]) == min(total, expected)
    for start in (HUGE, 10**4000, "9" * 19, 2**63):
        page = _page(api, function, **extra, **{"start-after": start})
        assert page["total-record-count"] == str(total)
        assert page[next(k for k in page if k.endswith("-ids"))] == []
    for name in ("page-size", "start-after"):
        for bad in ("-" + HUGE, -(10**4000), "²", "٣", "1e5", HUGE + "x"):
            assert api.error(function, **extra, **{name: bad}) == "INVALID_PARAMETER", (name, bad)


def test_a_number_literal_longer_than_json_readers_take_refuses_the_body(api: Api) -> None:
    body = '[{"function": "echo", "parameters": {"data": ' + HUGE + "}}]"
    response = api.client.post(api.url, content=body)
    assert response.status_code == 400
    refusal = _strict(response.text)
    assert refusal["error-code"] == "INVALID_REQUEST"
    assert "more than 4300 digits" in refusal["error"]  # says why, not just "not JSON"
    # one a reader does take is echoed back as it came
    body = '[{"function": "echo", "parameters": {"data": ' + "9" * 4000 + "}}]"
    response = api.client.post(api.url, content=body)
    assert response.status_code == 200
    assert _strict(response.text)[0]["result"]["data"] == int("9" * 4000)


@pytest.mark.parametrize(
    "raw",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1e999",
        '[1, {"x": NaN}]',
    ],
)
def test_non_finite_numbers_in_a_body_are_refused_and_never_echoed(api: Api, raw: str) -> None:
    templates = [
        '[{"function": "echo", "parameters": {"data": RAW}}]',
        '[{"function": "greet", "request-id": RAW}]',
        '[{"function": "get-contacts", "parameters": {"login-token": "TOKEN", "page-size": RAW}}]',
        '[{"function": "greet"}, RAW]',
    ]
    bodies = [t.replace("TOKEN", api.token).replace("RAW", raw) for t in templates]
    for body in bodies:
        response = api.client.post(api.url, content=body)
        assert response.status_code == 400, (body, response.text)
        answer = _strict(response.text)
        assert answer["error-code"] == "INVALID_REQUEST"
        assert "not valid JSON" in answer["error"]
    # finite numbers still travel
    element = api.raw("echo", False, data=[1.5, -0.0, 1e308])
    assert element["result"]["data"] == [1.5, -0.0, 1e308]


def test_import_rows_with_to_match_entries_that_are_not_fields_fail_alone(fresh_api: Api) -> None:
    api = fresh_api
    odd: list[Any] = [
        HUGE,
        "99999",
        "²",
        [int(C_EMAIL)],
        {C_EMAIL: 1},
        None,
        True,
        1.5,
        "-" + C_NAME,
        G_NAME,
    ]
    rows: list[dict[str, Any]] = [
        {"_toMatch": [entry], C_NAME: f"Odd Match {i}", C_EMAIL: f"odd{i}@example.org"}
        for i, entry in enumerate(odd)
    ]
    rows.append(
        {"_toMatch": [C_EMAIL], C_NAME: "Plain Import", C_EMAIL: "plain.import@example.org"}
    )
    rows.append(
        {"_toMatch": [133, C_NAME], C_NAME: "Two Fields", C_EMAIL: "two.fields@example.org"}
    )
    result = api.call(
        "import-contacts", contacts=json.dumps(rows), **{"create-if-not-updated": "true"}
    )
    failed = {int(f["row"]): f["error"] for f in result["failed"]}
    assert sorted(failed) == list(range(len(odd)))
    for error in failed.values():
        assert "_toMatch" in error
        assert "not a contact field id" in error
    assert result["created-count"] == "2"
    created = {api.contact(cid)[C_NAME] for cid in result["contact-ids"]}
    assert created == {"Plain Import", "Two Fields"}


def test_an_activity_that_would_end_after_9999_is_refused(fresh_api: Api) -> None:
    api = fresh_api
    late = "9999-12-31T23:30"
    for params in (
        {"type": "call", "start-time": late},
        {"type": "meeting", "start-time": "12/31/9999 11:30 PM"},
        {"type": "meeting", "start-time": late, "timeless": "true"},
    ):
        element = api.raw("create-activity", **params)
        assert element.get("error-code") == "INVALID_PARAMETER", element
        assert "9999" in element["error"]
    # a to-do lasts no time, so it fits; an hour-long meeting moved there does not
    todo = api.call("create-activity", type="todo", **{"start-time": "9999-12-31T23:59:59"})
    info = api.call("get-activity-info", **{"activity-id": todo["activity-id"]})
    assert info["activity-data"]["end-time"] == "9999-12-31T23:59:59"
    meeting = api.call(
        "create-activity",
        type="meeting",
        **{"start-time": "2031-01-01T10:00", "end-time": "2031-01-01T11:00"},
    )["activity-id"]
    moved = api.raw("update-activity", **{"activity-id": meeting, "start-time": late})
    assert moved.get("error-code") == "INVALID_PARAMETER", moved
    info = api.call("get-activity-info", **{"activity-id": meeting})["activity-data"]
    assert info["start-time"] == "2031-01-01T10:00:00"


def test_dates_at_the_start_of_the_calendar_are_written_with_four_digit_years(
    fresh_api: Api,
) -> None:
    api = fresh_api
    aid = api.call(
        "create-activity", type="call", **{"start-time": "0001-01-01T09:00", "regarding": "old"}
    )["activity-id"]
    data = api.call("get-activity-info", **{"activity-id": aid})["activity-data"]
    assert (data["start-time"], data["end-time"]) == ("0001-01-01T09:00:00", "0001-01-01T09:30:00")
    # the stored times are read back when the activity changes
    api.call("update-activity", **{"activity-id": aid, "regarding": "older"})
    api.call("complete-activity", **{"activity-id": aid, "result": "done"})
    cid = api.call(
        "create-contact", **{"contact-field-data": {C_NAME: "Old Timer", C_BIRTHDAY: "1/2/0099"}}
    )["contact-id"]
    assert api.contact(cid)[C_BIRTHDAY] == "0099-01-02T00:00:00"
    for bad in ("0000-00-00", "2024-13-01", "2024-02-30", "10000-01-01", "0-01-01", "²⁰²⁴-01-01"):
        assert api.error("create-activity", **{"start-time": bad}) == "INVALID_PARAMETER", bad
        assert (
            api.error("create-contact", **{"contact-field-data": {C_NAME: "x", C_BIRTHDAY: bad}})
            == "INVALID_PARAMETER"
        ), bad


def test_a_document_of_blanks_is_refused_like_an_empty_one(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    before = api.call("get-docs-for-contact", **{"contact-id": cid})["document-list"]
    for blank in ("", "   ", "\n\t \r\n", "====", " = = "):
        assert (
            api.error(
                "add-doc-to-contact",
                **{"contact-id": cid, "file-name": "blank.txt", "base64-data": blank},
            )
            == "MISSING_PARAMETER"
        ), repr(blank)
    after = api.call("get-docs-for-contact", **{"contact-id": cid})["document-list"]
    assert after["total-record-count"] == before["total-record-count"]


def test_field_ids_and_codes_that_no_integer_reading_takes(api: Api) -> None:
    cid = api.first_contact()
    for key in (HUGE, "²", "٤٨", "4" * 30, "-" + C_NAME):
        assert (
            api.error("create-contact", **{"contact-field-data": {key: "x"}}) == "INVALID_PARAMETER"
        ), key
        assert (
            api.error(
                "update-contact",
                **{"match-by-field-data": {key: "x"}, "contact-field-data": {C_NAME: "x"}},
            )
            == "INVALID_PARAMETER"
        ), key
    for code in ("²", "٣", HUGE[:90]):
        assert (
            api.error("create-note", **{"contact-id": cid, "details": "x", "type": code})
            == "INVALID_PARAMETER"
        ), code


def test_every_bad_input_answer_is_strict_json(api: Api) -> None:
    calls = [
        {"function": "get-contacts", "parameters": {"login-token": api.token, "page-size": HUGE}},
        {"function": "echo", "parameters": {"data": 1e308}},
        {"function": "echo", "parameters": {"data": -(10**4000)}},
    ]
    response = httpx.post(api.url, content=json.dumps(calls), timeout=20)
    assert response.status_code == 200
    answer = _strict(response.text)
    assert all("result" in element for element in answer), answer
