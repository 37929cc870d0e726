"""Answers the client cannot read, answers that never end, answers too large, over real HTTP
on 127.0.0.1 from small hostile servers (``support/hostile.py``).

* A write whose answer cannot be read in any way (nested 100,000 deep, not JSON, invalid
  UTF-8, cut off) fails with ``OutcomeUnknownError`` and is sent once; a read is retried.
* A server trickling its answer a byte at a time does not hold a call past its deadline: the
  client closes the connection long before the trickle ends.
* A 300 MB answer is refused at the size cap, with or without ``Content-Length``, and the
  server sees the client stop reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.fields import C_NAME
from support.hostile import (
    HostileServer,
    Sent,
    SilentServer,
    cut_off,
    send_endless,
    send_slowly,
    whole,
)
from support.waiting import until

from snx_desktop.api import (
    AnswerTooLargeError,
    ConnectionFailedError,
    OutcomeUnknownError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusClient,
)

pytestmark = pytest.mark.asyncio

TOKEN = "tok-hostile-0123456789abcdef"
DEEP = b"[" * 100_000 + b"]" * 100_000
GREETING = b'[{"result": {"success": "true", "message": "Hello"}}]'
CREATED = b'[{"result": {"success": "true", "contact-id": "c-1"}}]'

UNREADABLE = {
    "nested 100,000 deep": DEEP,
    "a result nested 100,000 deep": json.dumps([{"result": DEEP.decode()}]).encode(),
    "not JSON": b"<html><body>502 Bad Gateway</body></html>",
    "invalid UTF-8": CREATED[:30] + b"\xff\xfe" + CREATED[30:],
    "JSON cut short": CREATED[: len(CREATED) // 2],
}


def client_for(url: str, **kw: Any) -> SalesNexusClient:
    kw.setdefault("token", TOKEN)
    kw.setdefault("backoff", 0.0)
    kw.setdefault("retries", 3)
    return SalesNexusClient(url, **kw)


async def create(client: SalesNexusClient) -> Any:
    return await client.create_contact(contact_field_data={C_NAME: "Once Only"})


# --- answers that cannot be read -----------------------------------------------------------------


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_a_create_whose_answer_cannot_be_read_is_unknown_and_sent_once(body: bytes) -> None:
    async with HostileServer(whole(body)) as server, client_for(server.url) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await create(client)
    assert len(server.requests) == 1  # never sent again blindly
    assert isinstance(caught.value.reason, ProtocolError)
    assert "may or may not have been saved" in str(caught.value)


async def test_a_create_whose_answer_is_cut_off_mid_body_is_unknown_and_sent_once() -> None:
    async with HostileServer(cut_off(CREATED, 20)) as server, client_for(server.url) as client:
        with pytest.raises(OutcomeUnknownError):
            await create(client)
    assert len(server.requests) == 1


@pytest.mark.parametrize("body", [DEEP, UNREADABLE["a result nested 100,000 deep"]])
async def test_a_read_whose_answer_is_nested_too_deep_is_retried(body: bytes) -> None:
    async with (
        HostileServer(whole(body)) as server,
        client_for(server.url, retries=2) as client,
    ):
        with pytest.raises(ProtocolError) as caught:
            await client.get_contact_info("c-1")
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert len(server.requests) == 3


async def test_in_one_batch_the_write_is_unknown_and_the_read_goes_again() -> None:
    async with (
        HostileServer(whole(DEEP)) as server,
        client_for(server.url, retries=1) as client,
        client.batch() as batch,
    ):
        write = batch.add(create(client))
        read = batch.add(client.get_contact_info("c-1"))
    assert isinstance(write.exception(), OutcomeUnknownError)
    assert isinstance(read.exception(), ProtocolError)
    calls = [[c["function"] for c in json.loads(r.body)] for r in server.requests]
    assert calls == [["create-contact", "get-contact-info"], ["get-contact-info"]]


# --- the deadline --------------------------------------------------------------------------------

# a byte every 0.2 s: no single read waits long enough for the 2 s timeout, and the whole
# answer would take 0.2 s * len(GREETING), about 11 s, against a deadline of 1 s
TRICKLE = 0.2


async def _trickled(server: HostileServer, count: int) -> list[Sent]:
    await until(lambda: len(server.results) >= count, 30, "the trickling answers to end")
    return list(server.results)


async def test_a_read_trickled_a_byte_at_a_time_stops_at_the_deadline_and_is_retried() -> None:
    async with (
        HostileServer(send_slowly(GREETING, TRICKLE)) as server,
        client_for(server.url, timeout=2.0, deadline=1.0, retries=1) as client,
    ):
        with pytest.raises(RequestTimeoutError):
            await client.greet()
        trickles = await _trickled(server, 2)
    assert len(server.requests) == 2  # retried once, as a timeout
    for sent in trickles:
        assert sent.client_left
        assert sent.written < len(GREETING)


async def test_a_write_trickled_a_byte_at_a_time_is_unknown_at_the_deadline() -> None:
    async with (
        HostileServer(send_slowly(CREATED, TRICKLE)) as server,
        client_for(server.url, timeout=2.0, deadline=1.0) as client,
    ):
        with pytest.raises(OutcomeUnknownError) as caught:
            await create(client)
        [sent] = await _trickled(server, 1)
    assert isinstance(caught.value.reason, RequestTimeoutError)
    assert len(server.requests) == 1
    assert sent.client_left
    assert sent.written < len(CREATED)


async def test_a_handshake_never_answered_ends_within_the_deadline_and_is_retried() -> None:
    # the server never answers the TLS handshake: no byte of the request went out, so even a
    # write is tried again; each attempt's connection is closed, none left open
    async with (
        SilentServer() as server,
        client_for(
            f"https://127.0.0.1:{server.port}", timeout=30.0, deadline=0.5, retries=2
        ) as client,
    ):
        with pytest.raises(ConnectionFailedError) as caught:
            await create(client)
        await until(lambda: server.closed_by_client == 3, 10, "the client to hang up")
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert server.connections == 3


async def test_a_slow_upload_making_progress_outlives_the_base_deadline(tmp_path: Path) -> None:
    data = tmp_path / "brochure.pdf"
    data.write_bytes(b"%PDF" + b"x" * (1536 * 1024))  # 2 MB as base64
    answer = b'[{"result": {"success": "true", "document-id": "d-1"}}]'
    # 64 KB then a 30 ms pause: at least 32 pauses, about 1 s, twice the base deadline; the
    # size allows 2 MB / 256 KB/s = 8 s more
    async with (
        HostileServer(whole(answer), slow_read=(64 * 1024, 0.03)) as server,
        client_for(server.url, deadline=0.5, min_transfer_rate=256 * 1024, retries=0) as client,
    ):
        created = await client.add_doc_to_contact("c-1", "brochure.pdf", data)
    assert created.id == "d-1"
    assert len(server.requests) == 1
    assert len(server.requests[0].body) > 2 * 1024 * 1024


# --- the size cap --------------------------------------------------------------------------------

HUGE = 300 * 1024 * 1024


@pytest.mark.parametrize("declare_length", [True, False], ids=["with length", "without length"])
async def test_a_300_mb_answer_is_refused_at_the_cap(declare_length: bool) -> None:
    async with (
        HostileServer(send_endless(HUGE, declare_length=declare_length)) as server,
        client_for(server.url) as client,
    ):
        with pytest.raises(AnswerTooLargeError) as caught:
            await client.get_contacts(page_size=10)
        [sent] = await _trickled(server, 1)
    assert "64 MB" in str(caught.value)
    assert len(server.requests) == 1  # the same answer again would not help
    assert sent.client_left
    assert sent.written < HUGE // 2


async def test_a_write_answered_past_the_cap_is_unknown() -> None:
    async with (
        HostileServer(send_endless(3 * 1024 * 1024, declare_length=False)) as server,
        client_for(server.url, max_answer_bytes=1024 * 1024) as client,
    ):
        with pytest.raises(OutcomeUnknownError) as caught:
            await create(client)
    assert isinstance(caught.value.reason, AnswerTooLargeError)
    assert "1 MB" in str(caught.value.reason)
    assert len(server.requests) == 1
