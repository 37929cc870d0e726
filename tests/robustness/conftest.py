"""Fixtures for the robustness tests.

* ``user_messages`` records every message that reaches :mod:`snx_desktop.messages`.
* ``audit_server``: a sandbox with one more account, ``AUDIT_EMAIL`` / ``AUDIT_PASSWORD`` (a
  password that occurs nowhere else), that records every login token it hands out.
* ``crash_watch`` counts what would be a crash of the app (see ``support.soak.CrashWatch``);
  call ``crash_watch.attach_loop()`` inside the async test.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from support.accounts import AUDIT_EMAIL, AUDIT_PASSWORD
from support.soak import CrashWatch

from snx_desktop.sandbox import DEMO_USER, start_in_thread
from snx_desktop.sandbox import catalogue as sandbox_catalogue


@pytest.fixture
def crash_watch() -> Iterator[CrashWatch]:
    watch = CrashWatch()
    logger = logging.getLogger("snx_desktop")
    logger.addHandler(watch)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)


@pytest.fixture
def audit_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A sandbox with one more account (a password that occurs nowhere else) that records
    every login token it hands out."""
    user = sandbox_catalogue.User(
        DEMO_USER.user_id, DEMO_USER.name, AUDIT_EMAIL, AUDIT_PASSWORD, DEMO_USER.security_level
    )
    monkeypatch.setattr(sandbox_catalogue, "USERS", (*sandbox_catalogue.USERS, user))
    server = start_in_thread(contacts=40, seed=17)
    sessions = server.state.engine.sessions
    issued: list[str] = []
    original = sessions.login

    def login(u: Any) -> str:
        token = original(u)
        issued.append(token)
        return str(token)

    monkeypatch.setattr(sessions, "login", login)
    server.issued_tokens = issued  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()
