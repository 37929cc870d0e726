"""Fixtures for the services tests: services over real HTTP to the sandbox, with a switch that
takes the network down (the transport refuses to connect) and a count of HTTP requests; and a
lenient variant of the sandbox (numbers for strings, no error codes) for the server check."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.network import Network
from support.variants import VariantServer, numbers_and_no_error_codes, variant_sandbox

from snx_desktop.services import AppServices

OpenServices = Callable[..., Awaitable[AppServices]]


@pytest_asyncio.fixture
async def open_services(tmp_path: Path) -> AsyncIterator[OpenServices]:
    """``await open_services(server, network=None, profile=None, **kw)`` -> started services."""
    opened: list[AppServices] = []

    async def make(
        server: Any,
        network: Network | None = None,
        profile: Path | None = None,
        **kw: Any,
    ) -> AppServices:
        net = network or Network()
        options = {"transport": net, "retries": 1, "backoff": 0.01, "timeout": 10.0}
        options.update(kw.pop("client_options", {}))
        svc = await AppServices.open(
            server.base_url,
            account=kw.pop("account", DEMO_EMAIL),
            password=kw.pop("password", DEMO_PASSWORD),
            profile_dir=profile or tmp_path / "profile",
            client_options=options,
            probe_interval=(0.05, 0.5),
            **kw,
        )
        svc.network = net  # type: ignore[attr-defined]
        svc.writes.retry_base = 0.02
        opened.append(svc)
        return svc

    yield make
    for svc in opened:
        await svc.aclose()


@pytest.fixture
def lenient_variant() -> Iterator[VariantServer]:
    with variant_sandbox(numbers_and_no_error_codes) as server:
        yield server
