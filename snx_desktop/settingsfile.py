"""The app's settings file, kept private: an INI file of mode 0600 in a folder of mode 0700.

With ``--profile DIR`` the settings are ``DIR/settings.ini``; otherwise ``settings.ini`` in the
per-user config folder (platformdirs ``user_config_dir("snx-desktop")``). The file is made
(0600) before Qt first writes it, and Qt keeps a file's mode when it rewrites it. Settings an
earlier version kept in Qt's native location (the registry on Windows, a ``.conf`` file or
property list elsewhere) are copied into the new file the first time it is made.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from snx_desktop.store.paths import APP_DIR_NAME
from snx_desktop.store.types import private_dir, private_file

__all__ = ["SETTINGS_FILE_NAME", "open_settings", "settings_path"]

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.ini"


def settings_path(profile: Path | None) -> Path:
    """Where the settings file is: in the profile folder, else in the user's config folder."""
    if profile is not None:
        return profile / SETTINGS_FILE_NAME
    import platformdirs  # only here: a start with a profile folder need not load it

    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)) / SETTINGS_FILE_NAME


def open_settings(profile: Path | None, organisation: str, application: str) -> QSettings:
    """The app's settings (see the module docstring); ``organisation`` and ``application``
    name the native location earlier versions used, read once when the file is new."""
    path = settings_path(profile)
    fresh = not path.exists()
    try:
        _make_private(path, own_folder=profile is None)
    except OSError as exc:  # a read-only or foreign folder: Qt reports what it cannot write
        log.warning("the settings file cannot be made private: %s", exc)
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    if fresh and profile is None:
        _copy_native(settings, organisation, application)
    return settings


def _make_private(path: Path, *, own_folder: bool) -> None:
    folder = path.parent
    if own_folder or not folder.exists():
        private_dir(folder)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    private_file(path)


def _copy_native(settings: QSettings, organisation: str, application: str) -> None:
    old = QSettings(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, organisation, application
    )
    keys = old.allKeys()
    if not keys:
        return
    for key in keys:
        settings.setValue(key, old.value(key))
    settings.sync()
    log.info("settings copied from %s (%d keys)", old.fileName(), len(keys))
    native = Path(old.fileName())
    if native.is_file():  # kept for an earlier version, but private too
        try:
            private_file(native)
        except OSError:
            log.debug("could not restrict %s", native, exc_info=True)
