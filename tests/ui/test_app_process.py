"""The real app as a separate process: the smoke test and a screenshot under Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage


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
