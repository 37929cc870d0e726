"""Icons for the user interface: the app icon and theme-aware action icons.

Action icons are single-colour SVGs drawn with ``currentColor``. :func:`icon` returns a
``QIcon`` whose engine paints the SVG in the palette's text colour at paint time: window text
for normal icons, the disabled text colour for disabled ones and the highlighted text colour
on a selection. Without an explicit palette the application's current palette is read each
time an icon is painted, so icons follow a switch between light and dark themes.

Only ``QtSvg`` is needed (no icon-engine or image-format plugin), so icons render the same
from a checkout, an installed package and the frozen bundle.
"""

from __future__ import annotations

import logging
import math
from functools import cache
from typing import Literal

import shiboken6
from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer

from snx_desktop import resources

__all__ = [
    "ColorScheme",
    "app_icon",
    "dark_palette",
    "icon",
    "install_app_icon",
    "is_dark",
    "light_palette",
    "palette_for",
]

log = logging.getLogger(__name__)

ColorScheme = Literal["light", "dark"]

_CURRENT_COLOR = b"currentColor"
_CACHE_LIMIT = 64
_CLONES: list[QIconEngine] = []


@cache
def _svg_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


class _SvgIconEngine(QIconEngine):
    """Paints one SVG at any size; recolours ``currentColor`` from a palette when asked."""

    def __init__(self, svg: bytes, *, recolor: bool, palette: QPalette | None) -> None:
        super().__init__()
        self._svg = svg
        self._recolor = recolor
        self._palette = QPalette(palette) if palette is not None else None
        self._renderers: dict[str, QSvgRenderer] = {}
        self._pixmaps: dict[tuple[int, int, str, float], QPixmap] = {}

    # -- colour ---------------------------------------------------------------------------

    def _color(self, mode: QIcon.Mode) -> QColor:
        palette = self._palette if self._palette is not None else QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)

    def _renderer(self, color: QColor | None) -> QSvgRenderer:
        key = color.name(QColor.NameFormat.HexRgb) if color is not None else ""
        renderer = self._renderers.get(key)
        if renderer is None:
            data = self._svg
            if color is not None:
                data = data.replace(_CURRENT_COLOR, key.encode("ascii"))
            renderer = QSvgRenderer(QByteArray(data))
            renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
            if not renderer.isValid():
                log.warning("icon SVG could not be parsed")
            self._renderers[key] = renderer
        return renderer

    def _render(self, size: QSize, mode: QIcon.Mode, scale: float) -> QPixmap:
        color = self._color(mode) if self._recolor else None
        ckey = color.name(QColor.NameFormat.HexArgb) if color is not None else ""
        if not self._recolor and mode == QIcon.Mode.Disabled:
            ckey = "disabled"
        key = (size.width(), size.height(), ckey, scale)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        width = max(1, round(size.width() * scale))
        height = max(1, round(size.height() * scale))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if color is not None and color.alpha() < 255:
            painter.setOpacity(color.alphaF())
        if not self._recolor and mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.45)
        self._renderer(color).render(painter, QRectF(0, 0, width, height))
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(scale)
        if len(self._pixmaps) >= _CACHE_LIMIT:
            self._pixmaps.clear()
        self._pixmaps[key] = pixmap
        return pixmap

    # -- QIconEngine ----------------------------------------------------------------------

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        return self._render(size, mode, max(scale, 1.0))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        # the device pixel ratio, read from the painter's device transform: asking the device
        # itself makes the bindings look up the exact type of the widget painted on, which
        # the first time sets up every widget class (about 10 ms, in the first paint)
        t = painter.deviceTransform()
        scale = round(math.hypot(t.m11(), t.m12()), 2) or 1.0
        pixmap = self._render(rect.size(), mode, max(scale, 1.0))
        painter.drawPixmap(QPoint(rect.x(), rect.y()), pixmap)

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return QSize(size)

    def isNull(self) -> bool:
        return not self._svg

    def key(self) -> str:
        return "snx-svg"

    def clone(self) -> QIconEngine:
        engine = _SvgIconEngine(self._svg, recolor=self._recolor, palette=self._palette)
        # Qt owns the clone (a QIcon detaching, e.g. on addPixmap), but PySide drops the
        # Python side of an engine returned from this override: keep it referenced until Qt
        # deletes it with its icon, which turns the wrapper invalid.
        _CLONES[:] = [e for e in _CLONES if shiboken6.isValid(e)]
        _CLONES.append(engine)
        return engine


def icon(name: str, palette: QPalette | None = None) -> QIcon:
    """The action icon ``name`` (see ``resources.ACTION_ICONS``), painted in text colours.

    With ``palette`` the icon keeps that palette's colours; without it the application's
    palette at paint time is used (follows light/dark switches). A missing icon file is
    logged and gives an empty ``QIcon`` rather than an exception, so a typo never breaks a
    menu.
    """
    try:
        path = resources.icon_path(name)
    except (FileNotFoundError, ValueError):
        log.error("no icon named %r", name)
        return QIcon()
    return QIcon(_SvgIconEngine(_svg_bytes(str(path)), recolor=True, palette=palette))


def app_icon() -> QIcon:
    """The full-colour application icon, sharp at every size."""
    try:
        path = resources.app_icon_path()
    except FileNotFoundError:
        log.error("application icon is missing")
        return QIcon()
    return QIcon(_SvgIconEngine(_svg_bytes(str(path)), recolor=False, palette=None))


def install_app_icon(app: QGuiApplication) -> None:
    """Set the window icon of every window and the desktop file name (Wayland, taskbars)."""
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(resources.APP_ICON_NAME)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette's window colour is dark (text is lighter than the window)."""
    pal = palette if palette is not None else QGuiApplication.palette()
    window = pal.color(QPalette.ColorRole.Window)
    text = pal.color(QPalette.ColorRole.WindowText)
    return window.lightnessF() < text.lightnessF()


_LIGHT: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#f5f6f8",
    QPalette.ColorRole.WindowText: "#1f2937",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f2f5",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1f2937",
    QPalette.ColorRole.PlaceholderText: "#6b7280",
    QPalette.ColorRole.Text: "#1f2937",
    QPalette.ColorRole.Button: "#eef0f3",
    QPalette.ColorRole.ButtonText: "#1f2937",
    QPalette.ColorRole.BrightText: "#dc2626",
    QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#e5e7eb",
    QPalette.ColorRole.Mid: "#c4c8cf",
    QPalette.ColorRole.Dark: "#6b7280",
    QPalette.ColorRole.Shadow: "#374151",
    QPalette.ColorRole.Highlight: "#1d6fd8",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#1d4ed8",
    QPalette.ColorRole.LinkVisited: "#6d28d9",
}

_DARK: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#1f2329",
    QPalette.ColorRole.WindowText: "#e5e7eb",
    QPalette.ColorRole.Base: "#16191d",
    QPalette.ColorRole.AlternateBase: "#23272e",
    QPalette.ColorRole.ToolTipBase: "#2b3038",
    QPalette.ColorRole.ToolTipText: "#e5e7eb",
    QPalette.ColorRole.PlaceholderText: "#8b93a0",
    QPalette.ColorRole.Text: "#e5e7eb",
    QPalette.ColorRole.Button: "#2b3038",
    QPalette.ColorRole.ButtonText: "#e5e7eb",
    QPalette.ColorRole.BrightText: "#f87171",
    QPalette.ColorRole.Light: "#3a404a",
    QPalette.ColorRole.Midlight: "#313640",
    QPalette.ColorRole.Mid: "#4b5260",
    QPalette.ColorRole.Dark: "#111317",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#2f80ed",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#60a5fa",
    QPalette.ColorRole.LinkVisited: "#a78bfa",
}

_DISABLED_TEXT = {"light": "#9ca3af", "dark": "#6b7280"}


def palette_for(scheme: ColorScheme) -> QPalette:
    """A complete light or dark palette in the app's colours (blue/teal accents)."""
    colors = _LIGHT if scheme == "light" else _DARK
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(QPalette.ColorGroup.All, role, QColor(value))
    disabled = QColor(_DISABLED_TEXT[scheme])
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def light_palette() -> QPalette:
    """The app's light palette."""
    return palette_for("light")


def dark_palette() -> QPalette:
    """The app's dark palette."""
    return palette_for("dark")
