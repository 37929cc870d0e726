"""Synthetic drag-and-drop for tests: enter, move and drop events sent to a widget.

Qt 6.12 bindings take ``QPointF`` positions (the ``QPoint`` constructors are deprecated there);
earlier 6.x bindings take ``QPoint`` for enter and move events. :func:`drag_events` builds
whichever the installed binding accepts.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

COPY = Qt.DropAction.CopyAction


@cache
def _takes_pointf() -> bool:
    try:
        QDragEnterEvent(
            QPointF(0, 0),
            COPY,
            QMimeData(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    except TypeError:
        return False
    return True


def drag_events(
    pos: QPointF | QPoint,
    mime: QMimeData,
    actions: Qt.DropAction = COPY,
) -> tuple[QDragEnterEvent, QDragMoveEvent, QDropEvent]:
    """The enter, move and drop events of a left-button drag of ``mime`` at ``pos``."""
    point: QPointF | QPoint = QPointF(pos) if _takes_pointf() else QPointF(pos).toPoint()
    args = (point, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    return QDragEnterEvent(*args), QDragMoveEvent(*args), QDropEvent(*args)


def send_drag(
    widget: QWidget, pos: QPointF | QPoint, mime: QMimeData, actions: Qt.DropAction = COPY
) -> list[bool]:
    """Send enter, move and drop to ``widget``; whether each event was accepted."""
    events = drag_events(pos, mime, actions)
    for event in events:
        QApplication.sendEvent(widget, event)
    return [event.isAccepted() for event in events]
