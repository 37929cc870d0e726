"""A colour picker without QColorDialog: a row of swatches plus a field for any RRGGBB.

The hex field is what counts: clicking a swatch fills it; typing in it selects the matching
swatch. `colour()` gives upper-case ``RRGGBB`` without ``#`` (as the API wants) or "" for
none; a malformed entry is reported by `problem()` and shown under the field.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QVBoxLayout, QWidget

from snx_desktop.ui.editing._dialogs import ErrorLabel
from snx_desktop.ui.editing.validation import check_colour, normalise_colour

__all__ = ["PALETTE", "ColourPicker"]

PALETTE: tuple[tuple[str, str], ...] = (
    ("3A7BD5", "Blue"),
    ("2E9E5B", "Green"),
    ("E0A100", "Amber"),
    ("D64541", "Red"),
    ("8E44AD", "Purple"),
    ("16A085", "Teal"),
    ("E67E22", "Orange"),
    ("7F8C8D", "Grey"),
)


def _swatch_icon(hex_rgb: str, size: int = 18) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor("#" + hex_rgb))
    return QIcon(pix)


class ColourPicker(QWidget):
    """Swatches + custom hex; ``colourChanged(str)`` with the RRGGBB text (or "")."""

    colourChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("colourPicker")
        self.setAccessibleName("Colour")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(3)
        self.swatches: dict[str, QToolButton] = {}
        for hex_rgb, name in PALETTE:
            button = QToolButton(self)
            button.setObjectName(f"colourSwatch_{hex_rgb}")
            button.setAccessibleName(f"{name} ({hex_rgb})")
            button.setToolTip(f"{name} ({hex_rgb})")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setIcon(_swatch_icon(hex_rgb))
            button.setIconSize(QSize(18, 18))
            button.clicked.connect(lambda _c=False, h=hex_rgb: self.set_colour(h))
            row.addWidget(button)
            self.swatches[hex_rgb] = button
        self.edit = QLineEdit(self)
        self.edit.setObjectName("colourEdit")
        self.edit.setAccessibleName("Custom colour (RRGGBB)")
        self.edit.setPlaceholderText("RRGGBB")
        self.edit.setMaxLength(7)
        self.edit.setMaximumWidth(90)
        self.edit.textChanged.connect(self._typed)
        row.addWidget(self.edit)
        row.addStretch(1)
        outer.addLayout(row)
        self.error = ErrorLabel("colour", self.edit, self)
        outer.addWidget(self.error)

    def set_colour(self, value: str) -> None:
        self.edit.setText(normalise_colour(value) if value else "")

    def _typed(self, text: str) -> None:
        colour = normalise_colour(text)
        for hex_rgb, button in self.swatches.items():
            button.setChecked(hex_rgb == colour)
        if not check_colour(text):
            self.error.show_error("")
        self.colourChanged.emit(self.colour())

    def problem(self) -> str:
        return check_colour(self.edit.text())

    def validate(self) -> bool:
        message = self.problem()
        self.error.show_error(message)
        return not message

    def colour(self) -> str:
        """``RRGGBB`` upper case, "" for none; the raw text when it is not a colour."""
        return normalise_colour(self.edit.text())
