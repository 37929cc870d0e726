"""The "More fields" section of a record form: the fields outside the default layout, folded
away under a button, open or closed as the rep left it last time.

The state is kept per table in the settings of the window the form sits in (the main window's
``settings``); a form outside any window keeps it for as long as the app runs.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

__all__ = ["MoreFieldsSection", "settings_for"]

_KEY = "forms/moreFieldsOpen/{table}"
_in_memory: dict[str, bool] = {}


def settings_for(widget: QWidget | None) -> QSettings | None:
    """The ``settings`` of the first of ``widget`` and its parents that has them, if any."""
    while widget is not None:
        settings = getattr(widget, "settings", None)
        if isinstance(settings, QSettings):
            return settings
        widget = widget.parentWidget()
    return None


def _read(settings: QSettings | None, key: str) -> bool:
    if settings is None:
        return _in_memory.get(key, False)
    value = settings.value(key, False)
    return value is True or str(value).lower() == "true"


def _write(settings: QSettings | None, key: str, value: bool) -> None:
    if settings is None:
        _in_memory[key] = value
        return
    settings.setValue(key, value)
    settings.sync()


class MoreFieldsSection(QWidget):
    """A button "More fields (n)" that opens or closes a form of further fields."""

    toggled = Signal(bool)

    def __init__(
        self,
        table: str,
        count: int,
        settings: QSettings | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("moreFields")
        self.setAccessibleName("More fields")
        self._settings = settings
        self._key = _KEY.format(table=table)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 0)
        outer.setSpacing(4)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("moreFieldsToggle")
        self.toggle.setText(f"More fields ({count})")
        self.toggle.setAccessibleName("More fields")
        self.toggle.setToolTip("Show or hide the fields that are not in your layout")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        outer.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self.body = QWidget(self)
        self.body.setObjectName("moreFieldsBody")
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addWidget(self.body)
        opened = _read(settings, self._key)
        self.toggle.setChecked(opened)
        self._show(opened)
        self.toggle.toggled.connect(self._on_toggled)

    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def set_open(self, opened: bool) -> None:
        self.toggle.setChecked(opened)

    def _show(self, opened: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
        self.body.setVisible(opened)

    def _on_toggled(self, opened: bool) -> None:
        self._show(opened)
        _write(self._settings, self._key, opened)
        self.toggled.emit(opened)
