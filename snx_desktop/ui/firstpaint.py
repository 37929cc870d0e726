"""The window as it first appears: shown with the current list's first page from the offline
store before the event loop, the services and the network client are loaded.

A rep who opens the app sees the contacts they saw last time at once; the rest of the app
(about two thirds of its start-up work) loads while they look at them. Only the rows the
services will show anyway are painted: the account the start-up will open
(:func:`start_account`, which the account and sign-in flow uses too), its cached columns and
the first page of its contact or group list, read read-only from its store. The list keeps
those rows when the services take over (see :meth:`ListPane.show_first_page
<snx_desktop.ui.listpane.ListPane.show_first_page>`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication

from snx_desktop.models.columns import list_columns
from snx_desktop.models.paging import Page
from snx_desktop.models.sources import SchemaView, lookups_from_schema
from snx_desktop.ui.accounts import KnownAccount, load_accounts

if TYPE_CHECKING:
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["FIRST_PAINT_KINDS", "open_first_window", "start_account"]

log = logging.getLogger(__name__)

#: lists shown before the services: their rows need no names from other records
FIRST_PAINT_KINDS = ("contact", "group")
FIRST_PAINT_WAIT_S = 0.3  # longest wait for the window system to let the rows be painted


def start_account(
    accounts: list[KnownAccount], server: str | None, offline: bool
) -> KnownAccount | None:
    """The account a start opens without asking: the first remembered one (on ``server``,
    when given), or working offline, the last one used."""
    wanted = (server or "").rstrip("/")
    remembered = next(
        (a for a in accounts if a.remember and (not wanted or a.server == wanted)), None
    )
    if remembered is not None:
        return remembered
    if offline and accounts:
        return accounts[0]
    return None


def open_first_window(
    app: QApplication,
    settings: QSettings,
    *,
    profile: Path | None,
    server: str | None,
    offline: bool,
    demo: bool,
    started: float,
) -> MainWindow:
    """Build and show the main window, with the first rows from the store when there are
    some, and let them be painted; ``started`` is the process start (epoch seconds)."""
    from snx_desktop.ui.mainwindow import MainWindow

    window = MainWindow(settings=settings)

    painted: list[bool] = []

    def shown(kind: str, rows: int) -> None:
        painted.append(True)
        now = time.time()
        log.info(
            "first %d %s rows on screen at %.3f, %.0f ms after start",
            rows,
            kind,
            now,
            (now - started) * 1000,
        )

    window.list_pane.firstRowsShown.connect(shown)
    shows_rows = not demo and _show_cached_rows(window, settings, profile, server, offline)
    window.show()
    deadline = time.monotonic() + (FIRST_PAINT_WAIT_S if shows_rows else 0.0)
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
    while shows_rows and not painted and time.monotonic() < deadline:
        # the window system decides when the window is exposed and can be painted
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        time.sleep(0.002)
    return window


def _show_cached_rows(
    window: MainWindow,
    settings: QSettings,
    profile: Path | None,
    server: str | None,
    offline: bool,
) -> bool:
    """Put the start account's first cached page in the current list; False if none."""
    kind = window.list_pane.section
    if kind not in FIRST_PAINT_KINDS:
        return False
    try:
        account = start_account(load_accounts(settings), server, offline)
        if account is None:
            return False
        from snx_desktop.services.firstpage import read_first_page

        first = read_first_page(
            account.server,
            account.email.strip().lower(),
            profile,
            kind,
            window.list_pane.page_size,
        )
        if first is None or first.schema is None:
            return False
        schema = SchemaView(first.schema)
        lookups = lookups_from_schema(first.schema, window.list_pane.lookups)
        columns = list_columns(kind, schema.fields, schema.layouts, lookups)
        page = Page(0, first.records, first.total, first.fetched_at, from_cache=True)
        window.list_pane.show_first_page(kind, columns, page)
    except Exception:  # the window opens without them: the services show them shortly
        log.warning("could not show the cached rows at start", exc_info=True)
        return False
    log.debug("first page of %s read from the store in %.1f ms", kind, first.read_ms)
    return True
