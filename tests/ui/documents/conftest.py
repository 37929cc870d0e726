"""Fixtures for the document tests: signed-in services over real HTTP to the sandbox, with a
network switch, an upload manager on them, and a new contact on the server per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_NAME
from support.network import Network
from support.sandboxes import running_sandbox

from snx_desktop.services import AppServices
from snx_desktop.services.uploads import UploadManager


class Env:
    """What a document test works with."""

    def __init__(self, services: Any, network: Network, manager: UploadManager) -> None:
        self.services = services
        self.client = services.client
        self.network = network
        self.manager = manager

    async def new_contact(self, name: str) -> str:
        created = await self.client.create_contact(contact_field_data={C_NAME: name})
        return str(created.id)


@pytest.fixture(scope="module")
def docs_sandbox() -> Iterator[Any]:
    """A private sandbox for this folder: uploads here never touch the shared one."""
    with running_sandbox(contacts=20, seed=5) as server:
        yield server


@pytest_asyncio.fixture
async def env(docs_sandbox: Any, tmp_path: Path) -> AsyncIterator[Env]:
    sandbox = docs_sandbox
    network = Network()
    services = await AppServices.open(
        sandbox.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=tmp_path / "profile",
        client_options={"transport": network, "retries": 1, "backoff": 0.01},
        probe_interval=(0.05, 0.5),
    )
    manager = UploadManager.for_services(services)
    try:
        yield Env(services, network, manager)
    finally:
        await manager.aclose()
        await services.aclose()
