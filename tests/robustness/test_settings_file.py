"""The settings file is private like the store: mode 0600 in a folder of mode 0700, in a given
profile folder and in the default location (an INI file in the user's config folder), also
after Qt rewrites it; settings an earlier version kept in Qt's native location are carried
over once."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from snx_desktop.app import APP_NAME, ORG_NAME, settings_for


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The common umask (022), under which a new file is readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def native_root(tmp_path: Path) -> Iterator[Path]:
    """Qt's native user settings location, moved into the test's folder."""
    fmt, scope = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    before = Path(QSettings(fmt, scope, "o", "a").fileName()).parent.parent
    root = tmp_path / "native"
    QSettings.setPath(fmt, scope, str(root))
    try:
        yield root
    finally:
        QSettings.setPath(fmt, scope, str(before))


def _write(settings: QSettings, key: str, value: str) -> None:
    settings.setValue(key, value)
    settings.sync()
    assert settings.status() == QSettings.Status.NoError


@pytest.mark.usefixtures("open_umask")
def test_settings_in_a_profile_folder_are_private(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    settings = settings_for(profile)
    path = Path(settings.fileName())
    assert path == profile / "settings.ini"
    _write(settings, "accounts/last", "rep@example.com")
    assert _mode(path) == 0o600
    assert _mode(profile) == 0o700
    _write(settings, "window/state", "x" * 500)  # Qt writes a new file and renames it
    assert _mode(path) == 0o600
    assert QSettings(str(path), QSettings.Format.IniFormat).value("accounts/last") == (
        "rep@example.com"
    )


@pytest.mark.usefixtures("open_umask")
def test_an_existing_open_settings_file_is_made_private(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir(mode=0o700)
    path = profile / "settings.ini"
    path.write_text("[accounts]\nlast=rep@example.com\n")
    path.chmod(0o644)
    settings = settings_for(profile)
    assert _mode(path) == 0o600
    assert settings.value("accounts/last") == "rep@example.com"


@pytest.mark.usefixtures("open_umask")
def test_default_settings_are_a_private_ini_file_holding_the_old_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, native_root: Path
) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    old = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORG_NAME, APP_NAME)
    _write(old, "accounts/last", "old@example.com")
    assert Path(old.fileName()).is_relative_to(native_root)

    settings = settings_for(None)
    path = Path(settings.fileName())
    assert path == config / "snx-desktop" / "settings.ini"
    assert settings.value("accounts/last") == "old@example.com"  # carried over
    _write(settings, "accounts/last", "new@example.com")
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700

    _write(old, "accounts/last", "stale@example.com")
    again = settings_for(None)  # copied once only: the new file wins from now on
    assert again.value("accounts/last") == "new@example.com"
    assert _mode(path) == 0o600
