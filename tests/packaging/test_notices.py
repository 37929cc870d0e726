"""The third-party notices: every package the app runs on (the lock file's, as installed here)
with its version, licence and licence texts, Qt's LGPL terms, written into the bundle by the
build, beside the program for the installer, and shown by Help ▸ About."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from support.build_script import ROOT, load_build_script
from support.waiting import until

from snx_desktop import notices


def _app_lock() -> dict[str, str]:
    """The packages ``requirements/app.txt`` pins for this platform: name -> version."""
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements" / "app.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+==[^ \\]+)( ; (.+?))?\s*\\?$", line)
        if match is None:
            continue
        requirement = Requirement(
            match.group(1) + (f"; {match.group(3)}" if match.group(3) else "")
        )
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(requirement.name)] = str(requirement.specifier).lstrip("=")
    return pins


def test_every_package_the_app_runs_on_has_its_version_and_licence() -> None:
    found = {canonicalize_name(n.name): n for n in notices.collect()}
    assert "snx-desktop" not in found  # the app itself is not third-party
    for name in ("starlette", "uvicorn", "pytest"):  # extras and tools are not shipped
        assert name not in found
    locked = _app_lock()
    assert {"pyside6-essentials", "httpx", "keyring", "qasync"} <= set(locked)
    for name, version in locked.items():
        if name == "snx-desktop":
            continue
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # pinned for another platform's needs only
        assert name in found, f"{name} has no notice"
        assert found[name].version == installed
        assert found[name].licence, name
        if installed == version:
            assert found[name].licence != "see its licence text" or found[name].texts, name


def test_the_text_carries_each_licence_text_and_qts_lgpl_terms() -> None:
    collected = notices.collect()
    text = notices.render(collected)
    httpx = next(n for n in collected if canonicalize_name(n.name) == "httpx")
    assert httpx.texts  # httpx ships its licence file
    assert httpx.texts[0][1].strip()[:200] in text
    assert f"  {httpx.name} {httpx.version}: {httpx.licence}" in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "Version 3, 29 June 2007" in text
    assert "GNU GENERAL PUBLIC LICENSE" in text
    assert "download.qt.io/official_releases/QtForPython" in text
    assert "you may replace them" in text


def test_the_build_writes_them_into_the_bundle_and_beside_the_program(tmp_path: Path) -> None:
    build = load_build_script()
    bundle = tmp_path / "snx-desktop"
    assert any("THIRD-PARTY-NOTICES.txt" in p for p in build.layout_problems(bundle))
    written = build.add_notices(bundle)
    assert written == bundle / "_internal/snx_desktop/resources_data/THIRD-PARTY-NOTICES.txt"
    beside = bundle / "THIRD-PARTY-NOTICES.txt"
    assert beside.read_text(encoding="utf-8") == written.read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in beside.read_text(encoding="utf-8")
    assert not any("THIRD-PARTY-NOTICES.txt" in p for p in build.layout_problems(bundle))
    iss = (ROOT / "installer.iss").read_text(encoding="utf-8")
    assert '{app}\\THIRD-PARTY-NOTICES.txt"' in iss  # a Start-menu entry opens them


@pytest.mark.asyncio
async def test_help_about_shows_the_versions_and_the_notices(qtbot: Any) -> None:
    from snx_desktop.ui.aboutdialog import AboutDialog
    from snx_desktop.ui.mainwindow import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.actions_.about.trigger()
    await until(lambda: _about() is not None, 5, "the About dialog")
    dialog = _about()
    assert isinstance(dialog, AboutDialog)
    assert "SalesNexus Desktop" in dialog.summary.text()
    assert "PySide6" in dialog.summary.text()
    box = dialog.findChild(QPlainTextEdit, "thirdPartyNotices")
    assert box is not None
    assert box.isReadOnly()
    await until(lambda: "GNU LESSER" in box.toPlainText(), 10, "the notices")
    assert "httpx" in box.toPlainText()
    dialog.reject()


def _about() -> Any:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "aboutDialog" and widget.isVisible():
            return widget
    return None
