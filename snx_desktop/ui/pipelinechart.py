"""The pipeline picture of the Home page: the sales by status and by sales state as bars.

Drawn with ``QPainter`` in a widget of its own (no chart library): one group of bars per
title, each bar as long as its amount is against the largest of its group (its count where no
sale has an amount), its label on the left and its count and amount on the right. A click on a
bar, or Enter on the bar chosen with the arrow keys, emits ``barClicked(bar)``. The whole
picture is also told as text: the accessible description and each bar's tooltip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from snx_desktop.services.home import Bar

__all__ = ["PipelineChart", "bar_text"]

#: colours of the status bars (the state bars take the palette's highlight)
STATUS_COLOURS = {"0": QColor("#2d7dd2"), "1": QColor("#2e9e5b"), "2": QColor("#9a9a9a")}
PAD = 6


def bar_text(bar: Bar, money: Callable[[float], str]) -> str:
    noun = "sale" if bar.count == 1 else "sales"
    return f"{bar.label}: {bar.count:,} {noun}, {money(bar.amount)}"


class PipelineChart(QWidget):
    """Bars in titled groups (see the module)."""

    barClicked = Signal(object)  # Bar
    #: a paint with bars just ended (the Home page's timing)
    painted = Signal()

    def __init__(self, money: Callable[[float], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pipelineChart")
        self.setAccessibleName("Pipeline")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.money = money
        self.groups: list[tuple[str, list[Bar]]] = []
        self.current = -1
        self._rects: list[tuple[QRect, Bar]] = []

    # -- data -------------------------------------------------------------------------------
    def set_groups(self, groups: Sequence[tuple[str, Sequence[Bar]]]) -> None:
        self.groups = [(title, list(bars)) for title, bars in groups]
        bars = self.bars()
        if self.current >= len(bars):
            self.current = len(bars) - 1
        lines = [
            f"{title}: " + "; ".join(bar_text(b, self.money) for b in group)
            for title, group in self.groups
            if group
        ]
        self.setAccessibleDescription(". ".join(lines) if lines else "No sales saved yet")
        self.updateGeometry()
        self.update()

    def bars(self) -> list[Bar]:
        return [b for _title, group in self.groups for b in group]

    # -- geometry ---------------------------------------------------------------------------
    def _row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def sizeHint(self) -> QSize:
        rows = sum(1 + len(group) for _t, group in self.groups if group) or 1
        return QSize(360, rows * self._row_height() + PAD * 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def _layout(self) -> list[tuple[str, QRect, Bar | None]]:
        """(text, rect, bar) of each title row (bar None) and each bar's whole row."""
        height = self._row_height()
        out: list[tuple[str, QRect, Bar | None]] = []
        y = PAD
        for title, group in self.groups:
            if not group:
                continue
            out.append((title, QRect(PAD, y, self.width() - 2 * PAD, height), None))
            y += height
            for bar in group:
                out.append((bar.label, QRect(PAD, y, self.width() - 2 * PAD, height), bar))
                y += height
        return out

    def bar_rect(self, index: int) -> QRect:
        """Where bar ``index`` (in :meth:`bars` order) is drawn: a click there opens it."""
        rows = [rect for _text, rect, bar in self._layout() if bar is not None]
        return rows[index] if 0 <= index < len(rows) else QRect()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        palette = self.palette()
        text_colour = palette.color(palette.ColorRole.WindowText)
        rows = self._layout()
        if not rows:
            painter.setPen(palette.color(palette.ColorGroup.Disabled, palette.ColorRole.Text))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "No sales saved on this computer yet"
            )
            painter.end()
            return
        labels = [b.label for b in self.bars()]
        label_w = min(max(fm.horizontalAdvance(t) for t in labels) + 12, self.width() // 3)
        values = {id(b): f"{b.count:,} · {self.money(b.amount)}" for b in self.bars()}
        value_w = max(fm.horizontalAdvance(v) for v in values.values()) + 12
        bold = painter.font()
        bold.setBold(True)
        normal = painter.font()
        index = 0
        scale_by_amount, top = False, 1.0
        for text, rect, bar in rows:
            if bar is None:
                painter.setFont(bold)
                painter.setPen(text_colour)
                left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                painter.drawText(rect, left, text)
                painter.setFont(normal)
                group = next(g for t, g in self.groups if t == text)
                scale_by_amount = any(b.amount for b in group)
                top = max((b.amount if scale_by_amount else b.count) for b in group) or 1
                continue
            painter.setPen(text_colour)
            label_rect = QRect(rect.left(), rect.top(), label_w - 6, rect.height())
            painter.drawText(
                label_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(text, Qt.TextElideMode.ElideRight, label_rect.width()),
            )
            room = max(rect.width() - label_w - value_w, 10)
            size = bar.amount if scale_by_amount else bar.count
            length = max(int(room * size / top), 2)
            colour = STATUS_COLOURS.get(bar.value, palette.color(palette.ColorRole.Highlight))
            if bar.key != "status":
                colour = palette.color(palette.ColorRole.Highlight)
            bar_rect = QRect(rect.left() + label_w, rect.top() + 4, length, rect.height() - 8)
            painter.fillRect(bar_rect, colour)
            painter.drawText(
                QRect(bar_rect.right() + 6, rect.top(), value_w, rect.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                values[id(bar)],
            )
            if index == self.current and self.hasFocus():
                painter.setPen(palette.color(palette.ColorRole.Highlight))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            index += 1
        painter.end()
        self.painted.emit()

    # -- input ------------------------------------------------------------------------------
    def _bar_at(self, pos: QPoint) -> tuple[int, Bar] | None:
        index = 0
        for _text, rect, bar in self._layout():
            if bar is None:
                continue
            if rect.contains(pos):
                return index, bar
            index += 1
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._bar_at(event.position().toPoint())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.current = hit[0]
        self.update()
        self.barClicked.emit(hit[1])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._bar_at(event.position().toPoint())
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if hit is not None else Qt.CursorShape.ArrowCursor
        )
        super().mouseMoveEvent(event)

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            hit = self._bar_at(event.pos())
            if hit is not None:
                QToolTip.showText(
                    event.globalPos(), bar_text(hit[1], self.money) + "\nClick to list them", self
                )
                return True
        return super().event(event)  # type: ignore[arg-type]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        bars = self.bars()
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and bars:
            step = 1 if key == Qt.Key.Key_Down else -1
            self.current = max(0, min(len(bars) - 1, self.current + step))
            self.setAccessibleName(f"Pipeline: {bar_text(bars[self.current], self.money)}")
            self.update()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and bars:
            self.barClicked.emit(bars[max(self.current, 0)])
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.current < 0 and self.bars():
            self.current = 0
        self.update()
        super().focusInEvent(event)
