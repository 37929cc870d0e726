"""The real app as a separate process: the smoke test and a screenshot under Xvfb."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from support.windows import cache_contacts_and_remember


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QT_LOGGING_RULES", None)
    env.update(extra)
    return env


def test_smoke_test_opens_the_store_and_exits_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "snx_desktop", "--smoke-test", "--profile", str(tmp_path)],
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "accounts").glob("*/store.sqlite3"))


def _distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


@pytest.mark.xvfb
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_demo_screenshot_under_xvfb(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            sys.executable,
            "-m",
            "snx_desktop",
            "--demo",
            "--screenshot",
            str(shot),
            "--profile",
            str(tmp_path / "profile"),
        ],
        env=_env(QT_QPA_PLATFORM="xcb"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 800
    assert image.height() >= 500
    assert _distinct_colours(image) > 20  # text, selection, icons: not a blank window


@pytest.mark.xvfb
@pytest.mark.asyncio
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
async def test_an_offline_start_under_xvfb_paints_the_cached_rows_first(
    sandbox: Any, tmp_path: Path
) -> None:
    """On a real X server the window is exposed some time after it is shown: the first paint
    waits for that, so the cached contacts are on screen before the rest of the app loads."""
    profile = tmp_path / "profile"
    await cache_contacts_and_remember(sandbox, profile)
    shot = tmp_path / "shot.png"
    args = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "snx_desktop"]
    args += ["--server", sandbox.base_url, "--profile", str(profile), "--offline"]
    args += ["--log-level", "INFO", "--screenshot", str(shot)]
    done = await asyncio.to_thread(
        subprocess.run,
        args,
        env=_env(QT_QPA_PLATFORM="xcb"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr
    assert "first 100 contact rows on screen" in log, log[-3000:]
    # told by the first window, before the event loop and what runs in it are started
    first = log.index("rows on screen")
    started = [
        "start: the event loop",
        "start: the account and sign-in flow",
        "start: sign-in",
        "start: a screenshot once the first contact is shown",
    ]
    assert first < log.index(started[0])
    assert [log.index(step) for step in started] == sorted(log.index(s) for s in started)
    # quitting undoes the steps in reverse: tasks first, then the account, the window last
    stopped = [
        "stop: every task",
        "stop: the account's services",
        "stop: garbage collection",
        "stop: the window",
    ]
    assert [log.index(step) for step in stopped] == sorted(log.index(s) for s in stopped)
    assert log.index(started[-1]) < log.index(stopped[0])
    assert "sign-in failed" not in log
    assert _distinct_colours(QImage(str(shot))) > 20
