"""An httpx transport for tests: real HTTP with an off switch (as if the cable were pulled)
and counts of the requests that went out."""

from __future__ import annotations

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
