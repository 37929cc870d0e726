"""Sessions of the client: signing in, the token in use (and the ones it replaced, kept to be
scrubbed from texts), asking whom a token belongs to, and one shared re-login through the
app's credentials provider when the server refuses the token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from . import _wire
from .answers import AnswerReader
from .batching import PendingCall, UploadJob
from .calls.base import lister
from .errors import (
    InvalidLoginError,
    SalesNexusError,
    SessionExpiredError,
)
from .results import (
    Layout,
    RecordList,
    ResultShapeError,
    as_text,
)

log = logging.getLogger("snx_desktop.api")

T = TypeVar("T")
CredentialsProvider = Callable[[], Awaitable[tuple[str, str] | None]]
TokenListener = Callable[[str | None], object]


class Sessions(AnswerReader):
    """The session part of the transport; sending is the transport's."""

    _credentials: CredentialsProvider | None
    _on_token_change: TokenListener | None
    _login_lock: asyncio.Lock | None

    def _new_call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], Any]
    ) -> PendingCall:
        raise NotImplementedError

    async def _drive(self, calls: list[PendingCall], upload: UploadJob | None = None) -> None:
        raise NotImplementedError

    # --- sessions --------------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> str:
        """Sign in with e-mail and password; the token is kept and returned."""
        call = self._new_call(
            "get-login-token",
            {"email-address": email, "password": password},
            _parse_login_token,
        )
        await self._drive([call])
        failure = call.future.exception()
        if isinstance(failure, SalesNexusError):
            # a server may quote what it was sent; never let the password through
            failure.message = _wire.scrub_text(failure.message, [password, email])
            failure.args = (failure.message,)
            if failure.detail:
                failure.detail = _wire.scrub_text(failure.detail, [password])
            raise failure
        token = cast(str, call.future.result())
        self._set_token(token, notify=True)
        log.info("signed in to %s", self._url.host)
        return token

    async def token_owner(self, token: str) -> str | None:
        """The user id a login token belongs to, as the server reports it, without using the
        token for anything else.

        Asks ``get-user-layouts`` with ``token`` (the layouts of the token's user, each naming
        its user) and returns their one owner, lower-case; None when the answer names no
        owner or several. The client's own token is left as it was, so nothing else goes out
        with ``token`` meanwhile (see :meth:`use_token`). Raises :class:`SessionExpiredError`
        when the server refuses the token, and the usual errors when it cannot be reached.
        """
        token = token.strip()
        if not token:
            raise SessionExpiredError(code="INVALID_TOKEN")
        call = self._new_call(
            "get-user-layouts", {"login-token": token}, lister("layout", Layout.parse)
        )
        call.needs_token = False  # it carries its own token, never the client's
        await self._drive([call])
        failure = call.future.exception()
        if isinstance(failure, SalesNexusError):
            failure.message = _wire.scrub_text(failure.message, [token])
            failure.args = (failure.message,)
            if failure.detail:
                failure.detail = _wire.scrub_text(failure.detail, [token])
            raise failure
        layouts = cast(RecordList[Layout], call.future.result())
        owners = {layout.user_id for layout in layouts.items if layout.user_id}
        return owners.pop() if len(owners) == 1 else None

    def use_token(self, token: str) -> None:
        """Go on with ``token`` (a renewed sign-in) for every call sent from now on; the
        token listener is told, as after :meth:`login`."""
        self._set_token(token.strip() or None, notify=True)

    def _set_token(self, token: str | None, *, notify: bool) -> None:
        if self._token and self._token != token:
            self._old_tokens = [*self._old_tokens[-3:], self._token]
        self._token = token
        if notify and self._on_token_change is not None:
            try:
                self._on_token_change(token)
            except Exception:
                log.exception("token listener failed")

    async def _relogin(self, token_used: str | None) -> None:
        """One sign-in through the credentials provider, shared by concurrent callers."""
        if self._login_lock is None:
            self._login_lock = asyncio.Lock()
        async with self._login_lock:
            if self._token is not None and self._token != token_used:
                return  # another caller signed in already
            if self._credentials is None:
                if token_used is None:
                    raise SessionExpiredError(
                        "You are not signed in to SalesNexus.", code="NOT_SIGNED_IN"
                    )
                raise SessionExpiredError(code="INVALID_TOKEN")
            try:
                creds = await self._credentials()
            except SalesNexusError:
                raise
            except Exception as exc:
                log.exception("credentials provider failed")
                raise SessionExpiredError(code="INVALID_TOKEN") from exc
            if creds is None:
                raise SessionExpiredError(code="INVALID_TOKEN")
            email, password = creds
            try:
                await self.login(email, password)
            except InvalidLoginError as exc:
                raise SessionExpiredError(
                    "Your session expired and signing in again failed: the saved e-mail "
                    "address or password is not correct.",
                    code="INVALID_TOKEN",
                ) from exc


def _parse_login_token(raw: dict[str, Any]) -> str:
    token = as_text(raw.get("login-token")).strip()
    if not token:
        raise ResultShapeError("the answer lacks 'login-token'")
    return token
