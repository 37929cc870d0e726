"""Fixtures for the editing tests: real `AppServices` signed in to a sandbox over HTTP and a
separate client to look at the server's state. Dialogs are driven with
``support.dialogs.open_dialog`` / ``dialog_result``, the queue awaited with
``support.writequeue.queue_sent``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD

from snx_desktop.api import SalesNexusClient
from snx_desktop.services import AppServices

OpenServices = Callable[..., Awaitable[AppServices]]


@pytest_asyncio.fixture
async def open_services(tmp_path: Path) -> AsyncIterator[OpenServices]:
    """``await open_services(server, **kw)`` -> started services signed in as the demo user."""
    opened: list[AppServices] = []

    async def make(server: Any, **kw: Any) -> AppServices:
        svc = await AppServices.open(
            server.base_url,
            account=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            profile_dir=kw.pop("profile", tmp_path / "profile"),
            client_options={"retries": 1, "backoff": 0.01, "timeout": 15.0},
            probe_interval=(0.05, 0.5),
            **kw,
        )
        opened.append(svc)
        return svc

    yield make
    for svc in opened:
        await svc.aclose()


@pytest_asyncio.fixture
async def server_client() -> AsyncIterator[Callable[[Any], Awaitable[SalesNexusClient]]]:
    """A client of its own (not the app's) to check what the server holds."""
    clients: list[SalesNexusClient] = []

    async def make(server: Any) -> SalesNexusClient:
        client = SalesNexusClient(server.base_url)
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


QT_IGNORE = pytest.mark.qt_log_ignore("This plugin does not support")
