"""A signed-in main window over the real services and sandbox, for the GUI tests.

HTTP requests are counted by a transport that wraps httpx's real one (the requests still go
over TCP to the sandbox). Waiting is done with asyncio (never a nested Qt loop).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from snx_desktop.services import AppServices
from snx_desktop.ui.mainwindow import MainWindow
from snx_desktop.ui.session import SessionBinder
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.network import CountingTransport
from support.qtobjects import dispose
from support.signals import when


@dataclass
class Session:
    window: MainWindow
    services: Any
    transport: CountingTransport
    binder: SessionBinder

    @property
    def posts(self) -> int:
        return self.transport.posts


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


async def rows_shown(
    model: Any,
    condition: Callable[[], object] | None = None,
    timeout: float = 20.0,
    what: str = "rows",
) -> None:
    """Wait on a paged list model's signals until ``condition`` holds (by default: rows shown
    and no page in flight)."""
    await when(
        (model.pageLoaded, model.idle, model.modelReset),
        condition or (lambda: model.loaded_count > 0 and not model.busy),
        timeout,
        what,
    )


async def connection_reads(session: Session, text: str, timeout: float = 10.0) -> None:
    """Wait until the status bar's connection label reads ``text`` (it follows the services'
    connectivity through the session's bridge)."""
    label = session.window.status.connection
    await when(
        session.binder.bridge.connectivityChanged,
        lambda: label.text() == text,
        timeout,
        f"the status bar to read {text!r}",
    )


async def first_page(session: Session, kind: str = "contact") -> None:
    model = session.window.list_pane.models[kind]
    session.window.navigation.select(kind)
    await rows_shown(model, what=f"first {kind} page")


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
