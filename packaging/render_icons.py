"""Render the app icon's raster forms from its SVG source.

Reads ``snx_desktop/resources_data/snx-desktop.svg`` and writes:

* ``resources/hicolor/<N>x<N>/apps/snx-desktop.png`` for N in 16, 32, 48, 64, 128, 256, 512
  (a freedesktop icon-theme tree, ready to copy below ``~/.local/share/icons/``);
* ``resources/snx-desktop.ico`` with 16, 24, 32, 48, 64, 128 and 256 px images (the small
  ones as 32-bit BMP entries, 128 and 256 as PNG entries, as Windows expects).

Rendering uses ``QSvgRenderer`` on the offscreen platform; the ICO container is written
here (no imaging library needed). Run after changing the SVG:

    python packaging/render_icons.py
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "snx_desktop" / "resources_data" / "snx-desktop.svg"
RESOURCES = ROOT / "resources"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_PNG_MIN = 128  # entries this size and larger are stored as PNG
_APP: list[QGuiApplication] = []  # keeps the application object alive while rendering


def png_path(size: int, root: Path = RESOURCES) -> Path:
    """Where the PNG of one size lives in the icon-theme tree."""
    return root / "hicolor" / f"{size}x{size}" / "apps" / "snx-desktop.png"


def _render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot parse {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs want bytes
        raise SystemExit("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def _bmp_entry(image: QImage) -> bytes:
    """A 32-bit ICO image entry: BITMAPINFOHEADER, bottom-up BGRA rows, then the AND mask."""
    width, height = image.width(), image.height()
    xor = bytearray()
    mask = bytearray()
    mask_stride = ((width + 31) // 32) * 4
    for y in range(height - 1, -1, -1):
        row_mask = bytearray(mask_stride)
        for x in range(width):
            argb = image.pixel(x, y)
            alpha = (argb >> 24) & 0xFF
            xor += struct.pack("<I", argb)  # little-endian ARGB32 is B, G, R, A
            if alpha == 0:
                row_mask[x // 8] |= 0x80 >> (x % 8)
        mask += row_mask
    header = struct.pack(
        "<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, len(xor) + len(mask), 0, 0, 0, 0
    )
    return header + bytes(xor) + bytes(mask)


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An ICO file from ``{size: entry bytes}`` (entries already encoded as BMP or PNG)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory = b""
    payload = b""
    for size in sizes:
        data = images[size]
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    return header + directory + payload


def render_all(svg: Path = SVG, out: Path = RESOURCES) -> list[Path]:
    """Render every PNG size and the ICO; returns the files written."""
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP.append(QGuiApplication([]))
    written: list[Path] = []
    for size in PNG_SIZES:
        target = png_path(size, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_png_bytes(_render(svg, size)))
        written.append(target)
    entries: dict[int, bytes] = {}
    for size in ICO_SIZES:
        image = _render(svg, size)
        entries[size] = _png_bytes(image) if size >= ICO_PNG_MIN else _bmp_entry(image)
    ico = out / "snx-desktop.ico"
    ico.write_bytes(ico_bytes(entries))
    written.append(ico)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, default=SVG, help="source SVG")
    parser.add_argument("--out", type=Path, default=RESOURCES, help="resources folder")
    args = parser.parse_args(argv)
    for path in render_all(args.svg, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
