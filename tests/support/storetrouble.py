"""Helpers for the tests of the offline store under trouble: services on a given profile over
real HTTP with a network switch, the app's own sign-in in a window, changes queued offline,
checks of what reached the server, and a trace of the store connection's commits."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_EMAIL, C_NAME
from support.network import Network
from support.qtobjects import dispose


async def open_app(server: Any, profile: Path, network: Network | None = None, **kw: Any) -> Any:
    """The app's services for the demo account on ``profile`` (started), as the app opens
    them (the store opened unchecked, its check run in a worker thread)."""
    from snx_desktop.services import AppServices

    net = network or Network()
    svc = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        client_options={"transport": net, "retries": 1, "backoff": 0.01, "timeout": 10.0},
        probe_interval=(0.05, 0.3),
        **kw,
    )
    svc.network = net
    svc.writes.retry_base = 0.02
    svc.writes.retry_max = 0.3
    svc.store_retry_interval = 0.1
    return svc


@dataclass
class SignedInWindow:
    """The main window after the app's own sign-in path opened the demo account."""

    flow: Any  # the window's AccountFlow
    window: Any
    shown: list[str]  # the warnings the window's message bar got

    @property
    def services(self) -> Any:
        return self.flow.services


@asynccontextmanager
async def signed_in_window(
    server: Any, profile: Path, settings_file: Path | None = None
) -> AsyncIterator[SignedInWindow]:
    """Sign the demo account in through the window's account flow (which opens the store on
    ``profile`` as a start does); closed and disposed afterwards."""
    from PySide6.QtCore import QSettings

    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.signin import SignInRequest

    settings_path = settings_file or profile / "settings.ini"
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    shown: list[str] = []
    window.messages.warning.connect(lambda text, _d: shown.append(text))
    flow = AccountFlow(window=window, settings=settings, profile=profile, on_quit=lambda _c: None)
    try:
        request = SignInRequest(server.base_url, DEMO_EMAIL, DEMO_PASSWORD)
        assert await flow.open_account(request) is None
        yield SignedInWindow(flow, window, shown)
    finally:
        await flow.close()
        dispose(window)


async def queue_contacts(svc: Any, tag: str, count: int) -> list[str]:
    """Queue ``count`` new contacts (unique e-mails) each with a note on its temporary id;
    returns the e-mails."""
    emails = []
    for i in range(count):
        email = f"{tag}-{i:03d}@store-trouble.example"
        change = await svc.writes.create_contact({C_NAME: f"{tag} person {i:03d}", C_EMAIL: email})
        await svc.writes.create_note(change.ids[0], f"{tag} note {i:03d}")
        emails.append(email)
    return emails


async def assert_on_server_once(svc: Any, tag: str, emails: list[str]) -> None:
    """Each contact queued by :func:`queue_contacts` is on the server exactly once, with its
    note exactly once (its temporary id was mapped to the real one)."""
    client = svc.client
    for i, email in enumerate(emails):
        found = await client.get_contacts(filter_value=email)
        assert found.total == 1, (email, found.total)
        notes = await client.get_notes_for_contact(found.items[0].contact_id)
        assert [n.details for n in notes.items] == [f"{tag} note {i:03d}"], email


@dataclass
class CommitTrace:
    """Every COMMIT on a connection, with the ``PRAGMA synchronous`` level in force when it
    ran and the statements of its transaction."""

    conn: sqlite3.Connection
    commits: list[tuple[int, list[str]]] = field(default_factory=list)
    _statements: list[str] = field(default_factory=list)
    _asking: bool = False

    def __post_init__(self) -> None:
        self.conn.set_trace_callback(self._trace)

    def _trace(self, statement: str) -> None:
        if self._asking:
            return
        if statement.startswith("BEGIN"):
            self._statements = []
        elif statement.startswith("COMMIT"):
            self._asking = True
            try:
                level = int(self.conn.execute("PRAGMA synchronous").fetchone()[0])
            finally:
                self._asking = False
            self.commits.append((level, self._statements))
            self._statements = []
        else:
            self._statements.append(statement)

    def stop(self) -> None:
        self.conn.set_trace_callback(None)

    def levels_of(self, needle: str) -> list[int]:
        """The synchronous levels of the commits whose transaction ran ``needle``."""
        return [lvl for lvl, stmts in self.commits if any(needle in s for s in stmts)]
