"""Renewing an expired token sign-in with a new token keeps the open account's store.

A token sign-in's store is named after its first token; a new token for the same user goes to
the open services (same store, the paused write queue resumes and sends everything once), and
the remembered entry (keyring and the settings' account list) keeps pointing at that store,
so the next start finds it. A token of another user is refused (the server is asked whose it
is before anything goes out with it) and everything stays queued. All over HTTP to the
sandbox, which expires tokens on request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.dialogs import press_ok, sign_in_dialog, sign_in_dialogs
from support.qtobjects import dispose
from support.signals import when
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.api import SalesNexusClient
from snx_desktop.services import AppServices
from snx_desktop.services.context import TokenOfAnotherUserError
from snx_desktop.store import identity_from_token

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

OTHER_EMAIL = ALEX_EMAIL  # another user of the sandbox's demo data
OTHER_PASSWORD = ALEX_PASSWORD
N = 8


async def _token(url: str, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> str:
    async with SalesNexusClient(url) as client:
        return await client.login(email, password)


def _notes_on_server(server: Any, tag: str) -> dict[str, int]:
    rows = server.state.db.all(
        "SELECT details, count(*) AS n FROM notes WHERE details GLOB ? GROUP BY details",
        [f"{tag} *"],
    )
    return {r["details"]: int(r["n"]) for r in rows}


async def _queue_notes(svc: Any, contacts: list[str], tag: str) -> list[str]:
    made = []
    for i in range(N):
        text = f"{tag} {i:02d}"
        await svc.writes.create_note(contacts[i % len(contacts)], text)
        made.append(text)
    return made


async def _paused_with_notes(svc: Any, server: Any, tag: str) -> list[str]:
    """Expire every token, queue notes: the queue pauses waiting for a new sign-in."""
    contacts = list((await svc.browse.fetch_page("contact", "", 0, 10)).ids)
    server.expire_tokens()
    made = await _queue_notes(svc, contacts, tag)
    await when(
        svc.writes.status_changed, lambda: svc.writes.status.paused, what="the queue to pause"
    )
    assert svc.writes.status.pending == N
    return made


async def _token_sign_in(sandbox_factory: Any, tmp_path: Path) -> tuple[Any, str, AppServices]:
    """A server of its own, a permanent token of the demo user, services signed in with it."""
    server = sandbox_factory(contacts=20, seed=4)
    first = await _token(server.base_url)
    svc = await AppServices.open(
        server.base_url, token=first, profile_dir=tmp_path / "p", probe_interval=(0.05, 0.5)
    )
    return server, first, svc


async def test_a_new_token_for_the_same_user_keeps_the_store_and_sends_the_queue(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server, first, svc = await _token_sign_in(sandbox_factory, tmp_path)
    try:
        store = svc.store
        assert svc.account == identity_from_token(first)
        made = await _paused_with_notes(svc, server, "same-user")
        assert _notes_on_server(server, "same-user") == {}

        renewed = await _token(server.base_url)
        await svc.renew_token(renewed)
        svc.writes.resume()
        await queue_sent(svc.writes, what="the queue to be sent")
        assert svc.store is store  # the same store, not one named after the new token
        assert svc.client.token == renewed
        assert _notes_on_server(server, "same-user") == {t: 1 for t in made}
    finally:
        await svc.aclose()


async def test_a_token_of_another_user_is_refused_and_everything_stays_queued(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server, first, svc = await _token_sign_in(sandbox_factory, tmp_path)
    try:
        made = await _paused_with_notes(svc, server, "other-user")
        other = await _token(server.base_url, OTHER_EMAIL, OTHER_PASSWORD)
        with pytest.raises(TokenOfAnotherUserError, match="another user"):
            await svc.renew_token(other)
        assert svc.client.token == first  # never adopted
        await asyncio.sleep(0.3)  # time for sends that must not happen: no event to await
        assert svc.writes.status.paused
        assert svc.writes.status.pending == N
        assert svc.writes.status.failed == 0
        assert _notes_on_server(server, "other-user") == {}

        await svc.renew_token(await _token(server.base_url))
        svc.writes.resume()
        await queue_sent(svc.writes, what="the queue to be sent")
        assert _notes_on_server(server, "other-user") == {t: 1 for t in made}
    finally:
        await svc.aclose()


# --- in the app: the sign-in-again dialog, the keyring entry and the account list ----------------


@dataclass
class App:
    window: Any
    ctrl: Any
    settings: Any
    said: list[Any]


@pytest_asyncio.fixture
async def app(tmp_path: Path, user_messages: list[Any]) -> AsyncIterator[App]:
    from PySide6.QtCore import QSettings

    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)
    try:
        yield App(window, ctrl, settings, user_messages)
    finally:
        for dialog in sign_in_dialogs():
            dialog.reject()
        await ctrl.close()
        dispose(window)


async def test_renewing_in_the_dialog_keeps_the_store_and_the_remembered_account(
    fresh_sandbox: Any, app: App
) -> None:
    from snx_desktop.secrets import account_key
    from snx_desktop.ui.accountflow import ANOTHER_USER_MESSAGE
    from snx_desktop.ui.signin import SignInRequest, load_accounts

    server, ctrl = fresh_sandbox, app.ctrl
    url = server.base_url
    first = await _token(url)
    identity = identity_from_token(first)
    assert await ctrl.open_account(SignInRequest(url, "", token=first, remember=True)) is None
    store_dir = Path(ctrl.services.store.dir)
    writes = ctrl.services.writes
    contacts = list((await ctrl.services.browse.fetch_page("contact", "", 0, 10)).ids)
    server.expire_tokens()
    made = await _queue_notes(ctrl.services, contacts, "dialog")
    await until(sign_in_dialog, 15, "the sign-in-again dialog")
    dialog = sign_in_dialog()
    assert dialog.use_token.isChecked()

    # another user's token: refused in the dialog, nothing sent, nothing adopted
    dialog.token.setText(await _token(url, OTHER_EMAIL, OTHER_PASSWORD))
    press_ok(dialog)
    await until(
        lambda: sign_in_dialog() is dialog and dialog.error.text() == ANOTHER_USER_MESSAGE,
        15,
        "the dialog back with the refusal",
    )
    assert "Switch account" in dialog.error.text()
    assert dialog.token.text() == ""
    assert writes.status.paused
    assert writes.status.pending == N
    assert ctrl.services.client.token == first
    assert _notes_on_server(server, "dialog") == {}

    # a new token of the same user: taken by the open services, the queue goes out
    renewed = await _token(url)
    dialog.token.setText(renewed)
    press_ok(dialog)
    await queue_sent(writes, 20, "the queued notes to be sent")
    assert ctrl.services.writes is writes
    assert Path(ctrl.services.store.dir) == store_dir
    assert ctrl.services.client.token == renewed
    assert _notes_on_server(server, "dialog") == {t: 1 for t in made}

    # remembered under the store's identity, with the new token; one entry, not two
    assert ctrl.secrets.get(account_key(url, identity)) == renewed
    assert ctrl.secrets.get(account_key(url, identity_from_token(renewed))) is None
    tokens = [a for a in load_accounts(app.settings) if a.uses_token]
    assert [(a.server, a.email, a.remember) for a in tokens] == [(url, identity, True)]

    # the next start signs in silently with the new token and opens the same store
    await ctrl.close()
    assert await asyncio.wait_for(ctrl.start(), 15) is True
    assert sign_in_dialog() is None
    assert Path(ctrl.services.store.dir) == store_dir
    assert ctrl.services.client.token == renewed
    page = await ctrl.services.browse.fetch_page("contact", "", 0, 10)
    assert list(page.ids) == contacts
