"""Session expiry in the middle of a batch of queued writes (the sandbox ends every temporary
token between two writes).

* With remembered credentials the client signs in again by itself and the queue carries on.
* Without, the queue pauses and ``sign_in_needed`` fires; after a new sign-in and
  ``resume()`` every queued write lands, once.
* In the app (``AccountFlow``), a session that cannot be renewed silently must lead to the user
  being asked to sign in again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from support.accounts import AUDIT_EMAIL, AUDIT_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.qtobjects import dispose
from support.signals import when
from support.waiting import until
from support.writequeue import queue_sent

from snx_desktop.api import SalesNexusClient
from snx_desktop.services import AppServices

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

N = 30


async def _queue_notes(svc: Any, contacts: list[str], tag: str) -> list[str]:
    made = []
    for i in range(N):
        text = f"{tag} {i:03d}"
        await svc.writes.create_note(contacts[i % len(contacts)], text)
        made.append(text)
    return made


async def _count_on_server(server: Any, tag: str) -> dict[str, int]:
    rows = server.state.db.all(
        "SELECT details, count(*) AS n FROM notes WHERE details GLOB ? GROUP BY details",
        [f"{tag} *"],
    )
    return {r["details"]: int(r["n"]) for r in rows}


async def _expire_mid_batch(svc: Any, server: Any) -> int:
    """Wait until some writes landed but not all, then end every temporary token."""
    await when(
        svc.writes.status_changed,
        lambda: svc.writes.status.pending <= N - 5,
        30,
        "the queue to send",
    )
    assert svc.writes.status.pending > 0, "the batch finished before the expiry"
    return int(server.expire_tokens())


async def test_expiry_mid_batch_with_remembered_credentials_signs_in_again(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=30, seed=4, latency_ms=20)
    tokens: list[str | None] = []
    asked: list[None] = []
    svc = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,  # remembered for the session: the credentials provider
        profile_dir=tmp_path / "p",
        on_token_change=tokens.append,
        probe_interval=(0.05, 0.5),
    )
    try:
        svc.writes.sign_in_needed.connect(asked.append)
        contacts = (await svc.browse.fetch_page("contact", "", 0, 30)).ids
        first_token = svc.client.token
        made = await _queue_notes(svc, contacts, "remembered")
        assert await _expire_mid_batch(svc, server) >= 1
        await queue_sent(svc.writes, 30, "the queue to send")
        assert asked == []  # never had to ask
        assert svc.client.token
        assert svc.client.token != first_token
        assert tokens
        assert tokens[-1] == svc.client.token
        assert await _count_on_server(server, "remembered") == {t: 1 for t in made}
    finally:
        await svc.aclose()


async def test_expiry_between_uploads_signs_in_again_and_stores_each_file_once(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=30, seed=4, latency_ms=30)
    svc = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=tmp_path / "p",
        probe_interval=(0.05, 0.5),
    )
    try:
        contacts = (await svc.browse.fetch_page("contact", "", 0, 30)).ids
        names = []
        for i in range(8):
            path = tmp_path / f"expiry-{i}.bin"
            path.write_bytes(bytes([i]) * (200_000 + i))  # a few chunks each
            await svc.writes.upload_document(contacts[i % 3], path)
            names.append(path.name)
        await when(
            svc.writes.status_changed,
            lambda: svc.writes.status.pending <= 6,
            30,
            "the queue to send",
        )
        assert svc.writes.status.pending > 0
        server.expire_tokens()
        await queue_sent(svc.writes, 30, "the queue to send")
        rows = server.state.db.all(
            "SELECT file_name, size FROM documents WHERE file_name GLOB 'expiry-*'"
        )
        assert sorted(r["file_name"] for r in rows) == sorted(names)
        assert sorted(int(r["size"]) for r in rows) == [200_000 + i for i in range(8)]
    finally:
        await svc.aclose()


async def test_expiry_mid_batch_without_credentials_asks_and_loses_nothing(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    server = sandbox_factory(contacts=30, seed=4, latency_ms=20)
    async with SalesNexusClient(server.base_url) as c:
        token = await c.login(DEMO_EMAIL, DEMO_PASSWORD)
    svc = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        token=token,  # a saved token, no password, no credentials provider
        profile_dir=tmp_path / "p",
        probe_interval=(0.05, 0.5),
    )
    asked = asyncio.get_running_loop().create_future()
    try:

        def on_sign_in_needed(_v: None) -> None:
            if not asked.done():
                asked.set_result(svc.writes.status.pending)

        svc.writes.sign_in_needed.connect(on_sign_in_needed)
        contacts = (await svc.browse.fetch_page("contact", "", 0, 30)).ids
        made = await _queue_notes(svc, contacts, "asked")
        await _expire_mid_batch(svc, server)
        left_when_asked = await asyncio.wait_for(asked, 20)
        assert left_when_asked > 0
        await asyncio.sleep(0.3)  # time for sends or drops that must not happen: no event to await
        status = svc.writes.status
        assert status.paused
        assert status.failed == 0  # nothing given up on
        assert status.pending == left_when_asked  # nothing dropped while waiting
        assert all(p.state in ("waiting", "sending") for p in svc.writes.pending())
        # the user signs in again; the app resumes the queue
        await svc.client.login(DEMO_EMAIL, DEMO_PASSWORD)
        svc.writes.resume()
        await queue_sent(svc.writes, 30, "the queue to send")
        assert not svc.writes.status.paused
        assert await _count_on_server(server, "asked") == {t: 1 for t in made}
    finally:
        await svc.aclose()


async def test_app_with_password_sign_in_renews_an_expired_session_silently(
    sandbox_factory: Any, tmp_path: Path, user_messages: list[Any]
) -> None:
    from PySide6.QtCore import QSettings

    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.signin import SignInRequest

    server = sandbox_factory(contacts=30, seed=4, latency_ms=20)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)
    try:
        request = SignInRequest(server=server.base_url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
        assert await ctrl.open_account(request) is None
        svc = ctrl.services
        contacts = (await svc.browse.fetch_page("contact", "", 0, 30)).ids
        made = await _queue_notes(svc, contacts, "app")
        await _expire_mid_batch(svc, server)
        await queue_sent(svc.writes, 30, "the queue to send")
        assert await _count_on_server(server, "app") == {t: 1 for t in made}
        assert not [m for m in user_messages if m.level.value == "error"]
    finally:
        await ctrl.close()
        dispose(window)


@pytest.mark.parametrize("case", ["token-revoked", "password-changed"])
async def test_app_asks_to_sign_in_when_the_session_cannot_be_renewed(
    audit_server: Any,
    tmp_path: Path,
    user_messages: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from snx_desktop.sandbox import catalogue
    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.signin import SignInDialog, SignInRequest

    server = audit_server
    server.faults.update({"latency_ms": 20})
    if case == "token-revoked":
        async with SalesNexusClient(server.base_url) as c:
            token = await c.login(AUDIT_EMAIL, AUDIT_PASSWORD)  # stands for a revoked token
        request = SignInRequest(server.base_url, "", token=token)
    else:
        request = SignInRequest(server.base_url, AUDIT_EMAIL, AUDIT_PASSWORD)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)

    def asked() -> bool:
        dialog = any(
            isinstance(w, SignInDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
        )
        told = any("sign in" in m.text.lower() for m in user_messages)
        return dialog or told

    try:
        assert await ctrl.open_account(request) is None
        svc = ctrl.services
        contacts = (await svc.browse.fetch_page("contact", "", 0, 30)).ids
        await _queue_notes(svc, contacts, case)
        if case == "password-changed":  # changed on the web meanwhile: re-sign-in refused
            users = tuple(
                dataclasses.replace(u, password="changed-elsewhere")
                if u.email == AUDIT_EMAIL
                else u
                for u in catalogue.USERS
            )
            monkeypatch.setattr(catalogue, "USERS", users)
        await _expire_mid_batch(svc, server)
        await when(
            svc.writes.status_changed, lambda: svc.writes.status.paused, 20, "the queue to pause"
        )
        await until(asked, 5, "the sign-in request")
    finally:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, SignInDialog):
                w.reject()
        await ctrl.close()
        dispose(window)
