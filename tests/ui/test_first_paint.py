"""The first paint: the window shows the remembered account's first cached rows before the
event loop, the services or the network client are loaded, and keeps them when the services
take over; an account that is not opened after all leaves no rows behind."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from support.accounts import DEMO_EMAIL
from support.qtobjects import dispose
from support.signals import when
from support.waiting import until
from support.windows import cache_contacts_and_remember, settings_in

from snx_desktop.services import AppServices
from snx_desktop.services.firstpage import read_first_page
from snx_desktop.store.paths import DB_FILE_NAME, account_dir
from snx_desktop.ui.accountflow import AccountFlow
from snx_desktop.ui.firstpaint import open_first_window, start_account
from snx_desktop.ui.session import SessionBinder
from snx_desktop.ui.signin import KnownAccount, SignInDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

PAGE = 100  # the list pane's page size


def test_start_account_is_the_remembered_one_or_offline_the_last_one() -> None:
    a = KnownAccount("https://one.example", "a@example.com", remember=False)
    b = KnownAccount("https://two.example", "b@example.com", remember=True)
    c = KnownAccount("https://one.example", "c@example.com", remember=True)
    assert start_account([a, b, c], None, offline=False) == b
    assert start_account([a, b, c], "https://one.example/", offline=False) == c
    assert start_account([a], None, offline=False) is None
    assert start_account([a], None, offline=True) == a
    assert start_account([], None, offline=True) is None


@pytest.mark.asyncio
async def test_the_store_answers_the_first_page_the_services_answer(
    sandbox: Any, tmp_path: Path
) -> None:
    ids = await cache_contacts_and_remember(sandbox, tmp_path)
    first = read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "contact", PAGE)
    assert first is not None
    assert first.schema is not None
    assert [r["id"] for r in first.records] == ids
    services = await AppServices.open(
        sandbox.base_url, account=DEMO_EMAIL, profile_dir=tmp_path, work_offline=True, start=False
    )
    try:
        page = services.browse.cached_page("contact", "", 0, PAGE)
        assert page is not None
        assert page.records == first.records
        assert page.total == first.total
    finally:
        await services.aclose()
    # only a whole page is shown; other lists, accounts and servers have none
    assert read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "contact", PAGE + 1) is None
    assert read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "activity", PAGE) is None
    assert read_first_page(sandbox.base_url, "x@example.com", tmp_path, "contact", PAGE) is None
    assert read_first_page("https://elsewhere.example", DEMO_EMAIL, tmp_path, "contact", 9) is None


@pytest.mark.asyncio
async def test_a_store_being_written_elsewhere_still_gives_the_first_page(
    sandbox: Any, tmp_path: Path
) -> None:
    ids = await cache_contacts_and_remember(sandbox, tmp_path)
    path = account_dir(sandbox.base_url, DEMO_EMAIL, tmp_path) / DB_FILE_NAME
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another copy of the app in the middle of a write
        writer.execute("UPDATE records SET fetched_at = fetched_at")
        first = read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "contact", PAGE)
        assert first is not None
        assert [r["id"] for r in first.records] == ids
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.asyncio
async def test_an_older_empty_or_damaged_store_gives_no_first_page(
    sandbox: Any, tmp_path: Path
) -> None:
    await cache_contacts_and_remember(sandbox, tmp_path)
    path = account_dir(sandbox.base_url, DEMO_EMAIL, tmp_path) / DB_FILE_NAME
    original = path.read_bytes()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 1")
    assert read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "contact", PAGE) is None
    for damaged in (b"", b"not a database at all" * 100, original[:4096]):
        path.write_bytes(damaged)
        for sidecar in path.parent.glob(DB_FILE_NAME + "-*"):
            sidecar.unlink()
        assert read_first_page(sandbox.base_url, DEMO_EMAIL, tmp_path, "contact", PAGE) is None
    assert path.read_bytes() == original[:4096]  # read only: nothing repaired or created


@pytest.mark.asyncio
async def test_rows_shown_at_start_stay_when_the_services_take_over(
    sandbox: Any, tmp_path: Path, qapp: QApplication
) -> None:
    ids = await cache_contacts_and_remember(sandbox, tmp_path)
    settings = settings_in(tmp_path)
    window = open_first_window(
        qapp,
        settings,
        profile=tmp_path,
        server=sandbox.base_url,
        offline=True,
        demo=False,
        started=0.0,
    )
    model = window.list_pane.models["contact"]
    services = None
    binder = None
    try:
        assert window.isVisible()
        assert [model.record_id(i) for i in range(model.loaded_count)] == ids
        assert [c.label for c in model.columns][:2] == ["Full Name", "Company"]
        resets: list[int] = []
        model.modelReset.connect(lambda: resets.append(model.loaded_count))
        services = await AppServices.open(
            sandbox.base_url,
            account=DEMO_EMAIL,
            profile_dir=tmp_path,
            work_offline=True,
            start=False,
        )
        binder = SessionBinder(window, services, DEMO_EMAIL)
        # attaching resets the list and answers its first page from the store in the same
        # step: when control returns to the event loop (and a paint could happen) the rows
        # are there again, the same ones
        assert resets, "the services did not take the list over"
        assert [model.record_id(i) for i in range(model.loaded_count)] == ids
        await when(model.idle, lambda: not model.busy, 10, "the page's refresh")
        assert [model.record_id(i) for i in range(PAGE)] == ids
    finally:
        if binder is not None:
            await binder.aclose()
        if services is not None:
            await services.aclose()
        dispose(window)


@pytest.mark.asyncio
async def test_rows_of_an_account_not_opened_are_cleared(
    sandbox: Any, tmp_path: Path, qapp: QApplication
) -> None:
    # remembered, but its password is not in the (null) keyring: the start asks, and the
    # rep cancels
    await cache_contacts_and_remember(sandbox, tmp_path)
    settings = settings_in(tmp_path)
    window = open_first_window(
        qapp,
        settings,
        profile=tmp_path,
        server=None,
        offline=False,
        demo=False,
        started=0.0,
    )
    model = window.list_pane.models["contact"]
    assert model.loaded_count == PAGE
    ctrl = AccountFlow(window=window, settings=settings, profile=tmp_path, on_quit=lambda _c: None)

    def dialog() -> SignInDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, SignInDialog) and widget.isVisible():
                return widget
        return None

    try:
        task = asyncio.ensure_future(ctrl.start())
        await until(dialog, 10, "the sign-in dialog")
        shown = dialog()
        assert shown is not None
        shown.reject()
        assert await asyncio.wait_for(task, 5) is False
        assert model.loaded_count == 0
        assert window.status.connection.text() == "Not signed in"
    finally:
        await ctrl.close()
        dispose(window)


FIRST_PAINT_CHILD = textwrap.dedent(
    """
    import json, logging, sys
    from pathlib import Path
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    from snx_desktop.app import make_application, process_started_at, settings_for
    from snx_desktop.ui.firstpaint import open_first_window
    app = make_application()
    profile = Path(sys.argv[1])
    window = open_first_window(
        app, settings_for(profile), profile=profile, server=None, offline=True, demo=False,
        started=process_started_at(),
    )
    model = window.list_pane.models["contact"]
    print(json.dumps({
        "rows": model.loaded_count,
        "loaded": sorted(sys.modules),
    }))
    """
)


@pytest.mark.asyncio
async def test_the_first_paint_loads_no_event_loop_services_or_network(
    sandbox: Any, tmp_path: Path
) -> None:
    await cache_contacts_and_remember(sandbox, tmp_path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", FIRST_PAINT_CHILD, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rows"] == PAGE
    assert "first 100 contact rows on screen" in done.stderr
    loaded = set(report["loaded"])
    for heavy in (
        "asyncio",
        "qasync",
        "httpx",
        "ssl",
        "keyring",
        "snx_desktop.api.client",
        "snx_desktop.services.context",
        "snx_desktop.services.writes",
        "snx_desktop.services.browse",
        "snx_desktop.store.store",
        "snx_desktop.store.outbox",
        "snx_desktop.ui.detailviews",
        "snx_desktop.ui.accountflow",
    ):
        assert heavy not in loaded, heavy
