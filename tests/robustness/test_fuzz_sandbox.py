"""The sandbox fed malformed calls over real HTTP, beyond ``tests/sandbox/test_sandbox_fuzz.py``:

* every parameter of every function given every wrong type (null, booleans, numbers, NaN,
  lists, objects, deep nesting, huge strings, odd unicode: lone surrogates, NUL, bidi
  controls, astral characters), inside a batch with valid calls before and after;
* batches mixing non-object elements and valid calls (hypothesis), each answered in place;
* deeply nested bodies, parameters and request-ids.

Never an HTTP 500, never a ``SERVER_ERROR`` element for bad input: always the contract's
error element (or a success), and the rest of the batch served.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.contract import ERROR_CODES
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
    ("nan", math.nan),
    ("inf", math.inf),
    ("empty-list", []),
    ("list", ["x", 1, None]),
    ("empty-object", {}),
    ("object", {"a": "b", "48": ["x"]}),
    ("deep-200", _deep(200)),
    ("empty", ""),
    ("spaces", "   "),
    ("huge", HUGE),
    ("lone-surrogate", "a\ud800b"),
    ("nul-bidi", "x\x00\u202e\u200b\ufeffy"),
    ("astral", "😀𝕏\U0010ffff"),
    ("json-in-string", '{"48": "x", "a": [1, {"b": null}]}'),
    ("deep-json-in-string-300", '{"a": ' * 300 + "1" + "}" * 300),
]
# JSON text nested deeper than Python's parser recursion limit, sent as a string parameter
DEEP_JSON_STRINGS = [
    ("deep-json-in-string", '{"a": ' * 5000 + "1" + "}" * 5000),
    ("deep-array-in-string", "[" * 5000 + "]" * 5000),
]


class Fuzz:
    def __init__(self, handle: Any, client: httpx.Client) -> None:
        self.handle = handle
        self.client = client
        self.url = handle.api_url
        self.token = ""

    def post(self, calls: list[Any]) -> list[dict[str, Any]]:
        body = json.dumps(calls, ensure_ascii=True, allow_nan=True)
        response = self.client.post(self.url, content=body.encode("ascii"))
        assert response.status_code == 200, response.text[:500]
        answer = response.json()
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
            "get-login-token", **{"email-address": "demo@example.com", "password": "demo"}
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
        "email-address": "demo@example.com",
        "password": "demo",
        "contact-field-data": {"48": "Fuzz Person"},
        "group-field-data": {"301": "fuzzed"},
        "sales-field-data": {"220": cid, "231": "fuzz"},
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
        "match-by-field-data": {"1": cid},
        "create-if-not-updated": "false",
        "match-nulls": "true",
        "contact-ids-to-delete": ["0badc0de-0000-4000-8000-000000000001"],
        "group-ids-to-delete": ["0badc0de-0000-4000-8000-000000000002"],
        "contacts": '[{"48": "Fuzz Import", "_toMatch": ["48"]}]',
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
            params["match-by-field-data"] = {"2": gid}
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
    | st.floats(allow_nan=True)
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
    assert isinstance(response.json(), list | dict)
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
    answer = response.json()
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
        body = response.json()
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
        assert isinstance(response.json(), dict)
    finally:
        fuzz.handle.faults.clear()
        if fuzz.handle.expire_tokens():  # a fuzzed "expire-tokens" must not break the others
            pass
        fuzz.token = fuzz.call(
            "get-login-token", **{"email-address": "demo@example.com", "password": "demo"}
        )["login-token"]
