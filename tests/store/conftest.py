"""Fixtures for the store tests: a fresh store in a private profile folder per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.records import BASE_URL, CONTACT_ROLES, EMAIL, GROUP_ROLES

from snx_desktop.store import Store


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def store(profile: Path) -> Iterator[Store]:
    s = Store.open(BASE_URL, EMAIL, profile)
    s.search.set_roles(CONTACT_ROLES, GROUP_ROLES)
    try:
        yield s
    finally:
        s.close()
