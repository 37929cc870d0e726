"""One running app per user and profile: a second start (``--call``) hands its number to the
running app and exits 0 while the first opens the contact; a socket left by a crash is
removed, so the next start runs and takes second starts again."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from support.accounts import DEMO_EMAIL
from support.fields import C_MOBILE, C_PHONE
from support.waiting import until
from support.windows import cache_contacts_and_remember

from snx_desktop.singleinstance import SingleInstance, server_name, socket_file
from snx_desktop.store import Store

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QT_LOGGING_RULES", None)
    return env


def _log(profile: Path) -> str:
    path = profile / "logs" / "snx-desktop.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _socket_file(profile: Path) -> Path:
    path = socket_file(server_name(profile))
    assert path is not None
    return path


@pytest.fixture
def name_cleanup(tmp_path: Path) -> Iterator[None]:
    yield
    QLocalServer.removeServer(server_name(tmp_path / "profile"))


def _a_caller(sandbox: Any, profile: Path, ids: list[str]) -> tuple[str, str]:
    """A cached contact whose phone number no other cached contact has, and that number
    written another way: "(483) 555-2775" for "+1 483-555-2775"."""
    with Store.open(sandbox.base_url, DEMO_EMAIL, profile) as store:
        records = {i: c.value for i, c in store.cache.get_records("contact", ids).items()}
    seen: dict[str, list[str]] = {}
    for cid, record in records.items():
        for field in (C_PHONE, C_MOBILE):
            digits = re.sub(r"\D", "", str(record.get(field) or ""))[-10:]
            if digits:
                seen.setdefault(digits, []).append(cid)
    digits, [cid] = next((d, owners) for d, owners in seen.items() if len(owners) == 1)
    return cid, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def _launch(sandbox: Any, profile: Path) -> subprocess.Popen[bytes]:
    """The app, offline on the profile's remembered account (its log goes to the profile)."""
    args = [sys.executable, "-m", "snx_desktop", "--server", sandbox.base_url]
    args += ["--profile", str(profile), "--offline", "--log-level", "WARNING"]
    return subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def _start_app(sandbox: Any, profile: Path) -> subprocess.Popen[bytes]:
    started = _log(profile).count("start: done")
    app = _launch(sandbox, profile)
    await until(
        lambda: _log(profile).count("start: done") > started or app.poll() is not None,
        90,
        "the app started",
    )
    assert app.poll() is None, _log(profile)[-3000:]
    return app


async def _second_start(profile: Path, *call: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "snx_desktop", "--profile", str(profile), *call]
    return await asyncio.to_thread(
        subprocess.run, args, env=_env(), capture_output=True, text=True, timeout=60
    )


@pytest.mark.asyncio
async def test_a_second_start_hands_its_call_to_the_running_app_and_a_crash_leaves_none(
    sandbox: Any, tmp_path: Path, name_cleanup: None
) -> None:
    profile = tmp_path / "profile"
    ids = await cache_contacts_and_remember(sandbox, profile)
    contact_id, number = _a_caller(sandbox, profile, ids)
    first = await _start_app(sandbox, profile)
    try:
        second = await _second_start(profile, "--call", number)
        assert second.returncode == 0, second.stderr[-3000:]
        await until(
            lambda: f"call: opening contact {contact_id}" in _log(profile),
            30,
            "the running app opened the contact",
        )
        log = _log(profile)
        assert "this start handed it over and ends" in log
        assert log.count("start: the first window") == 1  # the second start showed none
        assert first.poll() is None
        # a crash leaves the socket file behind: nobody answers on it
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        assert _socket_file(profile).exists()
        first = await _start_app(sandbox, profile)
        assert "a stale socket of an app that stopped is removed" in _log(profile)
        link = "tel:+1-" + "-".join(re.findall(r"\d+", number))  # as the desktop passes it
        again = await _second_start(profile, link)
        assert again.returncode == 0, again.stderr[-3000:]
        await until(
            lambda: _log(profile).count(f"call: opening contact {contact_id}") == 2,
            30,
            "the new app opened the contact",
        )
    finally:
        first.kill()
        first.wait(30)


def test_a_socket_file_left_by_a_crash_is_removed_and_listened_on(
    tmp_path: Path, name_cleanup: None, caplog: pytest.LogCaptureFixture
) -> None:
    name = server_name(tmp_path / "profile")
    stale = _socket_file(tmp_path / "profile")
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(stale))  # bound, never listened on, closed: the file stays, as after a crash
    left.close()
    assert stale.exists()
    caplog.set_level(logging.INFO, "snx_desktop.singleinstance")
    instance = SingleInstance(name)
    try:
        assert instance.listen()
        assert instance.listening
        assert f"a stale socket of an app that stopped is removed: {stale}" in caplog.messages
        reaching = QLocalSocket()
        reaching.connectToServer(name)
        assert reaching.waitForConnected(1000)
        reaching.abort()
    finally:
        instance.close()
