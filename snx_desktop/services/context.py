"""`AppServices`: the one object the GUI holds, owning the client, the store and the services.

Built with `AppServices.open(...)` (which opens the account's store and says how to make the
client: working offline, it is made only when first needed, see `LazyClient`) or
`AppServices.from_parts(...)` (from an existing client and store). `start()` loads the schema
(cache first), starts the connection probe and the write replay loop; `aclose()` cancels every
task and closes what it owns. Sign-out can send the queue first, then wipes the account's store
and lets the app remove the keyring entry.

When the store's disk refuses writes (full, read-only, no permission, I/O error) the rep is
told once, in words with the count of unsent changes, and the store is tried again every few
seconds; once it takes writes the rep is told, and the write queue sends what waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snx_desktop import messages
from snx_desktop.api.errors import InvalidLoginError
from snx_desktop.store import Store, identity_from_token

from . import _wire
from .browse import BrowseService
from .connectivity import Connectivity, ConnState
from .events import Event
from .lazyclient import ClientSource, LazyClient, lazy_client
from .priming import PrimingService
from .schema import SchemaService
from .types import KINDS, Change, SignOutResult
from .writes import WriteQueue

if TYPE_CHECKING:
    from snx_desktop.api.client import SalesNexusClient
    from snx_desktop.store import OpenNotice, StoreEnvironmentError

log = logging.getLogger(__name__)

CredentialsProvider = Callable[[], Awaitable[tuple[str, str] | None]]

STORE_RETRY_INTERVAL = 5.0
"""Seconds between tries to write to a store whose disk refused writes (full, read-only...)."""

STORE_WRITABLE_MESSAGE = (
    "The offline store can be written again: changes are saved, and unsent ones are sent."
)


class TokenOfAnotherUserError(Exception):
    """A new token for the open account belongs to another user; nothing was changed."""


class AppServices:
    """Client + store + every service, wired together."""

    def __init__(
        self,
        client: ClientSource,
        store: Store,
        *,
        account: str = "",
        work_offline: bool = False,
        owns: bool = False,
        probe_interval: tuple[float, float] = (1.0, 60.0),
    ) -> None:
        #: the account's wire client, made when first needed (see `client`)
        self.lazy_client = lazy_client(client)
        self.store = store
        self.account = account
        self._owns = owns
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._store_check: asyncio.Future[None] | None = None
        self._store_retry: asyncio.Task[None] | None = None
        #: seconds between tries to write again while the disk refuses (see `store_problem`)
        self.store_retry_interval = STORE_RETRY_INTERVAL
        self.changes: Event[Change] = Event("services.changes")
        self.connectivity = Connectivity(
            self._probe,
            work_offline=work_offline,
            min_interval=probe_interval[0],
            max_interval=probe_interval[1],
        )
        clients = self.lazy_client
        self.schema = SchemaService(clients, store, account=account)
        self.writes = WriteQueue(clients, store, self.schema, self.connectivity, self.changes)
        self.browse = BrowseService(
            clients,
            store,
            self.schema,
            self.connectivity,
            self.changes,
            overlay=self.writes.reapply,
            pending_ids=self.writes.pending_ids,
        )
        self.priming = PrimingService(clients, store, self.schema, self.connectivity, self.changes)
        self.priming.overlay = self.writes.reapply
        self.writes.pages_shown = self.browse.wait_written
        self._disconnect = self.connectivity.changed.connect(self._on_state)
        self._unsubscribe_store = store.subscribe_problem(self._store_problem)

    @property
    def client(self) -> SalesNexusClient:
        """The account's wire client (made now, if this is its first use)."""
        return self.lazy_client.get()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_parts(
        cls,
        client: ClientSource,
        store: Store,
        *,
        account: str = "",
        work_offline: bool = False,
        owns: bool = False,
        probe_interval: tuple[float, float] = (1.0, 60.0),
    ) -> AppServices:
        return cls(
            client,
            store,
            account=account,
            work_offline=work_offline,
            owns=owns,
            probe_interval=probe_interval,
        )

    @classmethod
    async def open(
        cls,
        base_url: str,
        *,
        account: str | None = None,
        profile_dir: Path | None = None,
        password: str | None = None,
        token: str | None = None,
        credentials: CredentialsProvider | None = None,
        on_token_change: Callable[[str | None], None] | None = None,
        work_offline: bool = False,
        start: bool = True,
        client_options: dict[str, Any] | None = None,
        probe_interval: tuple[float, float] = (1.0, 60.0),
    ) -> AppServices:
        """Make the client, open the account's store and (by default) start.

        ``account`` is the e-mail (it names the store); with only a permanent token the store
        is named after a hash of the token. A wrong password raises `InvalidLoginError`; an
        unreachable server does not: the services open offline on the cache, and sign in
        through ``credentials`` (or the given password) when the server is back.
        """
        if not account and not token:
            raise ValueError("an account e-mail or a token is needed")
        identity = (account or "").strip().lower() or identity_from_token(token or "")
        if credentials is None and account and password:
            saved = (account, password)

            async def remembered() -> tuple[str, str] | None:
                return saved

            credentials = remembered
        # one sqlite3 connection, used from the loop thread only; its integrity check runs
        # on a connection of its own in a worker thread (see `verify_store`) instead of
        # delaying the first rows from the cache
        store = Store.open(base_url, identity, profile_dir, check="none")
        options = dict(client_options or {})

        def make_client() -> SalesNexusClient:
            # imported here: the client pulls in httpx, which `import snx_desktop.services`
            # need not pay for
            from snx_desktop.api.client import SalesNexusClient

            return SalesNexusClient(
                base_url,
                token=token,
                credentials=credentials,
                on_token_change=on_token_change,
                **options,
            )

        try:
            # working offline, the rows come from the cache and no request is due: the client
            # (and httpx and TLS with it) is made when something first needs it
            client = LazyClient(make_client)
            if not work_offline:
                client.get()
        except BaseException:
            store.close()
            raise
        services = cls(
            client,
            store,
            account=identity,
            work_offline=work_offline,
            owns=True,
            probe_interval=probe_interval,
        )
        if not getattr(store.notice, "rebuilt", False):  # a rebuilt store is new: not checked
            services._store_check = asyncio.ensure_future(services._check_store())
        try:
            if password and account and not work_offline:
                try:
                    await services.client.login(account, password)
                    services.connectivity.report_success()
                except InvalidLoginError:
                    raise
                except Exception as exc:
                    if not _wire.is_offline_error(exc):
                        raise
                    services.connectivity.report_failure(str(exc))
            if start:
                await services.start()
        except BaseException:
            await services.aclose()
            raise
        return services

    @property
    def store_notice(self) -> OpenNotice | None:
        """Set when the store had to be rebuilt, or opened on a disk that refuses writes
        (show its ``message`` to the user)."""
        return self.store.notice

    @property
    def store_problem(self) -> StoreEnvironmentError | None:
        """The store's error while its disk refuses writes (full, read-only, no permission,
        I/O error), else None. Meanwhile a write raises that error (the change is not saved,
        the rep is told why), the rep is told once what is wrong, and the store is tried
        again every `store_retry_interval` seconds; once it takes writes the rep is told and
        the queued changes go out."""
        return self.store.problem

    def _store_problem(self, problem: StoreEnvironmentError | None) -> None:
        if self._closed:
            return
        if problem is None:
            messages.info(STORE_WRITABLE_MESSAGE)
            self.writes.wake()  # what waits goes out now, not after the queue's backoff
            return
        messages.warning(problem.summary or str(problem))
        self._watch_store()

    def _watch_store(self) -> None:
        """Try the store again now and then while its disk refuses writes."""
        if self._closed or (self._store_retry is not None and not self._store_retry.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (yet): start() watches
        self._store_retry = loop.create_task(self._retry_store(), name="snx-store-retry")

    async def _retry_store(self) -> None:
        while not self._closed and self.store_problem is not None:
            await asyncio.sleep(self.store_retry_interval)
            if self._closed:
                return
            try:
                # once it takes writes, the write queue's next try (it backs off while the
                # store refuses) sends what waits
                self.store.retry()
            except Exception:
                log.exception("trying the offline store again failed")

    # ------------------------------------------------------------------ session
    def signed_in_user(self) -> str | None:
        """The user id this account's store belongs to (from the schema, cached), if known."""
        schema = self.schema.current
        me = schema.me if schema is not None else None
        if not me:
            cached = self.store.cache.get_catalog("current_user_id")
            me = str(cached.value) if cached is not None and cached.value else None
        return me.strip().lower() if me else None

    async def renew_token(self, token: str) -> None:
        """Go on with a new login token for the open account: same store, same write queue.

        The server is asked whose token it is before anything else goes out with it. A token
        of another user than the one this store belongs to raises `TokenOfAnotherUserError`
        and changes nothing (sign in to that user as another account instead); a refused one
        raises `SessionExpiredError`. Where either user is unknown (never online, or an
        answer that names no owner) the token is taken. Resuming the write queue is the
        caller's (``writes.resume()``).
        """
        owner = await self.client.token_owner(token)
        known = self.signed_in_user()
        if owner and known and owner.strip().lower() != known:
            log.info("renewal refused: the new token belongs to another user")
            raise TokenOfAnotherUserError(
                "This token belongs to another user; use File ▸ Switch account… "
                "to sign in as that user."
            )
        self.client.use_token(token)
        self.connectivity.report_success()

    # ------------------------------------------------------------------ lifecycle
    async def _check_store(self) -> None:
        problems = await asyncio.to_thread(self.store.integrity_check_detached)
        if not problems or self._closed:
            return
        self.store.replace_damaged(problems)
        for kind in KINDS:  # every list and record shown came from the old database
            self.changes.emit(Change(kind, "rebuilt", ()))

    async def verify_store(self) -> None:
        """Wait for the store's integrity check (started by `open`, in a worker thread).

        A damaged store is moved aside and rebuilt in place; ``store_notice`` then says so.
        """
        check = self._store_check
        if check is not None:
            await asyncio.shield(check)

    async def start(self) -> None:
        """Check the store, load the schema (cache first, then the server), start the probe
        and the replay (nothing is sent from a store not known to be sound)."""
        await self.verify_store()
        if self.store_problem is not None:
            self._watch_store()
        await self.refresh_schema()
        self.connectivity.start()
        self.writes.start()

    async def refresh_schema(self) -> None:
        if not self.connectivity.is_online:
            return
        try:
            await self.schema.load(refresh=True)
        except Exception as exc:
            if _wire.is_offline_error(exc):
                self.connectivity.report_failure(str(exc))
                return
            if self.schema.current is None:
                raise
            log.warning("schema refresh failed: %s", exc)
        else:
            self.connectivity.report_success()

    def _on_state(self, state: ConnState) -> None:
        if state is ConnState.ONLINE and not self._closed:
            self._spawn(self.refresh_schema())

    def _spawn(self, coro: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background task failed")

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _probe(self) -> None:
        await self.client.greet()

    async def aclose(self) -> None:
        """Cancel every task; close the client and the store when this object made them."""
        if self._closed:
            return
        self._closed = True
        self._disconnect()
        if self._unsubscribe_store is not None:
            self._unsubscribe_store()
        if self._store_retry is not None:
            self._store_retry.cancel()
            with contextlib.suppress(BaseException):
                await self._store_retry
        if self._store_check is not None:
            # the check runs in a worker thread on a connection of its own: let it finish
            # before the store closes
            with contextlib.suppress(BaseException):
                await self._store_check
        await self.priming.aclose()
        await self.writes.aclose()
        await self.browse.aclose()
        await self.connectivity.aclose()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        if self._owns:
            with contextlib.suppress(Exception):
                await self.lazy_client.aclose()
            with contextlib.suppress(Exception):
                self.store.close()

    # ------------------------------------------------------------------ sign-out
    async def sign_out(
        self,
        *,
        send_first: bool = True,
        timeout: float = 15.0,
        forget_secret: Callable[[], object] | None = None,
    ) -> SignOutResult:
        """Sign out: optionally send the queue first; then wipe the store and the secret.

        With ``send_first`` and changes still unsent after ``timeout``, nothing is wiped
        (``wiped`` is False, ``left`` lists them): ask the user, then call again with
        ``send_first=False`` to wipe anyway.
        """
        before = self.store.outbox.counts().total
        left = self.writes.pending()
        if send_first and left:
            left = await self.writes.flush(timeout)
            if left:
                return SignOutResult(before - len(left), left, False)
        sent = before - len(left)
        await self.aclose()
        if not self._owns:
            with contextlib.suppress(Exception):
                await self.lazy_client.aclose()
        self.store.wipe()
        if forget_secret is not None:
            try:
                forget_secret()
            except Exception:
                log.exception("could not remove the saved sign-in")
        return SignOutResult(sent, left, True)
