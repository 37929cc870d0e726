"""What the GUI uses of one signed-in account's services: the port between ``ui``/``models``
and ``services``.

`AccountServices` names the parts a widget, a dialog or a Qt model may use; an
:class:`~snx_desktop.services.context.AppServices` is one. Each part is a service class of
this package (its events are typed attributes, e.g. ``writes.status_changed``), imported here
for the type checker only: importing this module loads none of them, so the first paint
(which needs no services) does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient
    from snx_desktop.store import Store

    from .browse import BrowseService
    from .connectivity import Connectivity
    from .events import Event
    from .lazyclient import LazyClient
    from .priming import PrimingService
    from .schema import SchemaService
    from .types import Change
    from .writes import WriteQueue

__all__ = ["AccountServices"]


class AccountServices(Protocol):
    """One signed-in account's services, as the GUI uses them."""

    @property
    def account(self) -> str:
        """The account's identity (its e-mail, or the name of a token sign-in's store)."""

    @property
    def schema(self) -> SchemaService:
        """Fields, layouts and users (``current``), and ``changed`` when they are reloaded."""

    @property
    def browse(self) -> BrowseService:
        """Lists and records: the cache first, then the server."""

    @property
    def writes(self) -> WriteQueue:
        """Every change a rep makes, queued and sent; its events say how the queue goes."""

    @property
    def priming(self) -> PrimingService:
        """ "Make available offline": fills the store; ``progress`` on the way."""

    @property
    def connectivity(self) -> Connectivity:
        """Online, offline or working offline (``state``, ``changed``)."""

    @property
    def changes(self) -> Event[Change]:
        """What every write or refresh changed, so that views refresh only that."""

    @property
    def store(self) -> Store:
        """The account's offline store (read by the lists' row lookups and the queue panel)."""

    @property
    def client(self) -> SalesNexusClient:
        """The wire client (made on this first use when the session started offline)."""

    @property
    def lazy_client(self) -> LazyClient:
        """The holder of the wire client, for parts that must not make it before they call."""
