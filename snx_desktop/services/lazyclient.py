"""The account's wire client, made the first time a service needs it.

Making a `SalesNexusClient` loads httpx and the wire layer and starts preparing TLS (tens of
milliseconds); a start on the offline cache needs none of that before the rep goes online.
`LazyClient` holds how to make the client and makes it on the first `get`; the services that
talk to the server share one `LazyClient` and ask it for the client where they call it, so an
offline session never makes one at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient

__all__ = ["ClientSource", "LazyClient", "lazy_client"]


class LazyClient:
    """One account's `SalesNexusClient`, made on the first `get`."""

    __slots__ = ("_client", "_make")

    def __init__(self, make: Callable[[], SalesNexusClient]) -> None:
        self._make: Callable[[], SalesNexusClient] | None = make
        self._client: SalesNexusClient | None = None

    @classmethod
    def ready(cls, client: SalesNexusClient) -> LazyClient:
        """A holder of a client that exists already."""
        holder = cls(lambda: client)
        holder._client = client
        holder._make = None
        return holder

    @property
    def built(self) -> bool:
        """True once the client exists."""
        return self._client is not None

    def get(self) -> SalesNexusClient:
        """The client, made now if this is the first time it is needed."""
        client = self._client
        if client is None:
            assert self._make is not None
            client = self._client = self._make()
            self._make = None
        return client

    async def aclose(self) -> None:
        """Close the client if it was ever made (a client never made stays unmade)."""
        if self._client is not None:
            await self._client.aclose()


#: what a service that talks to the server is given: a client, or the session's holder of one
ClientSource: TypeAlias = "SalesNexusClient | LazyClient"


def lazy_client(source: ClientSource) -> LazyClient:
    """``source`` as a `LazyClient` (a client that exists is wrapped as made already)."""
    return source if isinstance(source, LazyClient) else LazyClient.ready(source)
