"""Transport rules of call-v1: batches, request ids, JSON layout, malformed bodies, sizes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.sandboxapi import Api


def test_success_element_and_request_id_echo(api: Api) -> None:
    answer = api.batch(
        [
            {"function": "greet", "request-id": "simple hello world request"},
            {"function": "greet"},
            {"function": "greet", "request-id": 17},
            {"function": "greet", "request-id": {"nested": ["x"]}},
        ]
    )
    assert answer[0]["request-id"] == "simple hello world request"
    assert answer[0]["result"]["success"] == "true"
    assert answer[0]["result"]["message"]
    assert "request-id" not in answer[1]
    assert answer[2]["request-id"] == 17
    assert answer[3]["request-id"] == {"nested": ["x"]}


def test_answer_is_pretty_printed_json(api: Api) -> None:
    response = api.post([{"function": "echo", "parameters": {"data": "x"}, "request-id": "r"}])
    assert response.headers["content-type"].startswith("application/json")
    text = response.text
    assert text.startswith("[\n  {")
    assert '"request-id": "r"' in text
    assert '"success": "true"' in text


def test_error_element_keeps_others_running(api: Api) -> None:
    answer = api.batch(
        [
            {"function": "no-such-function", "request-id": "a"},
            {"function": "echo", "parameters": {"data": "still here"}, "request-id": "b"},
        ]
    )
    assert answer[0]["error-code"] == "UNKNOWN_FUNCTION"
    assert answer[0]["error"]
    assert answer[0]["request-id"] == "a"
    assert "result" not in answer[0]
    assert answer[1]["result"]["data"] == "still here"


def test_malformed_elements_inside_valid_array(api: Api) -> None:
    answer = api.batch(
        [
            "greet",
            42,
            None,
            [],
            {},
            {"function": ""},
            {"function": 7, "request-id": "num"},
            {"function": "greet", "parameters": "not an object", "request-id": "p"},
            {"function": "greet", "parameters": [1, 2]},
            {"function": "greet", "request-id": "ok"},
        ]
    )
    for element in answer[:-1]:
        assert element["error-code"] == "INVALID_REQUEST", element
        assert element["error"]
    assert answer[6]["request-id"] == "num"
    assert answer[7]["request-id"] == "p"
    assert answer[-1]["result"]["success"] == "true"


def test_empty_array_answers_empty_array(api: Api) -> None:
    response = api.post([])
    assert response.status_code == 200
    assert response.json() == []


def test_body_that_is_not_an_array_is_400(api: Api) -> None:
    for body in ({"function": "greet"}, "greet", 3, None):
        response = api.client.post(api.url, content=json.dumps(body).encode())
        assert response.status_code == 400
        assert response.json()["error-code"] == "INVALID_REQUEST"
    for raw in (b"", b"[", b"\xff\xfe", b"[{]", b"{" * 100_000):
        response = api.client.post(api.url, content=raw)
        assert response.status_code == 400, raw[:10]
        assert response.json()["error-code"] == "INVALID_REQUEST"


def test_deeply_nested_array_is_a_clean_error(api: Api) -> None:
    response = api.client.post(api.url, content=b"[" * 50_000 + b"]" * 50_000)
    assert response.status_code in (200, 400)
    assert isinstance(response.json(), list | dict)


def test_get_is_refused_with_json(api: Api) -> None:
    response = api.client.get(api.url)
    assert response.status_code == 405
    assert response.json()["error-code"] == "INVALID_REQUEST"


def test_body_over_limit_by_content_length_is_413(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=5, max_body_bytes=10_000)
    body = json.dumps([{"function": "echo", "parameters": {"data": "x" * 20_000}}]).encode()
    response = httpx.post(handle.base_url + "/api/call-v1", content=body, timeout=10)
    assert response.status_code == 413
    assert response.json()["error-code"] == "PAYLOAD_TOO_LARGE"
    # the server still works
    small = httpx.post(handle.base_url + "/api/call-v1", json=[{"function": "greet"}], timeout=10)
    assert small.json()[0]["result"]["success"] == "true"


def test_chunked_body_accepted_and_limited(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=5, max_body_bytes=10_000)
    url = handle.base_url + "/api/call-v1"

    def chunks(payload: bytes) -> Iterator[bytes]:
        for start in range(0, len(payload), 1000):
            yield payload[start : start + 1000]

    ok = json.dumps([{"function": "echo", "parameters": {"data": "y" * 3000}}]).encode()
    response = httpx.post(url, content=chunks(ok), timeout=10)
    assert "content-length" not in response.request.headers
    assert response.status_code == 200
    assert response.json()[0]["result"]["data"] == "y" * 3000
    big = json.dumps([{"function": "echo", "parameters": {"data": "z" * 30_000}}]).encode()
    response = httpx.post(url, content=chunks(big), timeout=10)
    assert response.status_code == 413
    assert response.json()["error-code"] == "PAYLOAD_TOO_LARGE"


def test_unicode_round_trip(api: Api) -> None:
    data = "ECHO ᵉᶜʰᵒ ✓ 漢字 \u0000 \u202e emoji 🎉"
    assert api.call("echo", False, data=data)["data"] == data
    assert '"ᵉᶜʰᵒ' in api.post([{"function": "echo", "parameters": {"data": "ᵉᶜʰᵒ"}}]).text


def test_lone_surrogates_are_a_parameter_error(api: Api) -> None:
    body = (
        b'[{"function": "create-note", "parameters": {"login-token": "%s", "contact-id": "%s",'
        b' "details": "\\ud800"}, "request-id": "\\udfff"}, {"function": "greet"}]'
        % (api.token.encode(), api.first_contact().encode())
    )
    response = api.client.post(api.url, content=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer[0]["error-code"] == "INVALID_PARAMETER"
    assert answer[0]["request-id"] == "\udfff"
    assert answer[1]["result"]["success"] == "true"


@pytest.mark.asyncio
async def test_asgi_app_in_process() -> None:
    from snx_desktop.sandbox import SandboxConfig, create_app

    app = create_app(SandboxConfig(contacts=10, seed=2))
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as c:
            login = await c.post(
                "/api/call-v1",
                json=[
                    {
                        "function": "get-login-token",
                        "parameters": {"email-address": DEMO_EMAIL, "password": DEMO_PASSWORD},
                    }
                ],
            )
            token = login.json()[0]["result"]["login-token"]
            answer = await c.post(
                "/api/call-v1",
                json=[{"function": "get-contacts", "parameters": {"login-token": token}}],
            )
            assert answer.json()[0]["result"]["contact-list"]["total-record-count"] == "10"
            cid = answer.json()[0]["result"]["contact-list"]["contact-ids"][0]
            docs = await c.post(
                "/api/call-v1",
                json=[
                    {
                        "function": "get-docs-for-contact",
                        "parameters": {"login-token": token, "contact-id": cid},
                    }
                ],
            )
            for doc in docs.json()[0]["result"]["document-list"]["document-info"].values():
                assert doc["url"].startswith("http://sandbox.test/documents/")
    finally:
        app.state.sandbox.close()
