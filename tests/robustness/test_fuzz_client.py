"""The wire client fed malformed answers through ``httpx.MockTransport``, beyond
``tests/api/test_api_batch_and_fuzz.py``: every call method of the client (not only a few),
answers nested deeper than a JSON parser goes (as the body and inside JSON-string fields),
huge and odd-unicode values, broken sign-in and re-sign-in answers, broken downloads.

The rule: a call returns its typed result or raises a ``SalesNexusError`` subclass, never
anything else, and never hangs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_NAME, C_RECORD_ID, C_TITLE, G_DESCRIPTION, G_RECORD_ID, S_CONTACT

from snx_desktop.api import SalesNexusClient, SalesNexusError

BASE = "http://127.0.0.1:9"
TOKEN = "tok-fuzz-0123456789abcdef"
ID = "0b4f3a4e-7d55-4c7e-8f0e-3f1a2b3c4d5e"

Call = Callable[[SalesNexusClient], Awaitable[Any]]

# every call method of the client, with valid arguments
CALLS: dict[str, Call] = {
    "greet": lambda c: c.greet(),
    "echo": lambda c: c.echo("x"),
    "get_all_fields": lambda c: c.get_all_fields(),
    "get_user_layouts": lambda c: c.get_user_layouts(),
    "get_users": lambda c: c.get_users(),
    "create_contact": lambda c: c.create_contact(contact_field_data={int(C_NAME): "A"}),
    "get_contacts": lambda c: c.get_contacts(page_size=5),
    "get_contact_info": lambda c: c.get_contact_info(ID),
    "get_notes_for_contact": lambda c: c.get_notes_for_contact(ID),
    "get_sales_for_contact": lambda c: c.get_sales_for_contact(ID),
    "update_contact": lambda c: c.update_contact(
        match_by_field_data={int(C_RECORD_ID): ID},
        contact_field_data={int(C_TITLE): "x"},
        create_if_not_updated=False,
    ),
    "delete_contacts": lambda c: c.delete_contacts([ID]),
    "import_contacts": lambda c: c.import_contacts([{C_NAME: "x", "_toMatch": [C_NAME]}]),
    "get_docs_for_contact": lambda c: c.get_docs_for_contact(ID),
    "get_groups": lambda c: c.get_groups(),
    "get_group_info": lambda c: c.get_group_info(ID),
    "get_activities_for_group": lambda c: c.get_activities_for_group(ID),
    "get_sales_for_group": lambda c: c.get_sales_for_group(ID),
    "get_notes_for_group": lambda c: c.get_notes_for_group(ID),
    "update_group": lambda c: c.update_group(
        match_by_field_data={int(G_RECORD_ID): ID}, group_field_data={int(G_DESCRIPTION): "x"}
    ),
    "delete_groups": lambda c: c.delete_groups([ID]),
    "create_note_for_group": lambda c: c.create_note_for_group(details="d", group_id=ID),
    "create_activity_for_group": lambda c: c.create_activity_for_group(ID, regarding="r"),
    "get_contacts_for_group": lambda c: c.get_contacts_for_group(ID),
    "add_contacts_to_group": lambda c: c.add_contacts_to_group(ID, [ID]),
    "get_activities": lambda c: c.get_activities(),
    "create_activity": lambda c: c.create_activity(regarding="r", type="call"),
    "update_activity": lambda c: c.update_activity(ID, regarding="r"),
    "complete_activity": lambda c: c.complete_activity(ID, result="ok"),
    "get_activity_info": lambda c: c.get_activity_info(ID),
    "get_campaigns": lambda c: c.get_campaigns(),
    "add_to_campaign": lambda c: c.add_to_campaign(ID, [ID]),
    "get_sales": lambda c: c.get_sales(),
    "create_sales_opp": lambda c: c.create_sales_opp(sales_field_data={int(S_CONTACT): ID}),
    "create_note": lambda c: c.create_note(details="d", contact_id=ID),
    "raw_call": lambda c: c.call("get-contact-info", {"contact-id": ID}),
}

DEEP_OBJECT = '{"a": ' * 5000 + "1" + "}" * 5000
DEEP_ARRAY = "[" * 5000 + "]" * 5000
ODD = ["a\ud800b", "x\x00\u202e\u200by", "😀" * 10, "é" * 20_000, DEEP_OBJECT, DEEP_ARRAY]


def _client(handler: Callable[[httpx.Request], Any], **kw: Any) -> SalesNexusClient:
    kw.setdefault("token", TOKEN)
    kw.setdefault("backoff", 0.0)
    kw.setdefault("retries", 1)
    kw.setdefault("timeout", 5.0)
    return SalesNexusClient(BASE, transport=httpx.MockTransport(handler), **kw)


def _run_all(handler: Callable[[httpx.Request], Any], **kw: Any) -> dict[str, Any]:
    """Run every call at once (batched); each outcome is a result or an exception."""

    async def run() -> dict[str, Any]:
        async with _client(handler, **kw) as client:
            outcomes = await asyncio.wait_for(
                asyncio.gather(*(f(client) for f in CALLS.values()), return_exceptions=True), 30
            )
        return dict(zip(CALLS, outcomes, strict=True))

    return asyncio.run(run())


def _assert_typed(outcomes: dict[str, Any]) -> None:
    bad = {
        name: repr(o)[:200]
        for name, o in outcomes.items()
        if isinstance(o, BaseException) and not isinstance(o, SalesNexusError)
    }
    assert bad == {}
    for o in outcomes.values():
        if isinstance(o, SalesNexusError):
            assert str(o)


def _echo_ids(request: httpx.Request) -> list[Any]:
    try:
        calls = json.loads(request.content)
    except ValueError:
        return []
    return [c.get("request-id") for c in calls if isinstance(c, dict)]


# --- answers as a whole -------------------------------------------------------------------

_scalar = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
    | st.sampled_from(
        ["true", "false", "0", "-1", "1e400", ID, "", "[]", "{}", json.dumps({C_NAME: 1})]
    )
)
_keys = st.sampled_from(
    [
        "success",
        "message",
        "data",
        "login-token",
        "contact-id",
        "group-id",
        "note-id",
        "activity-id",
        "sales-id",
        "document-id",
        "field-data",
        "activity-data",
        "updated-count",
        "created-count",
        "contact-ids",
        "group-ids",
        "created",
        "failed",
        "not-found",
        "deleted-count",
        "added-count",
        "skipped",
        "total-record-count",
        "error",
        "error-code",
        "contact-list",
        "group-list",
        "note-list",
        "sales-list",
        "document-list",
        "field-list",
        "layout-list",
        "user-list",
        "activity-list",
        "campaign-list",
        "contact-info",
        "note-ids",
        "note-info",
        "activity-ids",
        "activity-info",
    ]
)
_value = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=15,
)


@st.composite
def _elements(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return {"result": {"success": "true", **draw(st.dictionaries(_keys, _value, max_size=5))}}
    if kind == 1:
        return {"error": draw(_value), "error-code": draw(_value)}
    if kind == 2:
        return draw(_value)
    if kind == 3:
        return {"result": draw(_value)}
    return {"result": {"success": draw(_value), "field-data": draw(st.sampled_from(ODD[:4]))}}


@settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False
)
@given(
    elements=st.lists(_elements(), min_size=1, max_size=8),
    echo_ids=st.booleans(),
    status=st.sampled_from([200, 200, 200, 400, 401, 413, 429, 500, 503]),
)
def test_every_call_method_gets_a_result_or_a_typed_error(
    elements: list[Any], echo_ids: bool, status: int
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ids = _echo_ids(request)
        out = []
        for i, rid in enumerate(ids):
            element = elements[i % len(elements)]
            if echo_ids and isinstance(element, dict):
                element = {**element, "request-id": rid}
            out.append(element)
        body = json.dumps(out, allow_nan=False).encode()
        return httpx.Response(status, content=body, headers={"Retry-After": "0"})

    _assert_typed(_run_all(handler))


@pytest.mark.parametrize(
    "value", ODD, ids=["surrogate", "nul-bidi", "emoji", "huge", "deep-object", "deep-array"]
)
def test_odd_values_in_every_field_of_every_answer(value: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        out = []
        for rid in _echo_ids(request):
            result = {"success": "true"}
            for key in _keys.elements:  # type: ignore[attr-defined]
                if key not in ("success", "error", "error-code"):
                    result[key] = value
            out.append({"result": result, "request-id": rid})
        return httpx.Response(200, content=json.dumps(out).encode())

    _assert_typed(_run_all(handler))


def test_deeply_nested_json_string_fields_give_typed_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        out = []
        for rid in _echo_ids(request):
            result: dict[str, Any] = {"success": "true"}
            for key in ("field-data", "contact-ids", "activity-data", "failed", "not-found"):
                result[key] = DEEP_OBJECT if key in ("field-data", "activity-data") else DEEP_ARRAY
            out.append({"result": result, "request-id": rid})
        return httpx.Response(200, content=json.dumps(out).encode())

    _assert_typed(_run_all(handler))


@pytest.mark.parametrize("body", [DEEP_ARRAY.encode(), DEEP_OBJECT.encode(), b"[" * 200_000])
def test_answer_body_nested_deeper_than_the_parser_goes(body: bytes) -> None:
    _assert_typed(_run_all(lambda _r: httpx.Response(200, content=body)))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b"[null]",
        b'{"result": {"success": "true"}}',
        b"\xff\xfe\x00garbage",
        json.dumps([{"error": ["not", "text"], "error-code": {"x": 1}}]).encode(),
        json.dumps([{"error": "x", "error-code": "INVALID_TOKEN"}] * 3).encode(),
    ],
)
def test_odd_whole_answers(body: bytes) -> None:
    _assert_typed(_run_all(lambda _r: httpx.Response(200, content=body)))


# --- sign-in and re-sign-in -----------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(element=_elements(), status=st.sampled_from([200, 200, 401, 500]))
def test_login_and_relogin_with_malformed_answers(element: Any, status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        out = []
        for call in calls:
            rid = call.get("request-id")
            if call["function"] == "get-login-token":
                answer = {**element, "request-id": rid} if isinstance(element, dict) else element
                return httpx.Response(status, content=json.dumps([answer]).encode())
            out.append({"error": "expired", "error-code": "INVALID_TOKEN", "request-id": rid})
        return httpx.Response(200, content=json.dumps(out).encode())

    async def credentials() -> tuple[str, str]:
        return (DEMO_EMAIL, DEMO_PASSWORD)

    async def run() -> list[Any]:
        async with _client(handler, credentials=credentials) as client:
            login = asyncio.ensure_future(client.login(DEMO_EMAIL, DEMO_PASSWORD))
            data = asyncio.ensure_future(client.get_contact_info(ID))
            return list(
                await asyncio.wait_for(asyncio.gather(login, data, return_exceptions=True), 30)
            )

    outcomes = asyncio.run(run())
    _assert_typed({"login": outcomes[0], "relogin": outcomes[1]})
    if not isinstance(outcomes[0], BaseException):
        assert isinstance(outcomes[0], str)
        assert outcomes[0]


# --- downloads ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    status=st.sampled_from([200, 204, 301, 401, 403, 404, 413, 500]),
    body=st.binary(max_size=300) | st.just(DEEP_ARRAY.encode()),
    length=st.none() | st.integers(0, 10_000),
)
def test_download_with_malformed_answers(
    tmp_path_factory: Any, status: int, body: bytes, length: int | None
) -> None:
    dest = Path(tmp_path_factory.mktemp("dl")) / "file.bin"

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/octet-stream"}
        if length is not None:
            headers["Content-Length"] = str(length)
        if status == 301:
            headers["Location"] = "http://example.invalid/x"
        return httpx.Response(status, content=body, headers=headers)

    async def run() -> Any:
        async with _client(handler) as client:
            try:
                return await asyncio.wait_for(
                    client.download_document(f"{BASE}/documents/{ID}", dest), 30
                )
            except Exception as exc:
                return exc

    outcome = asyncio.run(run())
    _assert_typed({"download": outcome})
    if isinstance(outcome, BaseException):
        assert not dest.exists()
        assert not dest.with_name(dest.name + ".part").exists()
