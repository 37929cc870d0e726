"""Batching, routing, retries, errors and re-login of the client against scripted answers."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL
from support.fields import C_EMAIL, C_EMAIL2, C_FIRST, C_LAST, C_NAME, C_PHONE
from support.scripted import TOKEN, Scripted, default_result, fail, mock_client, ok

from snx_desktop.api import (
    ConnectionFailedError,
    InvalidLoginError,
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProtocolError,
    RequestTimeoutError,
    ServerError,
    SessionExpiredError,
    is_offline,
)

pytestmark = pytest.mark.asyncio

CID = "0b4f3a4e-7d55-4c7e-8f0e-3f1a2b3c4d5e"


async def test_five_calls_issued_together_make_one_request(scripted: Scripted) -> None:
    async with mock_client(scripted) as client:
        results = await asyncio.gather(
            client.greet(),
            client.echo("x"),
            client.get_contact_info(CID),
            client.get_notes_for_contact(CID),
            client.get_contacts(page_size=10),
        )
    assert len(scripted.requests) == 1
    assert [c["function"] for c in scripted.requests[0]] == [
        "greet",
        "echo",
        "get-contact-info",
        "get-notes-for-contact",
        "get-contacts",
    ]
    assert results[0].message == "Hello"
    assert results[1].data == "x"
    assert results[2].contact_id == CID


async def test_request_ids_are_unique_and_params_exact(scripted: Scripted) -> None:
    async with mock_client(scripted) as client:
        await asyncio.gather(
            client.get_contacts(filter_value="ab", start_after=0, page_size=50),
            client.get_contacts(),
            client.greet(),
            client.update_contact(
                match_by_field_data={int(C_NAME): "A"},
                contact_field_data={int(C_EMAIL): "a@b.c", int(C_PHONE): 12},
                create_if_not_updated=False,
            ),
        )
    first, bare, greet, update = scripted.requests[0]
    rids = [c["request-id"] for c in scripted.requests[0]]
    assert len(set(rids)) == 4
    assert first["parameters"] == {
        "login-token": TOKEN,
        "filter-value": "ab",
        "start-after": "0",
        "page-size": "50",
    }
    assert bare["parameters"] == {"login-token": TOKEN}  # optional params left out
    assert "parameters" not in greet  # no token for greet
    assert update["parameters"] == {
        "login-token": TOKEN,
        "match-by-field-data": {C_NAME: "A"},
        "create-if-not-updated": "false",
        "contact-field-data": {C_EMAIL: "a@b.c", C_PHONE: "12"},
    }


async def test_import_contacts_sends_escaped_string(scripted: Scripted) -> None:
    rows: list[dict[Any, Any]] = [
        {"_toMatch": [int(C_EMAIL2)], C_EMAIL2: "b@x.net", C_FIRST: "Barn"},
        {C_FIRST: "Gordon", int(C_LAST): "Freeman"},
    ]
    server = Scripted(
        lambda calls, n: [
            ok(c, **{"updated-count": 1, "created-count": "1", "contact-ids": ["A", "b"]})
            for c in calls
        ]
    )
    async with mock_client(server) as client:
        res = await client.import_contacts(rows, create_if_not_updated=True, match_nulls=False)
    params = server.calls[0]["parameters"]
    assert isinstance(params["contacts"], str)
    assert json.loads(params["contacts"]) == [
        {"_toMatch": [int(C_EMAIL2)], C_EMAIL2: "b@x.net", C_FIRST: "Barn"},
        {C_FIRST: "Gordon", C_LAST: "Freeman"},
    ]
    assert params["create-if-not-updated"] == "true"
    assert params["match-nulls"] == "false"
    assert (res.updated_count, res.created_count, res.contact_ids) == (1, 1, ["a", "b"])


async def test_cap_splits_into_several_requests(scripted: Scripted) -> None:
    async with mock_client(scripted, max_calls_per_request=4) as client:
        out = await asyncio.gather(*(client.echo(str(i)) for i in range(10)))
    assert [len(r) for r in scripted.requests] == [4, 4, 2]
    assert [e.data for e in out] == [str(i) for i in range(10)]


async def test_answers_routed_by_request_id_when_reordered() -> None:
    server = Scripted(lambda calls, n: [default_result(c) for c in reversed(calls)])
    async with mock_client(server) as client:
        out = await asyncio.gather(*(client.echo(f"v{i}") for i in range(5)))
    assert [e.data for e in out] == [f"v{i}" for i in range(5)]
    assert len(server.requests) == 1


async def test_one_failing_call_fails_only_its_caller() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        return [
            fail(c, "No contact with that id", "NOT_FOUND")
            if c["function"] == "get-contact-info"
            else default_result(c)
            for c in calls
        ]

    server = Scripted(answer)
    async with mock_client(server) as client:
        out = await asyncio.gather(
            client.greet(), client.get_contact_info(CID), client.echo("z"), return_exceptions=True
        )
    assert out[0].message == "Hello"  # type: ignore[union-attr]
    assert isinstance(out[1], NotFoundError)
    assert out[1].function == "get-contact-info"
    assert out[1].request_id == server.calls[1]["request-id"]
    assert out[1].code == "NOT_FOUND"
    assert out[2].data == "z"  # type: ignore[union-attr]
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("message", "code", "expected"),
    [
        ("x", "NOT_FOUND", NotFoundError),
        ("x", "INVALID_PARAMETER", InvalidParameterError),
        ("x", "MISSING_PARAMETER", InvalidParameterError),
        ("x", "UNKNOWN_FUNCTION", InvalidParameterError),
        ("x", "PERMISSION_DENIED", PermissionDeniedError),
        ("x", "PAYLOAD_TOO_LARGE", PayloadTooLargeError),
        ("x", "SOMETHING_NEW", ServerError),
        ("The contact was not found", None, NotFoundError),
        ("contact-id is not a valid GUID", None, InvalidParameterError),
        ("You are not allowed to do that", None, PermissionDeniedError),
        ("Document too large", None, PayloadTooLargeError),
        ("Something broke", None, ServerError),
    ],
)
async def test_error_codes_and_messages_map_to_meaning(
    message: str, code: str | None, expected: type[Exception]
) -> None:
    server = Scripted(lambda calls, n: [fail(c, message, code) for c in calls])
    async with mock_client(server, retries=0) as client:
        with pytest.raises(expected) as info:
            await client.create_note(details="d", contact_id=CID)
    err = info.value
    assert err.function == "create-note"  # type: ignore[attr-defined]
    assert str(err)


async def test_wrong_password_is_invalid_login() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        # a careless server that quotes the password back
        return [
            fail(c, f"Invalid e-mail or password: {c['parameters']['password']}") for c in calls
        ]

    async with mock_client(Scripted(answer), token=None) as client:
        with pytest.raises(InvalidLoginError) as info:
            await client.login("a@b.c", "secret-pass")
    assert "secret-pass" not in str(info.value)
    assert "secret-pass" not in (info.value.detail or "")
    assert "secret-pass" not in repr(info.value)
    assert client.token is None


async def test_login_sets_token_and_notifies() -> None:
    seen: list[str | None] = []
    server = Scripted()
    async with mock_client(server, token=None, on_token_change=seen.append) as client:
        token = await client.login("a@b.c", "pw")
        assert token == TOKEN == client.token
        await client.get_contacts()
    assert seen == [TOKEN]
    assert server.calls[0]["parameters"] == {"email-address": "a@b.c", "password": "pw"}
    assert server.calls[1]["parameters"]["login-token"] == TOKEN


# --- partial / mismatched / garbage answers ---------------------------------------------------


async def test_partial_batch_read_retried_write_unknown() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n == 1:
            return [default_result(calls[0])]  # answers only the first of three
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server) as client:
        out = await asyncio.gather(
            client.greet(),
            client.get_contact_info(CID),
            client.create_note(details="d", contact_id=CID),
            return_exceptions=True,
        )
    assert out[0].message == "Hello"  # type: ignore[union-attr]
    assert out[1].contact_id == CID  # type: ignore[union-attr]
    assert isinstance(out[2], OutcomeUnknownError)
    assert isinstance(out[2].reason, ProtocolError)
    # the read went out again on its own; the write was never re-sent
    assert [c["function"] for c in server.requests[1]] == ["get-contact-info"]
    assert sum(c["function"] == "create-note" for c in server.calls) == 1


async def test_mismatched_request_ids() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        return [{**default_result(c), "request-id": "someone-else"} for c in calls]

    server = Scripted(answer)
    async with mock_client(server, retries=2) as client:
        out = await asyncio.gather(
            client.greet(),
            client.create_contact(contact_field_data={int(C_NAME): "X"}),
            return_exceptions=True,
        )
    assert isinstance(out[0], ProtocolError)
    assert isinstance(out[1], OutcomeUnknownError)
    assert not is_offline(out[1])
    assert sum(c["function"] == "greet" for c in server.calls) == 3  # 1 + 2 retries
    assert sum(c["function"] == "create-contact" for c in server.calls) == 1


async def test_answers_without_request_ids_route_by_position() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        out = [default_result(c) for c in calls]
        for element in out:
            element.pop("request-id")
        return out

    async with mock_client(Scripted(answer)) as client:
        a, b = await asyncio.gather(client.echo("1"), client.echo("2"))
    assert (a.data, b.data) == ("1", "2")


@pytest.mark.parametrize(
    "body",
    [
        b"<html>502 Bad Gateway</html>",
        b"",
        b'{"result": {"success": "true"}}',
        b"[1, 2",
        b'"just a string"',
        b"[]",
        b"[null]",
        b'[{"request-id": "x"}]',
    ],
)
async def test_garbage_bodies_give_protocol_error(body: bytes) -> None:
    server = Scripted(lambda calls, n: body)
    async with mock_client(server, retries=1) as client:
        with pytest.raises(ProtocolError):
            await client.get_contacts()
        with pytest.raises(OutcomeUnknownError) as info:
            await client.create_contact(contact_field_data={int(C_NAME): "X"})
    assert isinstance(info.value.reason, ProtocolError)
    assert len(server.requests) == 3  # read sent twice, write once


async def test_result_missing_required_key_is_protocol_error() -> None:
    server = Scripted(lambda calls, n: [ok(c) for c in calls])
    async with mock_client(server, retries=0) as client:
        with pytest.raises(ProtocolError):
            await client.get_contact_info(CID)
        with pytest.raises(ProtocolError):
            await client.get_contacts()


# --- transport failures -----------------------------------------------------------------------


async def test_connect_error_retries_reads_and_writes_then_offline() -> None:
    attempts = {"n": 0}

    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        attempts["n"] += 1
        raise httpx.ConnectError("refused")

    async with mock_client(Scripted(answer), retries=2) as client:
        with pytest.raises(ConnectionFailedError) as info:
            await client.create_note(details="d", contact_id=CID)
    assert is_offline(info.value)
    assert info.value.retryable
    assert attempts["n"] == 3  # not sent, so the write was safe to try again


async def test_connect_error_then_success() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n < 3:
            raise httpx.ConnectError("refused")
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server, retries=3) as client:
        created = await client.create_note(details="d", contact_id=CID)
    assert created.id == "n1"
    assert len(server.requests) == 3


async def test_drop_after_sending_mixed_batch() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server) as client:
        read, write = await asyncio.gather(
            client.get_contact_info(CID),
            client.create_contact(contact_field_data={int(C_NAME): "Y"}),
            return_exceptions=True,
        )
    assert read.contact_id == CID  # type: ignore[union-attr]
    assert isinstance(write, OutcomeUnknownError)
    assert isinstance(write.reason, ConnectionFailedError)
    assert is_offline(write)
    assert write.function == "create-contact"
    assert [c["function"] for c in server.requests[1]] == ["get-contact-info"]


async def test_read_timeout() -> None:
    server = Scripted(lambda calls, n: httpx.ReadTimeout("slow"))
    async with mock_client(server, retries=1) as client:
        with pytest.raises(RequestTimeoutError) as info:
            await client.get_users()
        assert is_offline(info.value)
        with pytest.raises(OutcomeUnknownError) as unknown:
            await client.delete_contacts([CID])
    assert isinstance(unknown.value.reason, RequestTimeoutError)


async def test_http_500_retries_reads_then_server_error() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n <= 2:
            return httpx.Response(500, json={"error": "boom", "error-code": "SERVER_ERROR"})
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server, retries=3) as client:
        assert (await client.greet()).message == "Hello"
    assert len(server.requests) == 3

    always = Scripted(
        lambda calls, n: httpx.Response(503, text="down", headers={"Retry-After": "0"})
    )
    async with mock_client(always, retries=1) as client:
        with pytest.raises(ServerError) as info:
            await client.greet()
        assert info.value.http_status == 503
        assert not is_offline(info.value)
        with pytest.raises(OutcomeUnknownError):
            await client.create_note(details="x", contact_id=CID)


async def test_413_is_payload_too_large() -> None:
    server = Scripted(
        lambda calls, n: httpx.Response(
            413, json={"error": "too big", "error-code": "PAYLOAD_TOO_LARGE"}
        )
    )
    async with mock_client(server) as client:
        with pytest.raises(PayloadTooLargeError) as info:
            await client.create_note(details="x" * 10, contact_id=CID)
    assert info.value.http_status == 413
    assert len(server.requests) == 1


async def test_429_honours_retry_after() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n == 1:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server) as client:
        # a throttled write was not run, so it is sent again
        created = await client.create_note(details="x", contact_id=CID)
    assert created.id == "n1"
    assert len(server.requests) == 2


async def test_request_cancelled_caller_does_not_break_others(scripted: Scripted) -> None:
    async with mock_client(scripted) as client:
        t1 = asyncio.ensure_future(client.echo("a"))
        t2 = asyncio.ensure_future(client.echo("b"))
        await asyncio.sleep(0)  # one turn of the loop: both calls are under way when t1 stops
        t1.cancel()
        assert (await t2).data == "b"
        with pytest.raises(asyncio.CancelledError):
            await t1


# --- sessions ---------------------------------------------------------------------------------


class ExpiringServer(Scripted):
    """Refuses the first token with INVALID_TOKEN; accepts the one handed out by login."""

    def __init__(self, *, new_token: str = "fresh-token-000000000000000000000000") -> None:
        super().__init__(self._answer_calls)
        self.new_token = new_token
        self.logins = 0

    def _answer_calls(self, calls: list[dict[str, Any]], n: int) -> Any:
        out = []
        for c in calls:
            p = c.get("parameters", {})
            if c["function"] == "get-login-token":
                self.logins += 1
                if p.get("password") != "right":
                    out.append(fail(c, "Invalid login", "INVALID_LOGIN"))
                else:
                    out.append(ok(c, **{"login-token": self.new_token}))
            elif c["function"] in ("greet", "echo"):
                out.append(default_result(c))
            elif p.get("login-token") != self.new_token:
                out.append(fail(c, "The login token is invalid or expired", "INVALID_TOKEN"))
            else:
                out.append(default_result(c))
        return out


async def test_expiry_relogs_once_and_replays_all_failed_calls() -> None:
    server = ExpiringServer()
    asked = {"n": 0}
    tokens: list[str | None] = []

    async def credentials() -> tuple[str, str]:
        asked["n"] += 1
        await asyncio.sleep(0)  # a sign-in that yields to the loop, as a real one does
        return (DEMO_EMAIL, "right")

    async with mock_client(
        server, credentials=credentials, on_token_change=tokens.append
    ) as client:
        out = await asyncio.gather(
            client.get_contact_info(CID),
            client.create_note(details="n", contact_id=CID),
            client.greet(),
        )
        # a second batch in flight at the same time does not sign in twice
        more = await asyncio.gather(client.get_contacts(), client.get_notes_for_contact(CID))
    assert out[0].contact_id == CID
    assert out[1].id == "n1"
    assert len(more) == 2
    assert asked["n"] == 1
    assert server.logins == 1
    assert tokens == [server.new_token]
    # the write refused for its token was replayed exactly once, with the new token
    notes = [c for c in server.calls if c["function"] == "create-note"]
    assert [c["parameters"]["login-token"] for c in notes] == [TOKEN, server.new_token]


async def test_concurrent_requests_expire_together_single_login() -> None:
    server = ExpiringServer()
    asked = {"n": 0}

    async def credentials() -> tuple[str, str]:
        asked["n"] += 1
        await asyncio.sleep(0.01)  # a slow sign-in, so that the calls pile up behind it
        return (DEMO_EMAIL, "right")

    async with mock_client(server, credentials=credentials, max_calls_per_request=1) as client:
        out = await asyncio.gather(*(client.get_contact_info(CID) for _ in range(6)))
    assert len(out) == 6
    assert asked["n"] == 1
    assert server.logins == 1


async def test_expiry_without_credentials_is_session_expired() -> None:
    server = ExpiringServer()
    async with mock_client(server) as client:
        with pytest.raises(SessionExpiredError) as info:
            await client.get_contacts()
    assert info.value.code == "INVALID_TOKEN"
    assert len(server.requests) == 1


async def test_relogin_with_wrong_saved_password() -> None:
    server = ExpiringServer()

    async def credentials() -> tuple[str, str]:
        return (DEMO_EMAIL, "wrong")

    async with mock_client(server, credentials=credentials) as client:
        with pytest.raises(SessionExpiredError) as info:
            await client.get_contacts()
    assert isinstance(info.value.__cause__, InvalidLoginError)
    assert server.logins == 1


async def test_user_declines_sign_in() -> None:
    server = ExpiringServer()

    async def credentials() -> None:
        return None

    async with mock_client(server, credentials=credentials) as client:
        with pytest.raises(SessionExpiredError):
            await client.get_contacts()
    assert server.logins == 0


async def test_token_refused_after_relogin_is_not_a_loop() -> None:
    server = ExpiringServer()
    server.new_token = "also-refused"

    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        out = []
        for c in calls:
            if c["function"] == "get-login-token":
                server.logins += 1
                out.append(ok(c, **{"login-token": f"t{server.logins}"}))
            else:
                out.append(fail(c, "expired", "INVALID_TOKEN"))
        return out

    server._answer = answer

    async def credentials() -> tuple[str, str]:
        return (DEMO_EMAIL, "right")

    async with mock_client(server, credentials=credentials) as client:
        with pytest.raises(SessionExpiredError):
            await client.get_contacts()
    assert server.logins == 1
    assert len(server.requests) == 3  # call, login, replay: then stop


async def test_no_token_asks_credentials_first() -> None:
    server = ExpiringServer()

    async def credentials() -> tuple[str, str]:
        return (DEMO_EMAIL, "right")

    async with mock_client(server, token=None, credentials=credentials) as client:
        page = await client.get_contacts()
    assert page.total == 0
    assert [c["function"] for c in server.calls] == ["get-login-token", "get-contacts"]


async def test_no_token_no_credentials() -> None:
    server = Scripted()
    async with mock_client(server, token=None) as client:
        with pytest.raises(SessionExpiredError) as info:
            await client.get_contacts()
        assert (await client.greet()).message == "Hello"  # public calls still work
    assert info.value.code == "NOT_SIGNED_IN"


# --- secrets ----------------------------------------------------------------------------------


async def test_secrets_never_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        out = []
        for c in calls:
            p = c.get("parameters", {})
            if c["function"] == "get-login-token":
                out.append(ok(c, **{"login-token": TOKEN}))
            else:
                out.append(
                    fail(c, f"bad value {p.get('login-token')} for this call", "INVALID_PARAMETER")
                )
        return out

    caplog.set_level(logging.DEBUG, logger="snx_desktop.api")
    async with mock_client(Scripted(answer), token=None) as client:
        await client.login("a@b.c", "hunter2-password")
        with pytest.raises(InvalidParameterError) as info:
            await client.get_contacts()
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    assert TOKEN not in (info.value.detail or "")
    text = caplog.text
    assert "POST" in text
    assert TOKEN not in text
    assert "hunter2-password" not in text


async def test_closing_fails_waiting_calls() -> None:
    gate = asyncio.Event()
    in_flight = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        in_flight.set()
        await gate.wait()
        return httpx.Response(200, json=[])

    client = mock_client(slow)
    task = asyncio.ensure_future(client.get_contacts())
    await asyncio.wait_for(in_flight.wait(), 10)
    await client.aclose()
    with pytest.raises(ConnectionFailedError):
        await task
    with pytest.raises(ConnectionFailedError):
        await client.greet()


async def test_online_state_follows_exchanges() -> None:
    flips: list[bool] = []

    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n in (2, 3):
            raise httpx.ConnectError("refused")
        if n == 4:
            return httpx.Response(500, text="oops")
        return [default_result(c) for c in calls]

    async with mock_client(Scripted(answer), retries=0, on_online_change=flips.append) as client:
        assert client.online is None
        await client.greet()
        assert client.online is True
        with pytest.raises(ConnectionFailedError):
            await client.greet()
        with pytest.raises(ConnectionFailedError):
            await client.greet()
        assert client.online is False
        with pytest.raises(ServerError):
            await client.greet()  # the server answered, even if badly
        assert client.online is True
    assert flips == [True, False, True]


async def test_probe() -> None:
    def answer(calls: list[dict[str, Any]], n: int) -> Any:
        if n == 1:
            raise httpx.ConnectError("refused")
        if n == 2:
            return httpx.Response(502, text="bad gateway")
        return [default_result(c) for c in calls]

    server = Scripted(answer)
    async with mock_client(server, retries=5) as client:
        assert await client.probe() is False
        assert client.online is False
        assert await client.probe() is True  # it answered, if badly
        assert await client.probe() is True
    assert len(server.requests) == 3  # no retries
    assert await client.probe() is False  # closed
