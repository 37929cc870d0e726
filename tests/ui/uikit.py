"""Shared pieces of the GUI tests: a signed-in main window over the real services and sandbox.

HTTP requests are counted by a transport that wraps httpx's real one (the requests still go
over TCP to the sandbox). Waiting is done with asyncio (never a nested Qt loop).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings
from PySide6.QtWidgets import QWidget
from support.accounts import DEMO_EMAIL as DEMO_EMAIL  # re-exported for the UI tests
from support.accounts import DEMO_PASSWORD as DEMO_PASSWORD  # re-exported for the UI tests
from support.waiting import until as until  # re-exported for the UI tests

from snx_desktop.services import AppServices
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.session import SessionBinder


class CountingTransport(httpx.AsyncHTTPTransport):
    """httpx's real transport, counting the POSTs (one per HTTP request to call-v1)."""

    def __init__(self) -> None:
        super().__init__()
        self.posts = 0
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            try:
                self.bodies.append(bytes(request.content)[:4000])
            except httpx.RequestNotRead:
                self.bodies.append(b"")
        return await super().handle_async_request(request)


@dataclass
class Session:
    window: MainWindow
    services: Any
    transport: CountingTransport
    binder: SessionBinder

    @property
    def posts(self) -> int:
        return self.transport.posts


def dispose(widget: QObject) -> None:
    """Destroy ``widget`` now, in this (the GUI) thread.

    Left to Python's cyclic garbage collector, a Qt object may be destroyed in whatever thread
    happens to run a collection (the sandbox's server thread), which Qt does not allow.
    """
    if isinstance(widget, QWidget):
        widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def settings_in(profile: Path) -> QSettings:
    return QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)


@asynccontextmanager
async def signed_in(
    server: Any, profile: Path, *, page_size: int = 50, work_offline: bool = False
) -> AsyncIterator[Session]:
    """A shown main window bound to services signed in to ``server`` as the demo user."""
    transport = CountingTransport()
    services = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        client_options={"transport": transport},
        work_offline=work_offline,
        start=False,
        probe_interval=(0.1, 0.5),
    )
    window = MainWindow(settings=settings_in(profile))
    window.list_pane.page_size = page_size
    window.list_pane.search_delay = 0.15
    binder = SessionBinder(window, services, DEMO_EMAIL)
    try:
        await services.start()
        window.show()
        yield Session(window, services, transport, binder)
    finally:
        await binder.aclose()
        await services.aclose()
        dispose(window)


async def first_page(session: Session, kind: str = "contact") -> None:
    model = session.window.list_pane.models[kind]
    session.window.navigation.select(kind)
    await until(lambda: model.loaded_count > 0 and not model.busy, what=f"first {kind} page")


async def cache_contacts_and_remember(
    server: Any, profile: Path, *, remember: bool = True
) -> list[str]:
    """Sign in once (a page of 100 contacts and the schema land in the store) and remember the
    account in the profile's settings as "remember me" does; the ids of that first page."""
    from snx_desktop.ui.accounts import KnownAccount, save_account

    async with signed_in(server, profile, page_size=100) as s:
        await first_page(s)
        model = s.window.list_pane.models["contact"]
        ids = [model.record_id(i) for i in range(100)]
    save_account(settings_in(profile), KnownAccount(server.base_url, DEMO_EMAIL, remember))
    return ids
