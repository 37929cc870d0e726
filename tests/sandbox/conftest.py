"""Fixtures of the sandbox tests: a signed-in ``Api`` on the shared or a private sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.sandboxapi import Api


def make_api(handle: Any) -> Iterator[Api]:
    with httpx.Client(timeout=20) as client:
        api = Api(handle, client)
        api.login()
        yield api


@pytest.fixture
def api(sandbox: Any) -> Iterator[Api]:
    """Signed in as the demo user on the shared sandbox (read-mostly tests)."""
    yield from make_api(sandbox)


@pytest.fixture
def fresh_api(fresh_sandbox: Any) -> Iterator[Api]:
    """Signed in as the demo user on a private sandbox (tests that change data or faults)."""
    yield from make_api(fresh_sandbox)
