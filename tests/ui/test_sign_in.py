"""Signing in through the dialog, remember me in the keyring, silent sign-in, switching."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.dialogs import sign_in_dialog
from support.qtobjects import dispose
from support.waiting import until
from support.windows import rows_shown, settings_in

from snx_desktop.secrets import SecretStore, account_key, memory_keyring_class
from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.signin import SignInDialog, load_accounts

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _submit(dialog: SignInDialog, server: str, email: str, password: str, remember: bool) -> None:
    dialog.server.setCurrentText(server)
    dialog.use_password.setChecked(True)
    dialog.email.setText(email)
    dialog.password.setText(password)
    dialog.remember.setChecked(remember)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@pytest.mark.asyncio
async def test_sign_in_remember_me_and_silent_sign_in(sandbox: Any, tmp_path: Path) -> None:
    keyring = memory_keyring_class()()
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(
        window=window,
        settings=settings,
        profile=tmp_path,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=keyring),
    )
    try:
        task = asyncio.ensure_future(ctrl.start(server=sandbox.base_url))
        await until(sign_in_dialog, 10, "the sign-in dialog")
        dialog = sign_in_dialog()
        assert dialog is not None
        assert not dialog.keyring_note.isVisible()  # a secure keyring: no warning
        _submit(dialog, sandbox.base_url, DEMO_EMAIL, "wrong password", remember=True)
        # the dialog comes back with the error and what was typed
        await until(
            lambda: sign_in_dialog() is not None and sign_in_dialog() is not dialog, 10, "retry"
        )
        again = sign_in_dialog()
        assert again is not None
        assert "not correct" in again.error.text()
        assert again.email.text() == DEMO_EMAIL
        _submit(again, sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, remember=True)
        assert await asyncio.wait_for(task, 15) is True
        assert ctrl.services is not None
        assert DEMO_EMAIL in window.windowTitle()
        model = window.list_pane.models["contact"]
        await rows_shown(model, lambda: model.loaded_count > 0, 10, "contacts")
        key = account_key(sandbox.base_url, DEMO_EMAIL)
        assert keyring.entries[("SalesNexus Desktop", key)] == DEMO_PASSWORD
        accounts = load_accounts(settings)
        assert accounts[0].email == DEMO_EMAIL
        assert accounts[0].remember
        # no secret in the settings file
        settings.sync()
        for name in settings.allKeys():
            assert "password" not in name.lower()
            assert "token" not in name.lower()
            value = settings.value(name)
            values = value if isinstance(value, list) else [value]
            for v in values:
                assert DEMO_PASSWORD not in str(v).split("\t")
        await ctrl.close()
        assert window.list_pane.models["contact"].rowCount() == 0

        # a new start signs in silently from the keyring: no dialog
        ctrl2 = AccountFlow(
            window=window,
            settings=settings,
            profile=tmp_path,
            on_quit=lambda _c: None,
            secrets=SecretStore(backend=keyring),
        )
        assert await asyncio.wait_for(ctrl2.start(), 15) is True
        assert sign_in_dialog() is None
        assert ctrl2.services is not None
        await ctrl2.close()
    finally:
        await ctrl.close()
        dispose(window)


@pytest.mark.asyncio
async def test_insecure_keyring_warns_in_the_dialog_and_cancel_leaves_signed_out(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)
    try:
        task = asyncio.ensure_future(ctrl.start(server=sandbox.base_url))
        await until(sign_in_dialog, 10, "the sign-in dialog")
        dialog = sign_in_dialog()
        assert dialog is not None
        assert dialog.keyring_note.isVisible()  # null keyring in tests
        assert "memory only" in dialog.keyring_note.text()
        dialog.reject()
        assert await asyncio.wait_for(task, 5) is False
        assert ctrl.services is None
        assert window.message_bar.isVisible()
    finally:
        await ctrl.close()
        dispose(window)


@pytest.mark.asyncio
async def test_switch_account_opens_the_dialog_and_signs_in_again(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)
    try:
        ctrl.sandbox_url = sandbox.base_url
        from snx_desktop.ui.signin import SignInRequest

        assert (
            await ctrl.open_account(SignInRequest(sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD))
            is None
        )
        first = ctrl.services
        task = asyncio.ensure_future(ctrl.switch_account())
        await until(sign_in_dialog, 10, "the sign-in dialog")
        dialog = sign_in_dialog()
        assert dialog is not None
        assert dialog.server.findText(sandbox.base_url) >= 0  # the sandbox is offered
        _submit(dialog, sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, remember=False)
        assert await asyncio.wait_for(task, 15) is True
        assert ctrl.services is not None
        assert ctrl.services is not first
    finally:
        await ctrl.close()
        dispose(window)


@pytest.mark.asyncio
async def test_offline_start_opens_the_last_account_from_its_cache(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    keyring = memory_keyring_class()()
    ctrl = AccountFlow(
        window=window,
        settings=settings,
        profile=tmp_path,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=keyring),
    )
    try:
        from snx_desktop.ui.signin import SignInRequest

        request = SignInRequest(sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, remember=False)
        assert await ctrl.open_account(request) is None
        model = window.list_pane.models["contact"]
        await rows_shown(model, timeout=10, what="contacts")
        first = model.record_id(0)
        await ctrl.close()

        # --offline: no password anywhere (remember me was off), no network, the cache shows
        ctrl2 = AccountFlow(
            window=window,
            settings=settings,
            profile=tmp_path,
            on_quit=lambda _c: None,
            secrets=SecretStore(backend=keyring),
        )
        assert await asyncio.wait_for(ctrl2.start(offline=True), 15) is True
        assert sign_in_dialog() is None
        model = window.list_pane.models["contact"]
        await rows_shown(model, timeout=10, what="cached contacts")
        assert model.record_id(0) == first
        assert window.status.connection.text() == "Working offline"
        await ctrl2.close()
    finally:
        await ctrl.close()
        dispose(window)


@pytest.mark.asyncio
async def test_sign_out_wipes_the_account_and_forgets_the_password(
    sandbox: Any, tmp_path: Path
) -> None:
    settings = settings_in(tmp_path)
    window = MainWindow(settings=settings)
    window.show()
    keyring = memory_keyring_class()()
    ctrl = AccountFlow(
        window=window,
        settings=settings,
        profile=tmp_path,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=keyring),
    )
    try:
        from snx_desktop.ui.signin import SignInRequest

        request = SignInRequest(sandbox.base_url, DEMO_EMAIL, DEMO_PASSWORD, remember=True)
        assert await ctrl.open_account(request) is None
        assert ctrl.services is not None
        store_dir = ctrl.services.store.dir
        assert store_dir.exists()
        assert keyring.entries
        assert await ctrl.sign_out(ask_again=False) is True
        assert ctrl.services is None
        assert not store_dir.exists()
        assert not keyring.entries
        assert window.list_pane.models["contact"].rowCount() == 0
    finally:
        await ctrl.close()
        dispose(window)


def test_a_remembered_token_account_reads_as_one_and_keeps_its_identity(
    qapp: QApplication,
) -> None:
    from snx_desktop.ui.signin import KnownAccount

    token_acc = KnownAccount("https://crm.example", "token-3f2a9c", remember=True, uses_token=True)
    mail_acc = KnownAccount("https://crm.example", "rep@example.com", remember=False)
    dialog = SignInDialog(accounts=[token_acc, mail_acc])
    try:
        dialog.show()
        assert dialog.account.itemText(1) == "permanent token on crm.example"
        dialog.account.setCurrentIndex(1)
        assert dialog.use_token.isChecked()
        assert not dialog.email.isVisible()  # its name is the store's, not an e-mail
        assert dialog.token.isVisible()
        dialog.token.setText("a-new-token")
        request = dialog.request()
        assert request.token == "a-new-token"
        assert request.email == ""
        assert request.identity == "token-3f2a9c"  # the same store and queue as before

        dialog.account.setCurrentIndex(2)
        assert dialog.use_password.isChecked()
        assert dialog.email.isVisible()
        assert dialog.email.text() == "rep@example.com"
        dialog.password.setText("secret")
        request = dialog.request()
        assert (request.email, request.identity, request.token) == ("rep@example.com", "", "")
    finally:
        dispose(dialog)
