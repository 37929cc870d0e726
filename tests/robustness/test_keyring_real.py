"""Keyring for real.

* Against a real Secret Service (gnome-keyring in a private D-Bus session): the app signs in
  with "remember me" (the password goes to the keyring through ``snx_desktop.secrets``), the
  app process ends, a new app process starts and signs in silently with the stored secret.
  The default test run has no session bus, so the test re-runs itself under
  ``dbus-run-session`` with the keyring unlocked, with ``SNX_REAL_KEYRING=1`` (the robustness
  conftest then lifts the null keyring that ``tests/conftest.py`` forces). It is skipped only
  when ``dbus-run-session`` or ``gnome-keyring-daemon`` is missing.
* With no secure backend (the null keyring): the app warns the user (through the message
  path the window shows) and keeps the secret in memory only: nothing on disk, and a new app
  process has to ask again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.accounts import AUDIT_EMAIL, AUDIT_PASSWORD
from support.qtobjects import dispose
from support.signals import when

CHILD = Path(__file__).with_name("app_child.py")
IN_SESSION = os.environ.get("SNX_REAL_KEYRING") == "1"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _app(command: str, profile: Path, server: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), command, str(profile), server, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _files_hold(root: Path, secret: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.keyring
@pytest.mark.timeout(240)
def test_remembered_sign_in_survives_a_restart_with_a_real_secret_service(
    tmp_path: Path, audit_server: Any
) -> None:
    if not IN_SESSION:
        _rerun_inside_a_keyring_session(tmp_path)
        return
    import keyring

    from snx_desktop.secrets import SERVICE_NAME, SecretStore, account_key

    store = SecretStore()
    assert store.secure, store.backend_name
    assert "SecretService" in type(keyring.get_keyring()).__module__ + store.backend_name

    server = audit_server.base_url
    profile = tmp_path / "profile"
    first = _app("remember", profile, server, AUDIT_EMAIL, AUDIT_PASSWORD)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "keyring: SecretService Keyring" in first.stdout, first.stdout
    key = account_key(server, AUDIT_EMAIL)
    assert keyring.get_password(SERVICE_NAME, key) == AUDIT_PASSWORD  # in the Secret Service
    assert _files_hold(profile, AUDIT_PASSWORD) == []  # and nowhere in the profile

    # "restart the app": a new process signs in silently with the stored secret
    second = _app("silent", profile, server)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "signed_in: True" in second.stdout
    assert "online: True" in second.stdout
    assert "keyring: SecretService Keyring" in second.stdout, second.stdout
    assert len(audit_server.issued_tokens) == 2  # two real sign-ins, one per process
    keyring.delete_password(SERVICE_NAME, key)


def _rerun_inside_a_keyring_session(tmp_path: Path) -> None:
    dbus = shutil.which("dbus-run-session")
    daemon = shutil.which("gnome-keyring-daemon")
    if not dbus or not daemon:
        pytest.skip("needs dbus-run-session and gnome-keyring-daemon")
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.update(
        SNX_REAL_KEYRING="1",
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
    )
    (tmp_path / "run").mkdir(mode=0o700)
    test_id = (
        f"{Path(__file__)}::test_remembered_sign_in_survives_a_restart_with_a_real_secret_service"
    )
    inner = (
        f"printf pw | {daemon} --unlock --components=secrets >/dev/null && "
        f"exec {sys.executable} -m pytest -q -p no:cacheprovider -m keyring '{test_id}'"
    )
    proc = subprocess.run(
        [dbus, "--", "sh", "-c", inner],
        capture_output=True,
        text=True,
        timeout=200,
        env=env,
        cwd=str(Path(__file__).parents[2]),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "1 passed" in out, out[-4000:]


@pytest.mark.asyncio
@pytest.mark.timeout(120)
async def test_no_secure_keyring_warns_and_keeps_the_secret_in_memory_only(
    tmp_path: Path, audit_server: Any, user_messages: list[Any]
) -> None:

    from PySide6.QtCore import QSettings

    from snx_desktop.secrets import INSECURE_WARNING, SecretStore, account_key
    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.signin import SignInRequest

    assert os.environ.get("PYTHON_KEYRING_BACKEND") == "keyring.backends.null.Keyring"
    server = audit_server.base_url
    profile = tmp_path / "profile"
    settings = QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    shown: list[str] = []
    window.messages.warning.connect(lambda text, _d: shown.append(text))
    secrets = SecretStore()  # the app's default: resolves the system keyring (null here)
    ctrl = AccountFlow(
        window=window, settings=settings, profile=profile, on_quit=lambda _c: None, secrets=secrets
    )
    try:
        request = SignInRequest(server, AUDIT_EMAIL, AUDIT_PASSWORD, remember=True)
        assert await ctrl.open_account(request) is None
        await when(window.messages.warning, lambda: INSECURE_WARNING in shown, 5, "the warning")
        assert not secrets.secure
        assert secrets.warning == INSECURE_WARNING
        assert INSECURE_WARNING in shown  # reached the window's message bar
        assert any(m.text == INSECURE_WARNING for m in user_messages)
        key = account_key(server, AUDIT_EMAIL)
        assert secrets.get(key) == AUDIT_PASSWORD  # in memory, for this run
    finally:
        await ctrl.close()
        dispose(window)
        settings.sync()
    assert _files_hold(tmp_path, AUDIT_PASSWORD) == []
    assert (
        _files_hold(Path(os.path.expanduser("~")) / ".local" / "share" / "keyrings", AUDIT_PASSWORD)
        == []
    )
    # a fresh start knows the account but not the secret: the sign-in dialog comes up
    assert SecretStore().get(account_key(server, AUDIT_EMAIL)) is None
    again = _app("silent", profile, server)
    assert again.returncode == 3, again.stdout + again.stderr
    assert "dialog: shown" in again.stdout
