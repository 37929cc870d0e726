"""httpx transports for tests: real HTTP, counting the requests that went out; one of them
with an off switch (as if the cable were pulled)."""

from __future__ import annotations

from typing import Any

import httpx


class Network(httpx.AsyncBaseTransport):
    """httpx's real transport; while ``down`` is set every request fails to connect.
    ``requests`` counts the requests sent, ``posts`` the POSTs among them."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.down = False
        self.requests = 0
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("network is down", request=request)
        self.requests += 1
        if request.method == "POST":
            self.posts += 1
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class CountingTransport(httpx.AsyncHTTPTransport):
    """httpx's real transport (the requests still go over TCP), keeping every request that
    went out in ``requests`` and counting the POSTs (one per HTTP request to call-v1) in
    ``posts``."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST":
            self.posts += 1
        return await super().handle_async_request(request)


def go_offline(svc: Any) -> None:
    """Pull the cable under services opened on a :class:`Network`, and let them notice."""
    svc.network.down = True
    svc.connectivity.report_failure("test: cable pulled")


def go_online(svc: Any, *, probe: bool = True) -> None:
    """Plug the cable back in; with ``probe``, the services look at once (else at their next
    probe)."""
    svc.network.down = False
    if probe:
        svc.connectivity.probe_now()
