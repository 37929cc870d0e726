"""Drop target behaviour for files: install it on a whole pane or on a list view's rows.

`FileDropTarget` is an event filter. Installed on a host widget (the contact detail pane, or a
list view's viewport) it accepts drags that carry local files, asks a resolver which contact
the drop would go to at the cursor, and shows a `DropOverlay`: a highlight over the area the
drop lands on (the whole pane, or the row under the cursor) with the contact's name. On the
drop it emits ``filesDropped(DropContact, FileDrop)``; the files are sorted by
``snx_desktop.dnd.parse_files`` (attachable files, the files inside dropped folders, missing,
unreadable, remote). A drop over the limits of one drop (``batch_check``, by default
``services.documents.DEFAULT_BATCH_LIMITS``) is shown as refused while it hovers.
Drags without local files are refused (no highlight). Children that accept drops on their own
(line edits, text editors) can be routed here too with `watch`, so the drop zone really is
the whole pane.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QWidget

from snx_desktop.dnd import FileDrop, has_local_files, parse_files
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.services.documents import (
    DEFAULT_BATCH_LIMITS,
    DEFAULT_MAX_BYTES,
    BatchLimits,
    check_batch,
)

__all__ = [
    "DropContact",
    "DropOverlay",
    "FileDropTarget",
    "Resolver",
    "batch_problem",
    "drop_summary",
    "pane_resolver",
    "record_contact",
    "view_row_resolver",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DropContact:
    """Where a drop lands: the contact, and the area to highlight (host coordinates; None for
    the whole host)."""

    contact_id: str
    name: str
    rect: QRect | None = None


Resolver = Callable[[QPoint], DropContact | None]


def batch_problem(
    drop: FileDrop,
    limits: BatchLimits = DEFAULT_BATCH_LIMITS,
    max_file_bytes: int = DEFAULT_MAX_BYTES,
) -> str:
    """Why ``drop`` is too much to attach at once (``""`` when it is not); see
    ``services.documents.check_batch``."""
    return check_batch(
        [f.size for f in drop.files],
        folders=[scan.name for scan in drop.scans if scan.files],
        loose=drop.loose_files,
        more=drop.truncated,
        limits=limits,
        max_file_bytes=max_file_bytes,
    )


def drop_summary(drop: FileDrop, contact: DropContact, too_much: str = "") -> tuple[str, bool]:
    """The overlay's text for a drag over ``contact``, and whether anything can be attached
    (``too_much``: why the drop is over the limits of one drop; nothing can be then)."""
    who = contact.name or "this contact"
    if too_much:
        return f"Nothing can be attached to {who}: {too_much}.", False
    n = len(drop.files)
    folders = [scan.name for scan in drop.scans if scan.files]
    if n == 1:
        only = drop.files[0]
        source = f" from “{only.folder.name or only.folder}”" if only.folder is not None else ""
        text = f"Attach “{only.name}”{source} to {who}"
    elif n and len(folders) == 1 and not drop.loose_files:
        text = f"Attach {n} files from “{folders[0]}” to {who}"
    elif n:
        text = f"Attach {n} files to {who}"
    else:
        text = ""
    problems = drop.problems()
    if problems:
        text = "\n".join([text, *problems]) if text else "\n".join(problems)
    return text, bool(n)


class DropOverlay(QWidget):
    """A highlight painted over the host; transparent for the mouse."""

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("dropOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target_rect = QRect()
        self.text = ""
        self.ok = True
        self.hide()

    def show_for(self, rect: QRect, text: str, ok: bool) -> None:
        host = self.parentWidget()
        if host is not None:
            self.setGeometry(host.rect())
        self.target_rect = QRect(rect)
        self.text = text
        self.ok = ok
        self.setAccessibleName(text)
        self.raise_()
        self.show()
        self.update()

    def clear(self) -> None:
        self.text = ""
        self.target_rect = QRect()
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.target_rect.isNull():
            return
        painter = QPainter(self)
        try:
            pal = self.palette()
            color = QColor(pal.color(QPalette.ColorRole.Highlight))
            if not self.ok:
                color = QColor("#c0392b")
            fill = QColor(color)
            fill.setAlpha(48)
            rect = self.target_rect.adjusted(1, 1, -2, -2)
            painter.fillRect(rect, fill)
            pen = QPen(color, 2, Qt.PenStyle.DashLine if not self.ok else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawRoundedRect(rect, 6, 6)
            if self.text:
                self._paint_label(painter, color, rect)
        finally:
            painter.end()

    def _paint_label(self, painter: QPainter, color: QColor, rect: QRect) -> None:
        metrics = self.fontMetrics()
        flags = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        pad_x, pad_y = 12, 6
        room = max(60, min(self.width() - 16, 520) - 2 * pad_x)
        text_rect = metrics.boundingRect(QRect(0, 0, room, 10_000), flags, self.text)
        width = text_rect.width() + 2 * pad_x + 2
        height = text_rect.height() + 2 * pad_y
        # inside the area when it is tall enough (a pane), else just below it (a row)
        if rect.height() >= height + 16:
            top = rect.center().y() - height // 2
        else:
            top = rect.bottom() + 4
            if top + height > self.height():
                top = max(0, rect.top() - height - 4)
        left = max(8, min(rect.center().x() - width // 2, self.width() - width - 8))
        bubble = QRect(left, top, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(bubble, 6, 6)
        painter.setPen(self.palette().color(QPalette.ColorRole.HighlightedText))
        painter.drawText(bubble.adjusted(pad_x, pad_y, -pad_x, -pad_y), flags, self.text)


class FileDropTarget(QObject):
    """Accepts file drops on ``host``; see the module docstring."""

    #: the drop landed: (DropContact, FileDrop)
    filesDropped = Signal(object, object)

    def __init__(self, host: QWidget, resolve: Resolver, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else host)
        self.setObjectName("fileDropTarget")
        self.host = host
        self.resolve = resolve
        self.overlay = DropOverlay(host)
        #: where the drop would land now (None: nowhere)
        self.current: DropContact | None = None
        self.enabled = True
        self._drop: FileDrop | None = None
        self._watched: list[QWidget] = []
        #: the list view whose rows are targets (scrolled while a drag hovers near an edge)
        self.view: QAbstractItemView | None = None
        #: why a drop is over the limits of one drop ("" when it is not)
        self.batch_check: Callable[[FileDrop], str] = batch_problem
        self._too_much = ""
        self._scroll_step = 0
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setInterval(60)
        self._scroll_timer.timeout.connect(self._autoscroll)
        host.setAcceptDrops(True)
        host.installEventFilter(self)

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def for_pane(
        cls, pane: QWidget, current: Callable[[], DropContact | tuple[str, str] | None]
    ) -> FileDropTarget:
        """The whole ``pane`` is the drop zone for the contact ``current()`` returns."""
        target = cls(pane, pane_resolver(current))
        for child in pane.findChildren(QWidget):
            if child.acceptDrops() and child is not target.overlay:
                target.watch(child)
        return target

    @classmethod
    def for_view(
        cls,
        view: QAbstractItemView,
        contact_of: Callable[[QModelIndex], tuple[str, str] | None],
    ) -> FileDropTarget:
        """Drops on a row of ``view`` go to that row's contact (``contact_of(index)``)."""
        target = cls(view.viewport(), view_row_resolver(view, contact_of), parent=view)
        target.view = view
        return target

    def watch(self, widget: QWidget) -> None:
        """Route file drags over ``widget`` (a child of the host that accepts drops itself)
        to this target; other drags keep going to the widget."""
        if widget not in self._watched:
            self._watched.append(widget)
            widget.installEventFilter(self)

    def remove(self) -> None:
        """Uninstall from the host and the watched children."""
        self.host.removeEventFilter(self)
        for widget in self._watched:
            widget.removeEventFilter(self)
        self._watched.clear()
        self.overlay.clear()

    # ------------------------------------------------------------------ events
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if t not in (
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.DragLeave,
            QEvent.Type.Drop,
        ):
            return False
        from_child = obj is not self.host
        if t == QEvent.Type.DragLeave:
            self._leave()
            return not from_child
        assert isinstance(event, QDropEvent)  # QDragEnterEvent and QDragMoveEvent derive from it
        mime = event.mimeData()
        if not self.enabled or not has_local_files(mime):
            if from_child:
                return False
            event.ignore()
            self._leave()
            return True
        pos = event.position().toPoint()
        if from_child and isinstance(obj, QWidget):
            pos = obj.mapTo(self.host, pos)
        if t == QEvent.Type.Drop:
            self._dropped(event, pos)
            return True
        if t == QEvent.Type.DragEnter or self._drop is None:
            self._drop = parse_files(mime)
            self._too_much = self._check(self._drop)
        # a drag enter is always accepted (so that move events follow, e.g. from an empty
        # part of a list onto a row); each move says whether a drop is possible there
        self._moved(event, pos, accept_anyway=t == QEvent.Type.DragEnter)
        return True

    def _moved(self, event: QDropEvent, pos: QPoint, *, accept_anyway: bool) -> None:
        self._edge_scroll(pos)
        target = self._resolve(pos)
        self.current = target
        if target is None or self._drop is None:
            self.overlay.clear()
            if accept_anyway:
                event.acceptProposedAction()
            elif isinstance(event, QDragMoveEvent):
                event.ignore()
            return
        event.acceptProposedAction()
        text, ok = drop_summary(self._drop, target, self._too_much)
        rect = target.rect if target.rect is not None else self.host.rect()
        self.overlay.show_for(rect, text, ok)

    def _dropped(self, event: QDropEvent, pos: QPoint) -> None:
        target = self._resolve(pos)
        mime = event.mimeData()
        self._leave()
        if target is None:
            event.ignore()
            return
        drop = parse_files(mime)
        event.acceptProposedAction()
        log.debug("files dropped: %d files, %d refused", len(drop.files), len(drop.problems()))
        self.filesDropped.emit(target, drop)

    def _check(self, drop: FileDrop) -> str:
        try:
            return self.batch_check(drop)
        except Exception:
            log.exception("checking the limits of a drop failed")
            return ""

    def _edge_scroll(self, pos: QPoint) -> None:
        """Near the top or bottom edge of a list, keep scrolling while the drag hovers."""
        if self.view is None:
            return
        margin = max(12, self.view.fontMetrics().height())
        height = self.host.height()
        step = -1 if pos.y() < margin else 1 if pos.y() > height - margin else 0
        self._scroll_step = step
        if step and not self._scroll_timer.isActive():
            self._scroll_timer.start()
        elif not step:
            self._scroll_timer.stop()

    def _autoscroll(self) -> None:
        if self.view is None or not self._scroll_step:
            self._scroll_timer.stop()
            return
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.value() + self._scroll_step * max(1, bar.singleStep()))
        self.overlay.clear()  # the row under the cursor changed; the next move shows it

    def _leave(self) -> None:
        self._scroll_step = 0
        self._scroll_timer.stop()
        self.current = None
        self._drop = None
        self._too_much = ""
        self.overlay.clear()

    def _resolve(self, pos: QPoint) -> DropContact | None:
        try:
            return self.resolve(pos)
        except Exception:
            log.exception("drop target resolver failed")
            return None


# ====================================================================== resolvers
def pane_resolver(current: Callable[[], DropContact | tuple[str, str] | None]) -> Resolver:
    """Anywhere on the pane means the pane's current contact (if any)."""

    def resolve(_pos: QPoint) -> DropContact | None:
        value = current()
        if value is None:
            return None
        if isinstance(value, DropContact):
            return value if value.contact_id else None
        contact_id, name = value
        return DropContact(contact_id, name) if contact_id else None

    return resolve


def view_row_resolver(
    view: QAbstractItemView, contact_of: Callable[[QModelIndex], tuple[str, str] | None]
) -> Resolver:
    """The row under the cursor (viewport coordinates) and its contact; the row is
    highlighted across the whole width."""

    def resolve(pos: QPoint) -> DropContact | None:
        index = view.indexAt(pos)
        if not index.isValid():
            return None
        found = contact_of(index)
        if not found or not found[0]:
            return None
        cell = view.visualRect(index)
        row = QRect(0, cell.top(), view.viewport().width(), cell.height())
        return DropContact(found[0], found[1], row)

    return resolve


def record_contact(
    name_of: Callable[[Mapping[str, str]], str],
) -> Callable[[QModelIndex], tuple[str, str] | None]:
    """``contact_of`` for the app's record models: the row's ``Roles.RECORD_ID`` and a name
    made from ``Roles.RECORD`` by ``name_of``; placeholder rows (loading, failed) give None."""

    def contact_of(index: QModelIndex) -> tuple[str, str] | None:
        state = index.data(Roles.FETCH_STATE)
        if state in (FetchState.LOADING, FetchState.FAILED):
            return None
        rid = index.data(Roles.RECORD_ID)
        if not rid:
            return None
        record = index.data(Roles.RECORD)
        name = ""
        if isinstance(record, Mapping):
            try:
                name = name_of(record)
            except Exception:
                log.exception("naming a contact row failed")
        return str(rid), name

    return contact_of
