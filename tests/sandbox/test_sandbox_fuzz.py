"""Fuzzing call objects: the sandbox never fails with a 500, every bad call gets a contract
error element, and the other calls of the batch are still served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.contract import ERROR_CODES, VENDOR_FUNCTIONS
from support.fields import (
    C_COMPANY,
    C_CREATED,
    C_EMAIL,
    C_EMAIL2,
    C_FIRST,
    C_LAST,
    C_NAME,
    C_PHONE,
    C_RECORD_ID,
    C_TITLE,
    G_DESCRIPTION,
    G_NAME,
    G_RECORD_ID,
    S_AMOUNT,
    S_CLOSE_DATE,
    S_CONTACT,
    S_STATUS,
)
from support.sandboxapi import Api
from support.sandboxes import running_sandbox

PARAM_NAMES = [
    "email-address",
    "password",
    "contact-field-data",
    "filter-value",
    "start-after",
    "page-size",
    "contact-id",
    "file-name",
    "base64-data",
    "match-by-field-data",
    "create-if-not-updated",
    "contact-ids-to-delete",
    "contacts",
    "match-nulls",
    "group-id",
    "group-field-data",
    "group-ids-to-delete",
    "details",
    "user-id",
    "type",
    "schedule-with",
    "schedule-for",
    "regarding",
    "color",
    "start-time",
    "end-time",
    "timeless",
    "activity-id",
    "result",
    "campaign-id",
    "contact-ids",
    "sales-field-data",
    "data",
]

_any_text = st.text(st.characters(exclude_categories=()), max_size=40)
_guids = st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper())
_field_ids = st.sampled_from(
    [
        C_RECORD_ID,
        G_RECORD_ID,
        C_PHONE,
        C_COMPANY,
        C_NAME,
        C_FIRST,
        C_LAST,
        C_TITLE,
        C_EMAIL,
        C_CREATED,
        C_EMAIL2,
        S_CONTACT,
        S_STATUS,
        S_AMOUNT,
        S_CLOSE_DATE,
        G_NAME,
        G_DESCRIPTION,
        "9999",
        "-1",
        "x",
    ]
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)  # NaN and Infinity: see below
    | _any_text
    | _guids
    | st.sampled_from(
        [
            "",
            "0",
            "50",
            "true",
            "false",
            "call",
            "FF0000",
            "2030-01-01 10:00",
            "01/02/2030 3:04 PM",
            "aGVsbG8=",
            "[1,2]",
            f'[{{"_toMatch":[{C_EMAIL}]}}]',
        ]
    )
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_field_ids | _any_text, inner, max_size=4)
    ),
    max_leaves=12,
)
_params = st.dictionaries(st.sampled_from(PARAM_NAMES) | _any_text, _values, max_size=6)


@st.composite
def calls(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(_values)  # anything at all in place of a call
    call: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        call["function"] = draw(st.sampled_from(VENDOR_FUNCTIONS) | _any_text | _scalars)
    if draw(st.booleans()):
        params = draw(_params)
        if isinstance(params, dict) and draw(st.booleans()):
            params["login-token"] = "VALID"
        call["parameters"] = params if draw(st.integers(0, 9)) else draw(_values)
    if draw(st.booleans()):
        call["request-id"] = draw(_values)
    return call


@pytest.fixture(scope="module")
def fuzz_api() -> Iterator[Api]:
    with running_sandbox(contacts=30, seed=3) as handle, httpx.Client(timeout=20) as client:
        api = Api(handle, client)
        api.login()
        yield api


def _with_token(value: Any, token: str) -> Any:
    if isinstance(value, dict) and (
        value.get("parameters", {})
        and isinstance(value["parameters"], dict)
        and (value["parameters"].get("login-token") == "VALID")
    ):
        value = {**value, "parameters": {**value["parameters"], "login-token": token}}
    return value


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(call=calls())
def test_fuzzed_call_objects(fuzz_api: Api, call: Any) -> None:
    call = _with_token(call, fuzz_api.token)
    body = json.dumps(
        [call, {"function": "greet", "request-id": "after"}], ensure_ascii=True, allow_nan=True
    )
    response = fuzz_api.client.post(fuzz_api.url, content=body.encode("ascii"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert isinstance(answer, list)
    assert len(answer) == 2
    first = answer[0]
    if "result" in first:
        assert first["result"]["success"] == "true"
    else:
        assert first["error-code"] in ERROR_CODES, first
        assert isinstance(first["error"], str)
        assert first["error"]
        assert "Traceback" not in first["error"]
    if isinstance(call, dict) and "request-id" in call:
        assert json.dumps(first["request-id"]) == json.dumps(call["request-id"])
    elif "request-id" in first:
        pytest.fail("request-id must only be echoed when given")
    assert answer[1] == {
        "result": {"success": "true", "message": answer[1]["result"]["message"]},
        "request-id": "after",
    }


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=200) | _any_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_fuzzed_bodies_never_500(fuzz_api: Api, raw: bytes) -> None:
    response = fuzz_api.client.post(fuzz_api.url, content=raw)
    assert response.status_code in (200, 400)
    assert isinstance(response.json(), list | dict)


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=_json_values)
def test_pretty_layout_equals_json_dumps_indent_2(value: Any) -> None:
    from snx_desktop.sandbox.app import pretty_json

    for ascii_only in (False, True):
        assert pretty_json(value, ascii_only) == json.dumps(
            value, indent=2, ensure_ascii=ascii_only
        )


@settings(max_examples=100, deadline=None)
@given(value=st.recursive(st.floats() | _any_text, lambda inner: st.lists(inner, max_size=4)))
def test_answers_are_json_even_for_numbers_json_cannot_write(value: Any) -> None:
    from snx_desktop.sandbox.app import dump_json

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} written")

    text = dump_json(value).decode("utf-8", "surrogatepass")
    json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def real_ids(fuzz_api: Api) -> dict[str, list[str]]:
    api = fuzz_api
    contacts = api.contacts(**{"page-size": "20"})["contact-ids"]
    activities = api.call("get-activities")["activity-list"]["activity-ids"][:5]
    groups = api.call("get-groups")["group-list"]["group-ids"][:5]
    campaigns = api.call("get-campaigns")["campaign-list"]["campaign-ids"][:3]
    users = api.call("get-users")["user-list"]["user-ids"]
    return {"ids": contacts + activities + groups + campaigns + users}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_fuzzed_parameters_of_each_function(
    fuzz_api: Api, real_ids: dict[str, list[str]], data: st.DataObject
) -> None:
    from snx_desktop.sandbox.registry import FUNCTIONS

    name = data.draw(st.sampled_from(sorted(FUNCTIONS)))
    spec = FUNCTIONS[name]
    ids = st.sampled_from(real_ids["ids"])
    values = (
        ids
        | ids.map(str.upper)
        | st.lists(ids | _scalars, max_size=3)
        | st.dictionaries(_field_ids, ids | _scalars, max_size=4)
        | st.dictionaries(_field_ids, ids | _scalars, max_size=3).map(json.dumps)
        | st.lists(
            st.dictionaries(
                st.sampled_from(["_toMatch", C_RECORD_ID, C_NAME, C_EMAIL, C_PHONE]),
                _scalars | st.lists(_field_ids, max_size=2),
                max_size=4,
            ),
            max_size=3,
        ).map(json.dumps)
        | _values
    )
    params: dict[str, Any] = {"login-token": fuzz_api.token}
    for param in (*spec.required, *spec.optional):
        if data.draw(st.integers(0, 4)):
            params[param] = data.draw(values)
    body = json.dumps(
        [{"function": name, "parameters": params, "request-id": "x"}, {"function": "greet"}],
        ensure_ascii=True,
    )
    response = fuzz_api.client.post(fuzz_api.url, content=body.encode("ascii"))
    assert response.status_code == 200, response.text
    first, second = response.json()
    if "result" in first:
        assert first["result"]["success"] == "true"
    else:
        assert first["error-code"] in ERROR_CODES, (name, params, first)
    assert first["request-id"] == "x"
    assert second["result"]["success"] == "true"
