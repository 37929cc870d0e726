"""The account and sign-in flow: from credentials to a running ``AppServices`` bound to the
window, and back.

:class:`AccountFlow` asks for credentials (silently from the keyring when the user chose
"remember me", otherwise with the sign-in dialog), opens the account's services, binds
them to the window, and closes them again on switch-account, sign-out and quit. When the
session expires and cannot be renewed silently (the write queue pauses and raises
``sign_in_needed``), it asks the user to sign in again to the same account and resumes the
queue; nothing queued is dropped. Secrets pass only between the dialog,
:mod:`snx_desktop.secrets` and the services; they are never logged or written to settings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from snx_desktop import messages
from snx_desktop.secrets import SecretStore, account_key
from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.firstpaint import start_account
from snx_desktop.ui.session import SessionBinder
from snx_desktop.ui.signin import (
    LIVE_SERVER,
    KnownAccount,
    SignInDialog,
    SignInRequest,
    load_accounts,
    save_account,
)

if TYPE_CHECKING:
    from snx_desktop.network import NetworkOptions
    from snx_desktop.services import AppServices
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = [
    "ANOTHER_USER_MESSAGE",
    "DEMO_EMAIL",
    "NOT_RENEWED_MESSAGE",
    "RENEW_MESSAGE",
    "AccountFlow",
]

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo"  # the sandbox's published demo account, not a secret

RENEW_MESSAGE = "Your session has expired. Sign in again to send your queued changes."
ANOTHER_USER_MESSAGE = (
    "This token belongs to another user; use File ▸ Switch account… to sign in as that "
    "user. Your queued changes are kept for this account."
)
NOT_RENEWED_MESSAGE = (
    "Not signed in: your changes are kept and will be sent after you sign in "
    "(File ▸ Switch account…)."
)


def _identity(request: SignInRequest) -> str:
    """The account's identity: its e-mail, or for a token sign-in the ``token-…`` name of its
    store (kept across new tokens, see ``SignInRequest.identity``)."""
    if request.email:
        return request.email
    if request.identity:
        return request.identity
    from snx_desktop.store import identity_from_token

    return str(identity_from_token(request.token))


def _renewed_identity(services: AppServices, request: SignInRequest) -> str:
    """The identity a renewed token sign-in keeps: the open store's (empty for e-mail ones)."""
    if request.email or not request.uses_token:
        return request.identity
    return request.identity or services.account or _identity(request)


class AccountFlow:
    """Owns the current account's services and the sign-in flow."""

    def __init__(
        self,
        *,
        window: MainWindow,
        settings: QSettings,
        profile: Path | None,
        on_quit: Callable[[int], None],
        secrets: SecretStore | None = None,
        network: NetworkOptions | None = None,
    ) -> None:
        self.window = window
        #: the extra CA bundle and proxy of every account's client (default: the system's)
        self.network = network
        self.settings = settings
        self.profile = profile
        self.on_quit = on_quit
        self.secrets = secrets or SecretStore()
        self.services: AppServices | None = None
        self.binder: SessionBinder | None = None
        self.request: SignInRequest | None = None
        self.sandbox_url = ""
        self._password: str | None = None  # kept in memory for re-sign-in on expiry
        self._tasks: set[asyncio.Future[object]] = set()
        self._renewing = False  # one "sign in again" at a time
        self._renew_dialog: SignInDialog | None = None
        self._declined = False  # the user cancelled "sign in again" for this session
        window.switchAccountRequested.connect(self._switch_slot)
        window.signOutRequested.connect(self._sign_out_slot)

    # -- slots (one line each; the coroutines are what tests await) ----------------------------
    def _switch_slot(self) -> None:
        self._spawn(self.switch_account())

    def _sign_out_slot(self) -> None:
        self._spawn(self.sign_out())

    def _sign_in_needed_slot(self) -> None:
        self._spawn(self.renew_session())

    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- start ------------------------------------------------------------------------------
    async def start(self, server: str | None = None, *, offline: bool = False) -> bool:
        """Sign in silently with a remembered account, else ask; False when the user gave up."""
        opened = await self._start(server, offline=offline)
        if self.services is None:
            self.window.list_pane.clear_first_page()  # rows of an account not opened
            self.window.status.set_connection("signed-out")
        return opened

    async def _start(self, server: str | None, *, offline: bool) -> bool:
        await asyncio.to_thread(self.secrets.resolve)
        accounts = load_accounts(self.settings)
        server = (server or "").rstrip("/")
        first = start_account(accounts, server, offline)
        remembered = first if first is not None and first.remember else None
        if remembered is not None:
            secret = self.secrets.get(account_key(remembered.server, remembered.email))
            if secret or offline:
                request = SignInRequest(
                    server=remembered.server,
                    email="" if remembered.uses_token else remembered.email,
                    password="" if remembered.uses_token else (secret or ""),
                    token=(secret or "") if remembered.uses_token else "",
                    remember=True,
                    identity=remembered.email if remembered.uses_token else "",
                )
                if remembered.uses_token and not secret:
                    request = SignInRequest(remembered.server, remembered.email, remember=True)
                error = await self.open_account(request, offline=offline)
                if error is None:
                    return True
                return await self.ask_and_open(server=remembered.server, error=error)
        if offline and accounts:
            last = accounts[0]
            error = await self.open_account(
                SignInRequest(last.server, last.email, remember=last.remember), offline=True
            )
            if error is None:
                return True
        return await self.ask_and_open(server=server or (accounts[0].server if accounts else ""))

    async def start_demo(self, url: str, *, offline: bool = False) -> bool:
        """Sign in to the in-process sandbox with its demo account."""
        self.sandbox_url = url
        request = SignInRequest(server=url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
        error = await self.open_account(request, offline=offline)
        if error is not None:
            messages.error(f"Could not sign in to the demo server: {error}")
            return False
        return True

    async def ask_and_open(self, *, server: str = "", error: str = "") -> bool:
        """Show the sign-in dialog until a sign-in works or the user cancels."""
        last: SignInRequest | None = None
        while True:
            dialog = SignInDialog(
                self.window,
                accounts=load_accounts(self.settings),
                server=server or LIVE_SERVER,
                sandbox_url=self.sandbox_url,
                keyring_warning=self.secrets.warning,
            )
            if last is not None:
                dialog.server.setCurrentText(last.server)
                dialog.email.setText(last.email)
                dialog.remember.setChecked(last.remember)
            dialog.set_error(error)
            result = await run_dialog(dialog)
            request = dialog.request()
            dialog.deleteLater()
            if result != SignInDialog.DialogCode.Accepted:
                if self.services is None:
                    self.window.show_message(
                        "warning", "Not signed in. Use File ▸ Switch account… to sign in."
                    )
                return False
            last = request
            failure = await self.open_account(request)
            if failure is None:
                self.window.navigation.select("home")  # the rep's day first
                self.window.list_pane.ensure_loaded("contact")  # the first list, ready
                return True
            error = failure

    # -- services ----------------------------------------------------------------------------
    async def open_account(self, request: SignInRequest, *, offline: bool = False) -> str | None:
        """Open the account's services and bind them; returns an error text, or None."""
        from snx_desktop.services import AppServices

        await self.close()
        previous = (self.request, self._password)
        self.request, self._password = request, request.password or None
        try:
            services = await AppServices.open(
                request.server,
                profile_dir=self.profile,
                account=request.email or request.identity or None,
                password=request.password or None,
                token=request.token or None,
                credentials=self._credentials,
                work_offline=offline,
                start=False,
                client_options=(
                    self.network.client_options(request.server) if self.network else None
                ),
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.request, self._password = previous
            log.info("sign-in failed: %s", type(exc).__name__)
            return str(exc) or "Sign-in failed."
        self.services = services
        self._declined = False
        self.binder = SessionBinder(self.window, services, request.email or "token sign-in")
        self.binder.bridge.signInNeeded.connect(self._sign_in_needed_slot)
        try:
            await services.start()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("starting the services failed: %s", type(exc).__name__)
            messages.warning(str(exc) or "Some data could not be loaded.")
        self.binder.apply_schema(services.schema.current)
        if not self.sandbox_url or request.server != self.sandbox_url:
            self._remember(request)
        notice = services.store_notice
        if notice is not None:
            messages.warning(notice.message)
        return None

    def _remember(self, request: SignInRequest) -> None:
        key = account_key(request.server, request.email or _identity(request))
        secret = request.token or request.password
        if request.remember and secret:
            self.secrets.set(key, secret)
        elif not request.remember:
            self.secrets.delete(key)
        save_account(
            self.settings,
            KnownAccount(
                server=request.server,
                email=request.email or _identity(request),
                remember=request.remember,
                uses_token=request.uses_token,
            ),
        )

    async def _credentials(self) -> tuple[str, str] | None:
        """Asked by the client when the session expired: the password given at sign-in.

        Without one (a token sign-in, an offline start with nothing remembered) the call
        fails as expired and the user is asked to sign in again (:meth:`renew_session`); the
        write queue waits meanwhile and resumes after the new sign-in.
        """
        request = self.request
        if request is None or request.uses_token:
            return None
        if self._password:
            return request.email, self._password
        if not self._declined:  # not again on every read once the user said no
            self._spawn(self.renew_session())
        return None

    async def renew_session(self) -> bool:
        """Ask the user to sign in again to the open account, then resume the write queue.

        One dialog at a time (a second call while it is open does nothing). A wrong password
        or token is shown in the dialog, which asks again. Cancelled: the queue stays paused
        with every change kept, and the user is told how to send them later. True when the
        session was renewed.
        """
        services, request = self.services, self.request
        if services is None or request is None or self._renewing:
            return False
        self._renewing = True
        dialog = SignInDialog(self.window, keyring_warning=self.secrets.warning)
        dialog.expect_renewal(
            request.server,
            request.email,
            uses_token=request.uses_token,
            remember=request.remember,
            message=RENEW_MESSAGE,
        )
        self._renew_dialog = dialog
        again = request
        try:
            while True:
                result = await run_dialog(dialog)
                if self._renew_dialog is not dialog or services is not self.services:
                    return False  # the account was closed or switched meanwhile
                if result != SignInDialog.DialogCode.Accepted:
                    self._declined = True
                    messages.warning(NOT_RENEWED_MESSAGE)
                    return False
                again = dialog.request()
                error = await self._sign_in_again(services, again)
                if services is not self.services:
                    return False
                if error is None:
                    break
                dialog.set_error(error)
                (dialog.token if again.uses_token else dialog.password).clear()
        finally:
            self._renewing = False
            if self._renew_dialog is dialog:
                self._renew_dialog = None
            dialog.deleteLater()
        renewed = dataclasses.replace(
            request,
            password=again.password,
            token=again.token,
            remember=again.remember,
            # a new token for the same user keeps the account's identity, which names its
            # store and keyring entry (not the one derived from the new token)
            identity=_renewed_identity(services, request),
        )
        self.request, self._password = renewed, again.password or None
        self._declined = False
        if not self.sandbox_url or renewed.server != self.sandbox_url:
            self._remember(renewed)
        services.writes.resume()
        messages.info("Signed in again: your queued changes are being sent.")
        return True

    @staticmethod
    async def _sign_in_again(services: AppServices, again: SignInRequest) -> str | None:
        """Give the open client a new session; an error text for the dialog, or None.

        A new token goes to the open services (same store, same queue) only once the server
        has taken it and it belongs to the account's user; a token of another user is
        refused with :data:`ANOTHER_USER_MESSAGE` and nothing changes.
        """
        from snx_desktop.api import SessionExpiredError
        from snx_desktop.services.context import TokenOfAnotherUserError

        try:
            if again.uses_token:
                await services.renew_token(again.token)
            else:
                await services.client.login(again.email, again.password)
        except asyncio.CancelledError:
            raise
        except TokenOfAnotherUserError:
            return ANOTHER_USER_MESSAGE
        except SessionExpiredError:
            log.info("signing in again failed: the token was refused")
            return "This token was not accepted. Check it and try again."
        except Exception as exc:
            log.info("signing in again failed: %s", type(exc).__name__)
            return str(exc) or "Sign-in failed."
        return None

    def _abandon_renewal(self) -> None:
        """Close an open "sign in again" dialog without the not-signed-in warning."""
        dialog, self._renew_dialog = self._renew_dialog, None
        if dialog is not None:
            dialog.reject()

    async def switch_account(self) -> bool:
        """Sign in to another account, or again to the same one: its queued changes (kept in
        its offline store) are sent by the services opened for it."""
        self._abandon_renewal()
        server = self.request.server if self.request else ""
        return await self.ask_and_open(server=server)

    async def sign_out(self, *, ask_again: bool = True) -> bool:
        """Send what is queued (asking before anything unsent is lost), wipe the account's
        store and its keyring entry, then show the sign-in dialog. False when the user kept
        the session because changes could not be sent."""
        services = self.services
        if services is None or self.request is None:
            return False
        key = account_key(self.request.server, self.request.email or _identity(self.request))
        left = list(services.writes.pending())
        if left:
            left = list(await services.writes.flush(15.0))
        if left:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Unsent changes",
                f"{len(left)} change(s) could not be sent. Sign out anyway and lose them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self.window,
            )
            answer = await run_dialog(box)
            box.deleteLater()
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if self.binder is not None:  # features and panes let go before the services close
            await self.binder.aclose()
            self.binder.deleteLater()
            self.binder = None
        self.services = None
        await services.sign_out(send_first=False, forget_secret=lambda: self.secrets.delete(key))
        self._password = None
        self.request = None
        self.window.setWindowTitle("SalesNexus Desktop")
        if ask_again:
            await self.ask_and_open()
        return True

    async def close(self) -> None:
        """Unbind and close the current services (client and store)."""
        self._abandon_renewal()
        if self.binder is not None:
            await self.binder.aclose()
            self.binder.deleteLater()
            self.binder = None
        services, self.services = self.services, None
        if services is not None:
            await services.aclose()

    def close_at_once(self) -> None:
        """The event loop is gone (the desktop session ended): close the store now, so that
        what is written stays written; nothing else can be done without the loop."""
        if self.services is not None:
            self.services.store.close()
