"""The real app as a separate process: the smoke test, the log file (the windowed build's
too, which has no console), native crashes in the crash file, --version, and a screenshot
under Xvfb."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
import textwrap
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


def _log_lines(profile: Path) -> list[str]:
    return (profile / "logs" / "snx-desktop.log").read_text(encoding="utf-8").splitlines()


def test_the_start_and_stop_steps_are_in_the_log_file_of_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    for _ in range(2):  # a second start adds to the same file
        done = subprocess.run(
            [sys.executable, "-m", "snx_desktop", "--smoke-test", "--profile", str(profile)],
            env=_env(QT_QPA_PLATFORM="offscreen"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "start:" not in done.stderr  # the console keeps its level (WARNING)
    lines = _log_lines(profile)
    steps = [line.split(": ", 1)[1] for line in lines if " snx_desktop." in line]
    first = [s for s in steps if s.startswith(("start: ", "stop: "))][:4]
    assert first[0].startswith("start: the log file, ")
    assert first[1:] == [
        "start: Qt messages go to the log",
        "start: the application and its settings",
        "start: the network set-up (extra CA bundle, proxy)",
    ]
    assert steps.count("smoke test passed") == 2
    assert steps.count("stop: the log file") == 2
    assert steps[-1] == "stop: the log file"  # closed last of all
    logs = profile / "logs"
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    for name in ("snx-desktop.log", "crash.log"):
        assert stat.S_IMODE((logs / name).stat().st_mode) == 0o600


def test_the_network_settings_are_checked_and_logged_at_start(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    missing = tmp_path / "company-ca.pem"
    (profile / "settings.ini").write_text(
        f"[network]\ncaBundle={missing}\nproxy=proxy.example.com:3128\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "snx_desktop", "--smoke-test", "--profile", str(profile)],
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr  # a bad setting does not stop the app
    assert f"The CA certificate file {missing} does not exist. The setting is not used." in (
        done.stderr
    )
    lines = _log_lines(profile)
    assert any(
        line.endswith("network: extra CA bundle: none; proxy: http://proxy.example.com:3128")
        for line in lines
    )


def test_the_windowed_build_without_a_console_still_logs(tmp_path: Path) -> None:
    """A windowed program (pythonw, the frozen bundle) has no sys.stdout or sys.stderr."""
    profile = tmp_path / "profile"
    script = textwrap.dedent(
        f"""
        import sys
        sys.stdout = sys.stderr = None
        from snx_desktop.__main__ import main
        raise SystemExit(main(["--smoke-test", "--profile", {str(profile)!r}, "-v"]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = _log_lines(profile)
    assert any("smoke test passed" in line for line in lines)
    assert any(" DEBUG " in line for line in lines)  # -v: the file has the debug lines too


def test_the_windowed_build_shows_a_refused_flag_in_a_message_box(tmp_path: Path) -> None:
    """Without a console the reason for exit status 2 is shown, not written to nowhere."""
    shown = tmp_path / "shown.txt"
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QMessageBox
        sys.stdout = sys.stderr = None
        app = QApplication([])

        def answer():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                Path({str(shown)!r}).write_text(box.text(), encoding="utf-8")
                box.accept()

        timer = QTimer()
        timer.timeout.connect(answer)
        timer.start(20)
        from snx_desktop.__main__ import main
        raise SystemExit(main(["--ca-bundle", {str(tmp_path / "gone.pem")!r}]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert shown.read_text(encoding="utf-8") == (
        f"The CA certificate file {tmp_path / 'gone.pem'} does not exist."
    )


def test_a_native_crash_is_written_to_the_crash_file(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    script = textwrap.dedent(
        f"""
        import ctypes, sys
        from pathlib import Path
        sys.stderr = None
        from snx_desktop.logfile import LogFile
        LogFile.open(Path({str(folder)!r}))

        def read_from_nowhere():
            ctypes.string_at(0)

        read_from_nowhere()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    crash = (folder / "crash.log").read_text(encoding="utf-8")
    assert crash.startswith("--- started ")
    assert "Fatal Python error: Segmentation fault" in crash
    assert "read_from_nowhere" in crash  # the Python stack at the crash


def test_version_and_help_name_the_app() -> None:
    from snx_desktop import __version__

    done = subprocess.run(
        [sys.executable, "-m", "snx_desktop", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"snx-desktop {__version__}"


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
