"""Signing in again when the session ends and the app cannot renew it by itself.

The write queue pauses and raises ``sign_in_needed``; the app asks the user to sign in again
to the same account (one dialog at a time), shows a wrong password in the dialog, resumes the
queue after the new sign-in, and on cancel keeps every queued change and says how to send
them later. Everything goes over real HTTP to the sandbox; what landed is read back with a
separate client.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.dialogs import press_ok, sign_in_dialog, sign_in_dialogs
from support.qtobjects import dispose
from support.signals import when
from support.waiting import until
from support.windows import settings_in

from snx_desktop import messages
from snx_desktop.api import SalesNexusClient
from snx_desktop.ui.accountflow import NOT_RENEWED_MESSAGE, RENEW_MESSAGE, AccountFlow
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInRequest

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

NOTES = 6


async def _queue_until(
    app: App, condition: Callable[[], object], timeout: float, what: str
) -> None:
    """Wait on the session's queue-status signal until ``condition`` holds."""
    assert app.ctrl.binder is not None
    await when(app.ctrl.binder.bridge.queueStatusChanged, condition, timeout, what)


@dataclass
class App:
    window: MainWindow
    ctrl: AccountFlow
    said: list[messages.Message]


@pytest_asyncio.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    said: list[messages.Message] = []
    unsubscribe = messages.subscribe(said.append)
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)
    try:
        yield App(window, ctrl, said)
    finally:
        for dialog in sign_in_dialogs():
            dialog.reject()
        await ctrl.close()
        unsubscribe()
        dispose(window)


async def _contact_ids(url: str) -> list[str]:
    async with SalesNexusClient(url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        return list((await client.get_contacts(page_size=5)).ids)[:3]


async def _notes_on_server(url: str, contacts: list[str], tag: str) -> list[str]:
    """The notes tagged ``tag`` as a separate client sees them."""
    async with SalesNexusClient(url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        found: list[str] = []
        for cid in contacts:
            notes = await client.get_notes_for_contact(cid)
            found += [n.details for n in notes.items if n.details.startswith(tag)]
        return sorted(found)


async def _queue_notes(ctrl: AccountFlow, contacts: list[str], tag: str) -> list[str]:
    made = []
    for i in range(NOTES):
        text = f"{tag} {i:02d}"
        await ctrl.services.writes.create_note(contacts[i % len(contacts)], text)
        made.append(text)
    return sorted(made)


async def _offline_start_with_queued_notes(app: App, url: str, tag: str) -> list[str]:
    """Sign in once without "remember me", then start offline (no password anywhere) and
    queue notes: going online, the queue cannot send them without a new sign-in."""
    request = SignInRequest(url, DEMO_EMAIL, DEMO_PASSWORD, remember=False)
    assert await app.ctrl.open_account(request) is None
    await app.ctrl.close()
    assert await asyncio.wait_for(app.ctrl.start(offline=True), 15) is True
    assert sign_in_dialog() is None
    contacts = await _contact_ids(url)
    made = await _queue_notes(app.ctrl, contacts, tag)
    assert app.ctrl.services.writes.status.pending == NOTES
    app.ctrl.services.connectivity.set_work_offline(False)
    return made


async def test_expired_session_without_credentials_asks_and_sends_after_sign_in(
    sandbox: Any, app: App
) -> None:
    tag = f"renew-{uuid.uuid4().hex[:8]}"
    made = await _offline_start_with_queued_notes(app, sandbox.base_url, tag)
    contacts = await _contact_ids(sandbox.base_url)
    await until(sign_in_dialog, 15, "the sign-in-again dialog")
    dialog = sign_in_dialog()
    assert dialog is not None
    assert dialog.error.text() == RENEW_MESSAGE
    assert dialog.server.currentText() == sandbox.base_url
    assert not dialog.server.isEnabled()  # the same account: its queue is waiting
    assert dialog.email.text() == DEMO_EMAIL
    assert dialog.email.isReadOnly()
    assert dialog.use_password.isChecked()
    writes = app.ctrl.services.writes
    await _queue_until(app, lambda: writes.status.paused, 10, "the queue to pause")
    assert "paused" in app.window.status.pending.text()

    # a second request to sign in while the dialog is open shows no second dialog
    assert app.ctrl.binder is not None
    app.ctrl.binder.bridge.signInNeeded.emit()
    await asyncio.sleep(0.2)  # time for a second dialog that must not come: no event to await
    assert sign_in_dialogs() == [dialog]

    dialog.password.setText(DEMO_PASSWORD)
    press_ok(dialog)
    await _queue_until(app, lambda: writes.status.pending == 0, 20, "the queued notes to be sent")
    assert not writes.status.paused
    assert "paused" not in app.window.status.pending.text()
    assert sign_in_dialog() is None
    assert await _notes_on_server(sandbox.base_url, contacts, tag) == made
    assert not [m for m in app.said if m.level is messages.Level.ERROR]


async def test_a_wrong_password_is_shown_and_the_dialog_asks_again(sandbox: Any, app: App) -> None:
    tag = f"wrong-{uuid.uuid4().hex[:8]}"
    made = await _offline_start_with_queued_notes(app, sandbox.base_url, tag)
    contacts = await _contact_ids(sandbox.base_url)
    await until(sign_in_dialog, 15, "the sign-in-again dialog")
    dialog = sign_in_dialog()
    assert dialog is not None
    dialog.password.setText("not the password")
    press_ok(dialog)
    await until(
        lambda: sign_in_dialog() is dialog and dialog.error.text() != RENEW_MESSAGE,
        15,
        "the dialog back with the error",
    )
    assert "not correct" in dialog.error.text()
    assert dialog.password.text() == ""
    assert app.ctrl.services.writes.status.pending == NOTES
    assert app.ctrl.services.writes.status.paused
    dialog.password.setText(DEMO_PASSWORD)
    press_ok(dialog)
    writes = app.ctrl.services.writes
    await _queue_until(app, lambda: writes.status.pending == 0, 20, "the queued notes to be sent")
    assert await _notes_on_server(sandbox.base_url, contacts, tag) == made


async def test_cancel_keeps_the_queue_and_switch_account_sends_it_later(
    sandbox: Any, app: App
) -> None:
    tag = f"cancel-{uuid.uuid4().hex[:8]}"
    made = await _offline_start_with_queued_notes(app, sandbox.base_url, tag)
    contacts = await _contact_ids(sandbox.base_url)
    await until(sign_in_dialog, 15, "the sign-in-again dialog")
    dialog = sign_in_dialog()
    assert dialog is not None
    dialog.reject()
    await until(lambda: any(m.text == NOT_RENEWED_MESSAGE for m in app.said), 10, "the warning")
    warning = next(m for m in app.said if m.text == NOT_RENEWED_MESSAGE)
    assert warning.level is messages.Level.WARNING
    writes = app.ctrl.services.writes
    # the dialog may come from the schema's refresh before the queue tried to send: the queue
    # pauses when its first write meets the expired session
    await _queue_until(app, lambda: writes.status.paused, 10, "the queue to pause")
    assert writes.status.pending == NOTES  # nothing dropped
    assert writes.status.failed == 0
    assert "paused" in app.window.status.pending.text()
    assert await _notes_on_server(sandbox.base_url, contacts, tag) == []
    assert sign_in_dialog() is None

    # later: File > Switch account..., the same account again
    task = asyncio.ensure_future(app.ctrl.switch_account())
    await until(sign_in_dialog, 10, "the sign-in dialog")
    again = sign_in_dialog()
    assert again is not None
    again.server.setCurrentText(sandbox.base_url)
    again.use_password.setChecked(True)
    again.email.setText(DEMO_EMAIL)
    again.password.setText(DEMO_PASSWORD)
    press_ok(again)
    assert await asyncio.wait_for(task, 15) is True
    writes = app.ctrl.services.writes
    await _queue_until(app, lambda: writes.status.pending == 0, 20, "the queued notes to be sent")
    assert await _notes_on_server(sandbox.base_url, contacts, tag) == made


async def test_an_expired_token_is_asked_for_again(fresh_sandbox: Any, app: App) -> None:
    url = fresh_sandbox.base_url
    async with SalesNexusClient(url) as client:
        token = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    assert await app.ctrl.open_account(SignInRequest(url, "", token=token)) is None
    contacts = await _contact_ids(url)
    fresh_sandbox.expire_tokens()
    tag = f"token-{uuid.uuid4().hex[:8]}"
    made = await _queue_notes(app.ctrl, contacts, tag)
    await until(sign_in_dialog, 15, "the sign-in-again dialog")
    dialog = sign_in_dialog()
    assert dialog is not None
    assert dialog.use_token.isChecked()
    assert not dialog.use_password.isEnabled()  # the same account, signed in the same way
    writes = app.ctrl.services.writes
    assert writes.status.pending > 0
    dialog.token.setText(token)  # the expired one: refused, asked again
    press_ok(dialog)
    await until(
        lambda: sign_in_dialog() is dialog and "not accepted" in dialog.error.text(),
        15,
        "the dialog back with the error",
    )
    assert dialog.token.text() == ""
    assert writes.status.paused
    async with SalesNexusClient(url) as client:
        new_token = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    dialog.token.setText(new_token)
    press_ok(dialog)
    await _queue_until(app, lambda: writes.status.pending == 0, 20, "the queued notes to be sent")
    assert app.ctrl.services.client.token == new_token
    assert await _notes_on_server(url, contacts, tag) == made
