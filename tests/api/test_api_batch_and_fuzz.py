"""Explicit batches, paging helpers and fuzzed answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fields import C_NAME
from support.scripted import Scripted, default_result, mock_client, ok

from snx_desktop.api import SalesNexusError

CID = "0b4f3a4e-7d55-4c7e-8f0e-3f1a2b3c4d5e"


@pytest.mark.asyncio
async def test_explicit_batch_groups_calls_across_awaits(scripted: Scripted) -> None:
    async with mock_client(scripted) as client:
        async with client.batch() as b:
            info = b.add(client.get_contact_info(CID))
            await asyncio.sleep(0.01)  # time passes inside the block: still nothing sent
            notes = b.add(client.get_notes_for_contact(CID))
            await asyncio.sleep(0)  # a turn of the loop inside the block: still nothing sent
            sales = b.add(client.get_sales_for_contact(CID))
            docs = b.add(client.get_docs_for_contact(CID))
            assert scripted.requests == []  # nothing sent before the block ends
        assert info.result().contact_id == CID
        assert notes.result().total == 0
        assert sales.done()
        assert docs.done()
        # direct awaits inside a batch are not held back
        async with client.batch():
            greeting = await client.greet()
        assert greeting.message == "Hello"
    assert [len(r) for r in scripted.requests] == [4, 1]
    with pytest.raises(RuntimeError):
        client.batch().add(client.greet())


@pytest.mark.asyncio
async def test_explicit_batch_errors_stay_with_their_task() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        return [
            {"error": "nope", "error-code": "NOT_FOUND", "request-id": c["request-id"]}
            if c["function"] == "get-contact-info"
            else default_result(c)
            for c in calls
        ]

    async with mock_client(Scripted(answer)) as client:
        async with client.batch() as b:
            bad = b.add(client.get_contact_info(CID))
            good = b.add(client.greet())
        assert good.result().message == "Hello"
        assert isinstance(bad.exception(), SalesNexusError)


def _paged(total: int) -> Scripted:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        out = []
        for c in calls:
            p = c.get("parameters", {})
            start, size = int(p.get("start-after", "0")), int(p.get("page-size", "50"))
            ids = [f"c{i}" for i in range(start, min(total, start + size))]
            info = {i: {C_NAME: i} for i in ids}
            out.append(
                ok(
                    c,
                    **{
                        "contact-list": {
                            "total-record-count": str(total),
                            "contact-ids": ids,
                            "contact-info": info,
                        }
                    },
                )
            )
        return out

    return Scripted(answer)


@pytest.mark.asyncio
async def test_iter_pages_and_records() -> None:
    server = _paged(23)
    async with mock_client(server) as client:
        pages = [p async for p in client.iter_pages("get-contacts", page_size=10, filter_value="")]
        ids = [c.contact_id async for c in client.iter_records("get_contacts", page_size=7)]
        with pytest.raises(ValueError):
            [p async for p in client.iter_pages("get-users")]
    assert [len(p) for p in pages] == [10, 10, 3]
    assert [p.start_after for p in pages] == [0, 10, 20]
    assert ids == [f"c{i}" for i in range(23)]
    assert server.calls[0]["parameters"]["start-after"] == "0"
    assert server.calls[1]["parameters"]["start-after"] == "10"


@pytest.mark.asyncio
async def test_iter_pages_stops_when_server_ignores_paging() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        listing = {"total-record-count": "1000", "contact-ids": [], "contact-info": {}}
        return [ok(c, **{"contact-list": listing}) for c in calls]

    async with mock_client(Scripted(answer)) as client:
        pages = [p async for p in client.iter_pages("get-contacts", page_size=10)]
    assert pages == []


# --- fuzzing ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

contract_keys = st.sampled_from(
    [
        "result",
        "error",
        "error-code",
        "request-id",
        "success",
        "contact-list",
        "contact-ids",
        "contact-info",
        "total-record-count",
        "contact-id",
        "field-data",
        "note-id",
        "login-token",
    ]
)
contractish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.just("true"),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(contract_keys, children, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def answers(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=80))
    if kind == 1:
        return json.dumps(draw(json_values)).encode()
    if kind == 2:
        return json.dumps(draw(st.lists(contractish, max_size=4))).encode()
    status = draw(st.sampled_from([200, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503]))
    return (status, json.dumps(draw(contractish)).encode())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer=answers())
def test_fuzzed_answers_always_give_a_result_or_a_typed_error(answer: Any) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, tuple):
            return httpx.Response(answer[0], content=answer[1], headers={"Retry-After": "0"})
        return httpx.Response(200, content=answer)

    async def run() -> Any:
        async with mock_client(handler, retries=1) as client:
            return await asyncio.gather(
                client.get_contacts(),
                client.get_contact_info(CID),
                client.create_note(details="d", contact_id=CID),
                client.greet(),
                return_exceptions=True,
            )

    outcomes = asyncio.run(run())
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, SalesNexusError), repr(outcome)
            assert str(outcome)
            assert outcome.function is not None


result_maps = st.dictionaries(
    st.sampled_from(
        [
            "success",
            "message",
            "data",
            "contact-id",
            "field-data",
            "contact-list",
            "note-list",
            "sales-list",
            "document-list",
            "field-list",
            "activity-id",
            "activity-data",
            "updated-count",
            "contact-ids",
            "created",
            "failed",
            "not-found",
            "deleted-count",
            "document-id",
            "note-id",
        ]
    ),
    contractish,
    max_size=6,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(results=st.lists(result_maps, min_size=12, max_size=12))
def test_fuzzed_results_reach_every_parser(results: list[dict[str, Any]]) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        calls = json.loads(request.content)
        return httpx.Response(
            200,
            json=[
                {"result": results[i % len(results)], "request-id": c["request-id"]}
                for i, c in enumerate(calls)
            ],
        )

    async def run() -> Any:
        async with mock_client(handler, retries=0) as client:
            return await asyncio.gather(
                client.get_all_fields(),
                client.get_contact_info(CID),
                client.get_notes_for_contact(CID),
                client.get_sales_for_contact(CID),
                client.get_docs_for_contact(CID),
                client.get_activity_info(CID),
                client.update_contact(match_by_field_data={1: CID}, contact_field_data={2: "x"}),
                client.import_contacts([{C_NAME: "x"}]),
                client.delete_contacts([CID]),
                client.complete_activity(CID, result="ok"),
                client.echo("e"),
                client.get_contacts(),
                return_exceptions=True,
            )

    for outcome in asyncio.run(run()):
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, SalesNexusError), repr(outcome)
            assert outcome.function is not None
