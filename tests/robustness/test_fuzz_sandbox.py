"""The sandbox fed malformed calls over real HTTP, beyond ``tests/sandbox/test_sandbox_fuzz.py``:

* every parameter of every function given every wrong type (null, booleans, numbers, NaN,
  lists, objects, deep nesting, huge strings, odd unicode: lone surrogates, NUL, bidi
  controls, astral characters), inside a batch with valid calls before and after;
* batches mixing non-object elements and valid calls (hypothesis), each answered in place;
* deeply nested bodies, parameters and request-ids;
* numerals of up to thousands of digits wherever a number is read, dates at and past the ends
  of the calendar, odd ``_toMatch`` lists in imports, and ``NaN`` / ``Infinity`` / ``1e999``
  anywhere in a raw body.

Never an HTTP 500, never a ``SERVER_ERROR`` element for bad input: always the contract's
error element (or a success), and the rest of the batch served. Every answer is JSON as
RFC 8259 has it (no ``NaN`` or ``Infinity``).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.contract import ERROR_CODES
from support.fields import (
    C_BIRTHDAY,
    C_EMAIL,
    C_NAME,
    C_RECORD_ID,
    C_REVENUE,
    G_DESCRIPTION,
    G_NAME,
    G_RECORD_ID,
    S_AMOUNT,
    S_CLOSE_DATE,
    S_CONTACT,
    S_DETAILS,
    S_PROBABILITY,
    S_STATUS,
)
from support.sandboxes import running_sandbox

import snx_desktop.sandbox.functions  # noqa: F401  (fills the registry)
from snx_desktop.sandbox import DEMO_USER
from snx_desktop.sandbox.registry import FUNCTIONS


def _deep(depth: int, leaf: Any = "x") -> Any:
    value: Any = leaf
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


HUGE = "é" * 300_000
WRONG_VALUES: list[tuple[str, Any]] = [
    ("null", None),
    ("true", True),
    ("false", False),
    ("int", 12345),
    ("big-int", 2**80),
    ("negative", -1),
    ("float", -1.5),
    ("big-float", 1e308),
    ("huge-digits", "9" * 5000),
    ("huge-int", 10**4000),
    ("unicode-digits", "²٣"),
    ("empty-list", []),
    ("list", ["x", 1, None]),
    ("empty-object", {}),
    ("object", {"a": "b", C_NAME: ["x"]}),
    ("deep-200", _deep(200)),
    ("empty", ""),
    ("spaces", "   "),
    ("huge", HUGE),
    ("lone-surrogate", "a\ud800b"),
    ("nul-bidi", "x\x00\u202e\u200b\ufeffy"),
    ("astral", "😀𝕏\U0010ffff"),
    ("json-in-string", json.dumps({C_NAME: "x", "a": [1, {"b": None}]})),
    ("deep-json-in-string-300", '{"a": ' * 300 + "1" + "}" * 300),
]
# JSON text nested deeper than Python's parser recursion limit, sent as a string parameter
DEEP_JSON_STRINGS = [
    ("deep-json-in-string", '{"a": ' * 5000 + "1" + "}" * 5000),
    ("deep-array-in-string", "[" * 5000 + "]" * 5000),
]


def strict_json(text: str) -> Any:
    """JSON as RFC 8259 has it: a ``NaN`` or ``Infinity`` in an answer fails the test."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in an answer: {text[:300]}")

    return json.loads(text, parse_constant=refuse)


class Fuzz:
    def __init__(self, handle: Any, client: httpx.Client) -> None:
        self.handle = handle
        self.client = client
        self.url = handle.api_url
        self.token = ""

    def post(self, calls: list[Any]) -> list[dict[str, Any]]:
        body = json.dumps(calls, ensure_ascii=True, allow_nan=False)
        response = self.client.post(self.url, content=body.encode("ascii"))
        assert response.status_code == 200, response.text[:500]
        answer = strict_json(response.text)
        assert isinstance(answer, list)
        assert len(answer) == len(calls)
        return answer

    def call(self, function: str, **params: Any) -> dict[str, Any]:
        [answer] = self.post([{"function": function, "parameters": params}])
        assert "result" in answer, answer
        return answer["result"]


@pytest.fixture(scope="module")
def fuzz() -> Iterator[Fuzz]:
    with running_sandbox(contacts=30, seed=3) as handle, httpx.Client(timeout=60) as client:
        f = Fuzz(handle, client)
        f.token = f.call(
            "get-login-token", **{"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )["login-token"]
        yield f


@pytest.fixture(scope="module")
def valid(fuzz: Fuzz) -> dict[str, dict[str, Any]]:
    """A valid parameter set for every function (ids from the demo data)."""
    t = {"login-token": fuzz.token}
    cid = fuzz.call("get-contacts", **t, **{"page-size": "1"})["contact-list"]["contact-ids"][0]
    gid = fuzz.call("get-groups", **t, **{"page-size": "1"})["group-list"]["group-ids"][0]
    aid = fuzz.call("get-activities", **t, **{"page-size": "1"})["activity-list"]["activity-ids"][0]
    camp = fuzz.call("get-campaigns", **t)["campaign-list"]["campaign-ids"][0]
    common: dict[str, Any] = {
        "email-address": DEMO_EMAIL,
        "password": DEMO_PASSWORD,
        "contact-field-data": {C_NAME: "Fuzz Person"},
        "group-field-data": {G_DESCRIPTION: "fuzzed"},
        "sales-field-data": {S_CONTACT: cid, S_DETAILS: "fuzz"},
        "filter-value": "",
        "start-after": "0",
        "page-size": "5",
        "contact-id": cid,
        "group-id": gid,
        "activity-id": aid,
        "campaign-id": camp,
        "user-id": DEMO_USER.user_id,
        "file-name": "fuzz.txt",
        "base64-data": "aGVsbG8=",
        "match-by-field-data": {C_RECORD_ID: cid},
        "create-if-not-updated": "false",
        "match-nulls": "true",
        "contact-ids-to-delete": ["0badc0de-0000-4000-8000-000000000001"],
        "group-ids-to-delete": ["0badc0de-0000-4000-8000-000000000002"],
        "contacts": json.dumps([{C_NAME: "Fuzz Import", "_toMatch": [C_NAME]}]),
        "details": "fuzz",
        "type": "call",
        "schedule-with": cid,
        "schedule-for": DEMO_USER.user_id,
        "regarding": "fuzz",
        "color": "FF0000",
        "start-time": "2030-01-01 10:00",
        "end-time": "2030-01-01 11:00",
        "timeless": "false",
        "result": "done",
        "contact-ids": [cid],
        "data": "x",
    }
    out: dict[str, dict[str, Any]] = {}
    for name, spec in FUNCTIONS.items():
        params = {p: common[p] for p in (*spec.required, *spec.optional) if p in common}
        if name in ("create-note", "create-note-for-group"):
            params["type"] = "1"
        if name == "update-group":
            params["match-by-field-data"] = {G_RECORD_ID: gid}
        if spec.token:
            params["login-token"] = fuzz.token
        out[name] = params
    return out


def _check_element(element: dict[str, Any], where: str) -> None:
    if "result" in element:
        assert element["result"]["success"] == "true", where
        return
    assert element.get("error-code") in ERROR_CODES, (where, element)
    assert isinstance(element["error"], str), where
    assert element["error"], where
    assert "Traceback" not in element["error"], where


def test_every_function_accepts_its_valid_baseline(
    fuzz: Fuzz, valid: dict[str, dict[str, Any]]
) -> None:
    # the baseline is valid, so that each mutation below tests one parameter only
    calls = [{"function": f, "parameters": p, "request-id": f} for f, p in valid.items()]
    for element in fuzz.post(calls):
        if element["request-id"] in ("delete-contacts", "delete-groups"):
            assert element.get("error-code") == "NOT_FOUND", element
        else:
            assert "result" in element, element


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_wrong_type_for_every_parameter(
    fuzz: Fuzz, valid: dict[str, dict[str, Any]], function: str
) -> None:
    spec = FUNCTIONS[function]
    names = (
        ["login-token", *spec.required, *spec.optional]
        if spec.token
        else [
            *spec.required,
            *spec.optional,
        ]
    )
    calls: list[Any] = []
    for name in names:
        for label, value in WRONG_VALUES:
            if name in ("file-name", "contacts", "base64-data") and label == "huge":
                continue  # size limits are tested by the sandbox's own suite
            params = {**valid[function], name: value}
            calls.append(
                {"function": function, "parameters": params, "request-id": f"{name}/{label}"}
            )
            calls.append({"function": "echo", "parameters": {"data": "ok"}, "request-id": "echo"})
    bad: list[str] = []
    # a few requests of bounded size rather than one per call
    for start in range(0, len(calls), 60):
        chunk = calls[start : start + 60]
        answer = fuzz.post(chunk)
        for sent, element in zip(chunk, answer, strict=True):
            rid = sent["request-id"]
            assert element.get("request-id") == rid, (rid, element)
            if rid == "echo":
                assert element["result"] == {"success": "true", "data": "ok"}
                continue
            try:
                _check_element(element, f"{function} {rid}")
            except AssertionError:
                bad.append(f"{rid}: {element.get('error-code')}")
    assert bad == [], bad


def test_deeply_nested_json_string_parameters_are_invalid_parameters(
    fuzz: Fuzz, valid: dict[str, dict[str, Any]]
) -> None:
    calls = []
    for function, spec in sorted(FUNCTIONS.items()):
        for name in (*spec.required, *spec.optional):
            for label, value in DEEP_JSON_STRINGS:
                params = {**valid[function], name: value}
                rid = f"{function} {name}/{label}"
                calls.append({"function": function, "parameters": params, "request-id": rid})
    bad = []
    for start in range(0, len(calls), 60):
        chunk = calls[start : start + 60]
        for element in fuzz.post(chunk):
            try:
                _check_element(element, element["request-id"])
            except AssertionError:
                bad.append(f"{element['request-id']}: {element.get('error-code')}")
    assert bad == [], bad


_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=()), max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
).filter(lambda v: not isinstance(v, dict))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(st.one_of(_junk, st.just("ECHO")), min_size=1, max_size=25))
def test_non_object_elements_mixed_with_valid_calls(fuzz: Fuzz, batch: list[Any]) -> None:
    calls = [
        {"function": "echo", "parameters": {"data": f"e{i}"}, "request-id": i}
        if item == "ECHO"
        else item
        for i, item in enumerate(batch)
    ]
    answer = fuzz.post(calls)
    for i, (sent, element) in enumerate(zip(calls, answer, strict=True)):
        if isinstance(sent, dict):
            assert element == {"result": {"success": "true", "data": f"e{i}"}, "request-id": i}
        else:
            assert element.get("error-code") == "INVALID_REQUEST", element
            assert "request-id" not in element


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    function=st.sampled_from(sorted(FUNCTIONS)),
    values=st.dictionaries(
        st.sampled_from(
            sorted({p for s in FUNCTIONS.values() for p in (*s.required, *s.optional)})
        ),
        st.text(st.characters(exclude_categories=()), max_size=50),
        max_size=4,
    ),
)
def test_odd_unicode_in_otherwise_valid_calls(
    fuzz: Fuzz, valid: dict[str, dict[str, Any]], function: str, values: dict[str, str]
) -> None:
    params = {**valid[function], **values}
    answer = fuzz.post(
        [
            {"function": "echo", "parameters": {"data": "before"}},
            {"function": function, "parameters": params},
            {"function": "echo", "parameters": {"data": "after"}},
        ]
    )
    assert answer[0]["result"]["data"] == "before"
    assert answer[2]["result"]["data"] == "after"
    _check_element(answer[1], function)


@pytest.mark.parametrize("depth", [100, 900, 5000, 100_000])
def test_deep_nesting_in_body_parameters_and_request_id(fuzz: Fuzz, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = fuzz.client.post(fuzz.url, content=body.encode())
    assert response.status_code in (200, 400), response.status_code
    assert isinstance(strict_json(response.text), list | dict)
    if depth > 1000:
        return  # deeper than a JSON parser nests: the body is refused as a whole (above)
    nested = '{"a": ' * depth + "1" + "}" * depth
    body = (
        f'[{{"function": "echo", "parameters": {{"data": {nested}}}, "request-id": "p"}},'
        f' {{"function": "greet", "request-id": {nested}}},'
        ' {"function": "echo", "parameters": {"data": "after"}, "request-id": "after"}]'
    )
    response = fuzz.client.post(fuzz.url, content=body.encode())
    assert response.status_code == 200, response.text[:300]
    answer = strict_json(response.text)
    _check_element(answer[0], "deep parameter")
    _check_element(answer[1], "deep request-id")
    assert answer[2] == {"result": {"success": "true", "data": "after"}, "request-id": "after"}


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    doc_id=_text | st.uuids().map(str),
    auth=st.none()
    | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60)
    | st.just("Bearer x"),
    query_token=st.none() | _text,
    use_real_token=st.booleans(),
)
def test_document_downloads_never_500(
    fuzz: Fuzz, doc_id: str, auth: str | None, query_token: str | None, use_real_token: bool
) -> None:
    headers = {}
    if use_real_token:
        headers["Authorization"] = f"Bearer {fuzz.token}"
    elif auth is not None:
        headers["Authorization"] = auth
    params = {"login-token": query_token} if query_token is not None else None
    url = f"{fuzz.handle.base_url}/documents/{urllib.parse.quote(doc_id, safe='')}"
    response = fuzz.client.get(url, headers=headers, params=params)
    assert response.status_code in (200, 401, 404, 405, 400), response.status_code
    if not response.headers.get("content-type", "").startswith("application/json"):
        assert response.status_code in (200, 404), response.status_code  # 404: no such route
    elif response.status_code != 200:
        body = strict_json(response.text)
        assert body["error-code"] in ERROR_CODES
        assert body["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.binary(max_size=100)
    | st.dictionaries(
        st.sampled_from(["drop_rate", "drop-rate", "stall_s", "reset", "expire-tokens", "x"])
        | _text,
        st.none() | st.booleans() | st.integers() | st.floats() | _text | st.lists(st.integers()),
        max_size=3,
    ).map(lambda d: json.dumps(d).encode())
)
def test_admin_endpoint_never_500(fuzz: Fuzz, body: bytes) -> None:
    try:
        response = fuzz.client.post(f"{fuzz.handle.base_url}/_sandbox/faults", content=body)
        assert response.status_code in (200, 400), (response.status_code, response.text)
        assert isinstance(strict_json(response.text), dict)
    finally:
        fuzz.handle.faults.clear()
        if fuzz.handle.expire_tokens():  # a fuzzed "expire-tokens" must not break the others
            pass
        fuzz.token = fuzz.call(
            "get-login-token", **{"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )["login-token"]


# --- numerals, dates, _toMatch lists and non-finite numbers ------------------------------------

_NUMERIC_PARAMS = {"page-size", "start-after", "type", "timeless", "create-if-not-updated"}
_NUMERIC_FIELDS = {
    "contact-field-data": (C_REVENUE, C_BIRTHDAY, C_NAME),
    "sales-field-data": (S_STATUS, S_AMOUNT, S_CLOSE_DATE, S_PROBABILITY),
    "group-field-data": (G_DESCRIPTION,),
}


# lengths around the limits that matter: SQLite's 64-bit integers (19-20 digits) and Python's
# int/str conversion limit (4,300 digits)
_LENGTHS = st.sampled_from([16, 19, 20, 21, 64, 4299, 4300, 4301, 5000, 6000])


@st.composite
def _huge_numerals(draw: st.DrawFn) -> Any:
    """Numerals from 16 to 6,000 digits: as text (signs, leading zeros, a fraction, an
    exponent) or as JSON numbers a reader still takes (up to 4,000 digits, or a big float)."""
    form = draw(st.integers(0, 5))
    if form == 0:
        digits = draw(st.integers(1, 9)) * 10 ** draw(st.sampled_from([15, 18, 19, 63, 3999]))
        return digits if draw(st.booleans()) else -digits
    if form == 1:
        return draw(st.sampled_from([1e300, -1e300, 1.7976931348623157e308, 2.0**63, 2.0**64]))
    text = str(draw(st.integers(1, 9))) * draw(_LENGTHS)
    prefix = draw(st.sampled_from(["", "", "", "+", "-", "0" * 40, " "]))
    suffix = draw(st.sampled_from(["", "", "", ".0", ".5", "e5", " ", "x"]))
    return prefix + text + suffix


@st.composite
def _extreme_dates(draw: st.DrawFn) -> str:
    """Date-times at and past the ends of the calendar, in every accepted layout."""
    kind = draw(st.integers(0, 3))
    if kind == 0:  # the last minutes there are
        y, mo, d, h, mi = 9999, 12, 31, 23, draw(st.sampled_from([0, 29, 30, 31, 59]))
    elif kind == 1:  # real dates in the first and last years
        y = draw(st.sampled_from([1, 2, 99, 999, 1000, 9998, 9999]))
        mo, d = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        h, mi = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    else:  # anything, out-of-range fields included
        y = draw(st.sampled_from([0, 1, 9999, 10000, 99999]))
        mo, d = draw(st.integers(-1, 14)), draw(st.integers(0, 32))
        h, mi = draw(st.integers(0, 25)), draw(st.integers(0, 61))
    pm = draw(st.sampled_from(["AM", "PM"]))
    layouts = [
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00",
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}",
        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}",
        f"{y:04d}-{mo:02d}-{d:02d}",
        f"{mo:02d}/{d:02d}/{y:04d} {h % 12 or 12}:{mi:02d} {pm}",
        f"{y}-{mo}-{d}",
        "0000-00-00",
        "0000-00-00 00:00:00",
    ]
    return draw(st.sampled_from(layouts[:5]) if kind < 2 else st.sampled_from(layouts))


_ODD_MATCH = [
    "²",
    "٤٨",
    "9" * 5000,
    "9" * 20,
    "-" + C_NAME,
    "48.0",
    "",
    " ",
    G_NAME,
    "9999",
    10**40,
    -48,
    48.5,
    True,
    None,
    [],
    [C_EMAIL],
    [[int(C_EMAIL)]],
    {C_EMAIL: 1},
]
_odd_match_entry = (
    st.sampled_from(_ODD_MATCH)
    | st.sampled_from([C_NAME, C_EMAIL, f" {C_EMAIL} ", "0" + C_EMAIL, int(C_EMAIL), float(C_NAME)])
    | _huge_numerals()
    | st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(st.characters(exclude_categories=["Cs"]), max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=6,
    )
)
_to_match = st.lists(_odd_match_entry, min_size=1, max_size=3) | _odd_match_entry


def _no_server_error(element: dict[str, Any], where: str) -> None:
    assert element.get("error-code") != "SERVER_ERROR", (where, element)
    _check_element(element, where)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_huge_numerals_wherever_a_number_is_read(
    fuzz: Fuzz, valid: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    function = data.draw(
        st.sampled_from(
            sorted(
                f
                for f, spec in FUNCTIONS.items()
                if {*spec.required, *spec.optional} & (_NUMERIC_PARAMS | set(_NUMERIC_FIELDS))
            )
        )
    )
    spec = FUNCTIONS[function]
    params = dict(valid[function])
    for name in {*spec.required, *spec.optional} & (_NUMERIC_PARAMS | set(_NUMERIC_FIELDS)):
        if name in _NUMERIC_FIELDS:
            fields = dict(params.get(name) or {})
            key = data.draw(st.sampled_from(_NUMERIC_FIELDS[name]))
            fields[key] = data.draw(_huge_numerals())
            if data.draw(st.booleans()):  # a field id of thousands of digits
                fields[str(data.draw(_huge_numerals())).strip()] = "x"
            params[name] = fields
        elif data.draw(st.booleans()):
            params[name] = data.draw(_huge_numerals())
    [before, element, after] = fuzz.post(
        [
            {"function": "echo", "parameters": {"data": "before"}},
            {"function": function, "parameters": params},
            {"function": "echo", "parameters": {"data": "after"}},
        ]
    )
    _no_server_error(element, f"{function} {params}")
    assert (before["result"]["data"], after["result"]["data"]) == ("before", "after")
    if function.startswith("get-") and "result" in element:
        [listing] = [v for k, v in element["result"].items() if k.endswith("-list")]
        ids = next(v for k, v in listing.items() if k.endswith("-ids"))
        assert len(ids) <= 1000  # a huge page-size is clamped


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    function=st.sampled_from(
        ["create-activity", "create-activity-for-group", "update-activity", "complete-activity"]
    ),
    start=_extreme_dates(),
    end=st.none() | st.none() | _extreme_dates(),
    kind=st.sampled_from(["call", "meeting", "todo"]),
    timeless=st.booleans(),
    birthday=_extreme_dates(),
)
def test_extreme_dates(
    fuzz: Fuzz,
    valid: dict[str, dict[str, Any]],
    function: str,
    start: str,
    end: str | None,
    kind: str,
    timeless: bool,
    birthday: str,
) -> None:
    params = {
        k: v for k, v in valid[function].items() if k not in ("start-time", "end-time", "type")
    }
    params.update(type=kind, timeless="true" if timeless else "false")
    params["start-time"] = start
    if end is not None:
        params["end-time"] = end
    t = {"login-token": fuzz.token}
    calls = [
        {"function": function, "parameters": params, "request-id": "activity"},
        {
            "function": "create-contact",
            "parameters": {**t, "contact-field-data": {C_NAME: "Dated", C_BIRTHDAY: birthday}},
            "request-id": "contact",
        },
        {
            "function": "create-sales-opp",
            "parameters": {**t, "sales-field-data": {S_DETAILS: "dated", S_CLOSE_DATE: birthday}},
            "request-id": "sale",
        },
    ]
    answer = fuzz.post(calls)
    for element in answer:
        _no_server_error(element, f"{element['request-id']} {start} {end} {birthday}")
    activity = answer[0]
    if "result" in activity:
        info = fuzz.call(
            "get-activity-info",
            **t,
            **{"activity-id": activity["result"]["activity-id"]},
        )["activity-data"]
        for key in ("start-time", "end-time"):  # always the contract's layout, 4-digit years
            assert len(info[key]) == 19, info
            assert info[key][4] == "-", info
        # and the stored times read back
        again = fuzz.post(
            [
                {
                    "function": "update-activity",
                    "parameters": {**t, "activity-id": activity["result"]["activity-id"]},
                }
            ]
        )
        assert "result" in again[0], again


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {C_NAME: st.just("Odd Import"), C_EMAIL: st.just("odd.import@example.org")},
            optional={"_toMatch": _to_match},
        ),
        min_size=1,
        max_size=5,
    ),
    create=st.booleans(),
    as_string=st.booleans(),
)
def test_odd_to_match_lists_fail_only_their_row(
    fuzz: Fuzz, rows: list[dict[str, Any]], create: bool, as_string: bool
) -> None:
    sentinel = {"_toMatch": [C_EMAIL], C_EMAIL: "odd.sentinel@example.org", C_NAME: "Odd Sentinel"}
    contacts = [*rows, sentinel]
    [answer] = fuzz.post(
        [
            {
                "function": "import-contacts",
                "parameters": {
                    "login-token": fuzz.token,
                    "contacts": json.dumps(contacts) if as_string else contacts,
                    "create-if-not-updated": "true" if create else "false",
                },
            }
        ]
    )
    _no_server_error(answer, f"import {contacts}")
    assert "result" in answer, answer  # rows are independent: the call itself stands
    failed = {int(f["row"]) for f in answer["result"]["failed"]}
    assert len(rows) not in failed  # the sentinel row always goes through
    done = int(answer["result"]["updated-count"]) + int(answer["result"]["created-count"])
    assert done >= (1 if create else 0)


_NON_FINITE = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1E400"])


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    literal=_NON_FINITE,
    where=st.sampled_from(
        [
            '[{"function": "echo", "parameters": {"data": @}}]',
            '[{"function": "echo", "parameters": {"data": [1, {"a": @}]}}]',
            '[{"function": "greet", "request-id": @}]',
            '[{"function": "greet"}, @]',
            '[{"function": "get-contacts", "parameters": {"login-token": "T", "page-size": @}}]',
            '[{"function": "create-contact", "parameters": {"login-token": "T",'
            ' "contact-field-data": {"' + C_NAME + '": @}}}]',
            '[{"function": "echo", "parameters": {"data": "ok"}, "request-id": 1}, @]',
            "@",
        ]
    ),
)
def test_non_finite_numbers_in_raw_bodies_are_refused(fuzz: Fuzz, literal: str, where: str) -> None:
    body = where.replace('"T"', json.dumps(fuzz.token)).replace("@", literal)
    response = fuzz.client.post(fuzz.url, content=body.encode())
    assert response.status_code == 400, (body, response.text[:300])
    refusal = strict_json(response.text)
    assert refusal["error-code"] == "INVALID_REQUEST"
    assert refusal["error"]
    # and the same body with a finite number goes through
    fine = where.replace('"T"', json.dumps(fuzz.token)).replace("@", "1.5")
    response = fuzz.client.post(fuzz.url, content=fine.encode())
    assert response.status_code in (200, 400), response.text[:300]  # "1.5" alone: no array
    answer = strict_json(response.text)
    if isinstance(answer, list):
        for element in answer:
            if isinstance(element, dict):
                _no_server_error(element, fine)
