"""``snx-desktop --check-server URL`` as a process, against real servers on 127.0.0.1: the exit
status (0 no differences, 1 differences, 2 no sign-in), the report on stdout, the password
from the environment or from a prompt that does not echo, never from the command line and
never in the output."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.variants import VariantServer

COMMAND = [sys.executable, "-m", "snx_desktop", "--check-server"]


def environment(**secrets: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SNX_PASSWORD", "SNX_TOKEN")}
    env.update(secrets)
    return env


def run(args: list[str], **secrets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        COMMAND + args,
        env=environment(**secrets),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_differences_exit_0_and_the_report_on_stdout(sandbox: Any) -> None:
    done = run([sandbox.base_url, "--email", DEMO_EMAIL], SNX_PASSWORD=DEMO_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Server check: {sandbox.base_url}\n")
    assert "\nNo differences from the contract.\n" in done.stdout
    assert "get-contacts-for-group" in done.stdout


def test_differences_exit_1_and_each_is_marked(lenient_variant: VariantServer) -> None:
    done = run([lenient_variant.base_url, "--email", DEMO_EMAIL], SNX_PASSWORD=DEMO_PASSWORD)
    assert done.returncode == 1, done.stderr
    assert "differences from the contract: " in done.stdout
    assert "contact-list.total-record-count: a number where" in done.stdout
    assert "error-code: missing; the app took the error for " in done.stdout
    assert "[tolerated by the app]" in done.stdout


def test_no_sign_in_exit_2(sandbox: Any) -> None:
    wrong = run([sandbox.base_url, "--email", DEMO_EMAIL], SNX_PASSWORD="Wrong-Cli-Pw-55")
    assert wrong.returncode == 2
    assert "Could not sign in: the e-mail address or password is not correct." in wrong.stdout
    assert "Wrong-Cli-Pw-55" not in wrong.stdout + wrong.stderr
    token = run([sandbox.base_url], SNX_TOKEN="no-such-token-here")
    assert token.returncode == 2
    assert "the server refused the login token" in token.stdout
    # no password anywhere and no terminal to ask on: nothing is sent
    sandbox.reset_counters()
    missing = run([sandbox.base_url, "--email", DEMO_EMAIL])
    assert missing.returncode == 2
    assert "No password: set SNX_PASSWORD or run this in a terminal." in missing.stderr
    assert missing.stdout == ""
    assert sandbox.requests == 0
    nowhere = run(["not a server address"], SNX_TOKEN="t" * 20)
    assert nowhere.returncode == 2
    assert "Could not check the server" in nowhere.stdout


def test_email_without_check_server_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "snx_desktop", "--email", DEMO_EMAIL],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--email goes with --check-server" in done.stderr


def _read_until(fd: int, wanted: bytes, into: bytearray, timeout: float = 60) -> bool:
    """Read the terminal's output into ``into`` until ``wanted`` shows (True) or it closes."""
    deadline = time.monotonic() + timeout
    while wanted not in into:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{wanted!r} did not show: {bytes(into)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the other end is closed
            return False
        if not chunk:
            return False
        into.extend(chunk)
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_password_prompt_does_not_echo(sandbox: Any, tmp_path: Path) -> None:
    import pty

    typed = DEMO_PASSWORD
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*COMMAND, sandbox.base_url, "--email", DEMO_EMAIL],
        env=environment(),
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        start_new_session=True,  # no controlling terminal: the prompt uses this one
    )
    os.close(slave)
    seen = bytearray()
    try:
        assert _read_until(master, f"Password for {DEMO_EMAIL}: ".encode(), seen)
        os.write(master, (typed + "\n").encode())
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        assert proc.wait(60) == 0
        # the rest of what the process wrote on the terminal, until it closed
        assert not _read_until(master, b"\x00(the terminal closes first)", seen, 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert "No differences from the contract." in out
    terminal = bytes(seen).split(b"Password for", 1)[1]
    assert typed.encode() not in terminal.replace(DEMO_EMAIL.encode(), b"")
