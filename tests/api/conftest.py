"""Fixtures of the wire client's tests: clients bound to the real sandbox over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.scripted import Scripted, base_url_of

from snx_desktop.api import SalesNexusClient


@pytest_asyncio.fixture
async def live(sandbox: Any) -> AsyncIterator[SalesNexusClient]:
    """A client signed in to the shared sandbox as the demo user."""
    async with SalesNexusClient(base_url_of(sandbox), backoff=0.0) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        yield client


@pytest.fixture
def scripted() -> Scripted:
    return Scripted()


@pytest_asyncio.fixture
async def fresh_live(fresh_sandbox: Any) -> AsyncIterator[SalesNexusClient]:
    """A client signed in to a private sandbox: for tests that write."""
    async with SalesNexusClient(base_url_of(fresh_sandbox), backoff=0.0) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        yield client
