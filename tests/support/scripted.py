"""For the wire client's tests: a scripted call-v1 server behind httpx.MockTransport, and the
sandbox's address."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from snx_desktop.api import SalesNexusClient
from support.fields import C_NAME

BASE = "http://127.0.0.1:9"
TOKEN = "tok-0123456789abcdef0123456789abcdef"

Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def ok(call: dict[str, Any], **result: Any) -> dict[str, Any]:
    """A success element answering ``call``."""
    element: dict[str, Any] = {"result": {"success": "true", **result}}
    if "request-id" in call:
        element["request-id"] = call["request-id"]
    return element


def fail(call: dict[str, Any], message: str, code: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"error": message}
    if code is not None:
        element["error-code"] = code
    if "request-id" in call:
        element["request-id"] = call["request-id"]
    return element


def default_result(call: dict[str, Any]) -> dict[str, Any]:
    """A plausible contract answer for any call (enough for routing tests)."""
    fn = call["function"]
    p = call.get("parameters", {})
    if fn == "greet":
        return ok(call, message="Hello")
    if fn == "echo":
        return ok(call, data=p.get("data", ""))
    if fn == "get-login-token":
        return ok(call, **{"login-token": TOKEN})
    if fn == "get-contact-info":
        return ok(call, **{"contact-id": p.get("contact-id", ""), "field-data": {C_NAME: "A B"}})
    if fn.startswith("create-"):
        return ok(
            call, **{"contact-id": "c1", "note-id": "n1", "activity-id": "a1", "sales-id": "s1"}
        )
    kind = {
        "get-contacts": "contact",
        "get-notes-for-contact": "note",
        "get-sales-for-contact": "sales",
        "get-docs-for-contact": "document",
    }.get(fn, "contact")
    return ok(
        call, **{f"{kind}-list": {"total-record-count": "0", f"{kind}-ids": [], f"{kind}-info": {}}}
    )


class Scripted:
    """A call-v1 endpoint run by a Python function per request, recording every request."""

    def __init__(self, answer: Callable[[list[dict[str, Any]], int], Any] | None = None):
        self.requests: list[list[dict[str, Any]]] = []
        self.raw_requests: list[httpx.Request] = []
        self._answer = answer or (lambda calls, n: [default_result(c) for c in calls])

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.raw_requests.append(request)
        body = json.loads(request.content)
        self.requests.append(body)
        out = self._answer(body, len(self.requests))
        if isinstance(out, httpx.Response):
            return out
        if isinstance(out, Exception):
            raise out
        if isinstance(out, bytes):
            return httpx.Response(200, content=out)
        return httpx.Response(200, json=out)

    @property
    def calls(self) -> list[dict[str, Any]]:
        return [c for body in self.requests for c in body]


def mock_client(server: Scripted | Handler, **kw: Any) -> SalesNexusClient:
    kw.setdefault("token", TOKEN)
    kw.setdefault("backoff", 0.0)
    return SalesNexusClient(BASE, transport=httpx.MockTransport(server), **kw)


def base_url_of(server: Any) -> str:
    for name in ("base_url", "url"):
        value = getattr(server, name, None)
        if isinstance(value, str):
            return value
    if isinstance(server, tuple):
        return str(server[0])
    raise AssertionError(f"cannot find the sandbox's URL on {server!r}")
