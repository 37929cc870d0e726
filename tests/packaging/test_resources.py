"""Resources: files found from the package and a frozen layout, icons in light and dark,
the rendered app icon forms, the desktop entry and the package data that ships them."""

from __future__ import annotations

import configparser
import fnmatch
import gc
import importlib.util
import logging
import re
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QImageReader, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel

from snx_desktop import resources
from snx_desktop.ui import icons

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP_FILE = RESOURCES / "snx-desktop.desktop"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


@pytest.fixture(scope="module")
def qapp() -> QApplication:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return app


def _center_ink(icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> QColor:
    """The colour of the most opaque pixel of a 48 px rendering (the stroke colour)."""
    image = icon.pixmap(QSize(48, 48), mode).toImage()
    best = QColor(0, 0, 0, 0)
    for y in range(image.height()):
        for x in range(image.width()):
            color = image.pixelColor(x, y)
            if color.alpha() > best.alpha():
                best = color
    assert best.alpha() > 200, "icon rendered empty"
    return best


def _rgba(c: QColor) -> tuple[int, int, int, int]:
    return (c.red(), c.green(), c.blue(), c.alpha())


def _close(a: QColor, b: QColor, tolerance: int = 8) -> bool:
    pairs = zip((a.red(), a.green(), a.blue()), (b.red(), b.green(), b.blue()), strict=True)
    return all(abs(x - y) <= tolerance for x, y in pairs)


# -- locating files ---------------------------------------------------------------------------


def test_every_action_icon_and_the_app_icon_exist() -> None:
    for name in resources.ACTION_ICONS:
        assert resources.icon_path(name).is_file()
    assert resources.available_icons() == sorted(resources.ACTION_ICONS)
    assert resources.app_icon_path().name == "snx-desktop.svg"
    assert resources.stylesheet().strip()


def test_resource_root_is_in_the_package_when_not_frozen() -> None:
    import snx_desktop

    assert not resources.is_frozen()
    assert (
        resources.resource_root() == Path(snx_desktop.__file__).resolve().parent / "resources_data"
    )


def test_resource_root_in_a_frozen_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid out like the PyInstaller bundle: <_MEIPASS>/snx_desktop/resources_data/..."""
    bundled = tmp_path / "snx_desktop" / "resources_data"
    shutil.copytree(resources.resource_root(), bundled)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.is_frozen()
    assert resources.resource_root() == bundled
    assert resources.icon_path("sync") == bundled / "icons" / "sync.svg"


def test_missing_or_escaping_resources_are_refused() -> None:
    with pytest.raises(resources.ResourceNotFoundError):
        resources.icon_path("no-such-icon")
    for bad in ("..", "../pyproject.toml", "/etc/passwd", "a\\b", ""):
        with pytest.raises(ValueError):
            resources.resource_path(bad)
    with pytest.raises(ValueError):
        resources.resource_path()


def test_action_icons_are_single_colour_svgs() -> None:
    for name in resources.ACTION_ICONS:
        text = resources.icon_path(name).read_text(encoding="utf-8")
        assert "currentColor" in text, name
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|rgb\(", text), f"{name} has a fixed colour"
        assert QSvgRenderer(QByteArray(text.encode())).isValid(), name


# -- icons in light and dark --------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_icons_take_the_palettes_text_colours(
    qapp: QApplication, scheme: icons.ColorScheme
) -> None:
    palette = icons.palette_for(scheme)
    assert icons.is_dark(palette) is (scheme == "dark")
    text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    selected = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    for name in resources.ACTION_ICONS:
        icon = icons.icon(name, palette)
        assert not icon.isNull(), name
        assert _close(_center_ink(icon), text), name
    sample = icons.icon("contacts", palette)
    assert _close(_center_ink(sample, QIcon.Mode.Disabled), disabled)
    assert _close(_center_ink(sample, QIcon.Mode.Selected), selected)
    window = palette.color(QPalette.ColorRole.Window)
    # the ink contrasts with the window: dark on light, light on dark
    assert abs(_center_ink(sample).lightnessF() - window.lightnessF()) > 0.5


def test_icons_follow_the_application_palette(qapp: QApplication) -> None:
    """Without an explicit palette an icon is painted in the app's palette of the moment."""
    icon = icons.icon("sync")
    before = QGuiApplication.palette()
    try:
        qapp.setPalette(icons.dark_palette())
        on_dark = _center_ink(icon)
        qapp.setPalette(icons.light_palette())
        on_light = _center_ink(icon)
    finally:
        qapp.setPalette(before)
    assert on_dark.lightnessF() > 0.7
    assert on_light.lightnessF() < 0.3


def test_icons_are_sharp_at_high_dpi(qapp: QApplication) -> None:
    pixmap = icons.icon("add", icons.light_palette()).pixmap(QSize(24, 24), 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.toImage().size() == QSize(48, 48)


def test_icon_survives_a_detach_and_garbage_collection(qapp: QApplication) -> None:
    """A QIcon copy that detaches (addPixmap, setIsMask) clones the engine; the clone must
    outlive the original and Python's garbage collector."""
    original = icons.icon("add", icons.dark_palette())
    copy = QIcon(original)
    copy.setIsMask(True)  # detaches: Qt asks the engine for a clone
    del original
    gc.collect()
    assert _close(_center_ink(copy), icons.dark_palette().color(QPalette.ColorRole.WindowText))
    del copy
    gc.collect()
    again = QIcon(icons.icon("add", icons.light_palette()))
    again.setIsMask(True)
    assert not again.pixmap(QSize(16, 16)).isNull()


def test_unknown_icon_gives_an_empty_icon_and_a_log(
    qapp: QApplication, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="snx_desktop.ui.icons"):
        assert icons.icon("no-such-icon").isNull()
    assert "no-such-icon" in caplog.text


def test_app_icon_is_full_colour_at_every_size(qapp: QApplication) -> None:
    icon = icons.app_icon()
    assert not icon.isNull()
    for size in (16, 32, 256):
        image = icon.pixmap(QSize(size, size)).toImage()
        assert image.size() == QSize(size, size)
        assert image.pixelColor(0, 0).alpha() == 0  # rounded corner
        body = image.pixelColor(size // 8, size // 2)
        assert body.alpha() == 255
        assert body.blue() > body.red() + 60  # the blue/teal tile


def test_install_app_icon_sets_window_icon_and_desktop_name(qapp: QApplication) -> None:
    before_icon, before_name = qapp.windowIcon(), qapp.desktopFileName()
    try:
        icons.install_app_icon(qapp)
        assert not qapp.windowIcon().isNull()
        assert qapp.desktopFileName() == "snx-desktop" == DESKTOP_FILE.stem
    finally:
        qapp.setWindowIcon(before_icon)
        qapp.setDesktopFileName(before_name)


def test_stylesheet_parses(qapp: QApplication) -> None:
    label = QLabel("Offline")
    label.setObjectName("connectionStatus")
    label.setStyleSheet(resources.stylesheet())  # Qt warns (and the test fails) if it cannot parse
    label.ensurePolished()


# -- rendered forms of the app icon ------------------------------------------------------------


def test_png_sizes_exist() -> None:
    for size in PNG_SIZES:
        path = RESOURCES / "hicolor" / f"{size}x{size}" / "apps" / "snx-desktop.png"
        image = QImage(str(path))
        assert image.size() == QSize(size, size), path
        assert image.hasAlphaChannel()


def test_ico_holds_every_windows_size(qapp: QApplication) -> None:
    data = (RESOURCES / "snx-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, _height, _c, _r, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert (planes, bits) == (1, 32)
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert sorted(sizes) == list(ICO_SIZES)
    reader = QImageReader(str(RESOURCES / "snx-desktop.ico"))
    read = []
    for i in range(reader.imageCount()):
        assert reader.jumpToImage(i)
        read.append(reader.read().width())
    assert sorted(read) == list(ICO_SIZES)


def test_render_script_reproduces_the_files(tmp_path: Path, qapp: QApplication) -> None:
    spec = importlib.util.spec_from_file_location(
        "render_icons", ROOT / "packaging/render_icons.py"
    )
    assert spec is not None
    assert spec.loader is not None
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    written = render_icons.render_all(resources.app_icon_path(), tmp_path)
    assert len(written) == len(PNG_SIZES) + 1
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        p.relative_to(RESOURCES).as_posix()
        for p in [*RESOURCES.glob("hicolor/*/apps/*.png"), RESOURCES / "snx-desktop.ico"]
    }
    # the committed PNGs are up to date with the SVG (compared by pixels, not bytes)
    for size in (16, 64):
        rel = Path("hicolor", f"{size}x{size}", "apps", "snx-desktop.png")
        fresh, committed = QImage(str(tmp_path / rel)), QImage(str(RESOURCES / rel))
        worst = max(
            abs(a - b)
            for y in range(size)
            for x in range(size)
            for a, b in zip(
                _rgba(fresh.pixelColor(x, y)), _rgba(committed.pixelColor(x, y)), strict=True
            )
        )
        assert worst <= 24, f"{rel} is stale: run packaging/render_icons.py"


# -- the desktop entry ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    return parser["Desktop Entry"]


def test_desktop_entry_is_valid(desktop_entry: configparser.SectionProxy) -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        scripts = tomllib.load(fh)["project"]["gui-scripts"]  # the menu starts no console
    for key in ("Name", "Exec", "Icon", "Type", "Categories"):
        assert desktop_entry.get(key), key
    assert desktop_entry["Type"] == "Application"
    assert desktop_entry["Exec"].split()[0] in scripts
    assert desktop_entry["Icon"] == resources.APP_ICON_NAME
    assert desktop_entry["Categories"].endswith(";")
    assert "Office" in desktop_entry["Categories"].split(";")
    assert desktop_entry.get("Terminal") == "false"
    for key, value in desktop_entry.items():
        assert value == value.strip(), key


def test_the_desktop_entry_opens_tel_links(desktop_entry: configparser.SectionProxy) -> None:
    assert "x-scheme-handler/tel" in desktop_entry["MimeType"].split(";")
    assert desktop_entry["MimeType"].endswith(";")
    assert desktop_entry["Exec"].split()[1:] == ["%u"]  # the link is the program's argument
    assert desktop_entry["TryExec"] == desktop_entry["Exec"].split()[0]


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout
    assert not result.stdout.strip(), result.stdout


# -- the package data that ships the resources -----------------------------------------------


def test_package_data_ships_every_resource_file() -> None:
    """A non-editable install gets every file under resources_data (wheel = package data)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        setuptools_cfg = tomllib.load(fh)["tool"]["setuptools"]
    patterns = setuptools_cfg["package-data"]["snx_desktop"]
    package = ROOT / "snx_desktop"
    files = [p for p in (package / "resources_data").rglob("*") if p.is_file()]
    assert files
    for file in files:
        rel = file.relative_to(package).as_posix()
        assert any(
            fnmatch.fnmatch(rel, pat) and rel.count("/") == pat.count("/") for pat in patterns
        ), f"{rel} is not in [tool.setuptools.package-data]"
    for target, sources in setuptools_cfg["data-files"].items():
        assert target.startswith("share/")
        for source in sources:
            assert (ROOT / source).is_file(), source
