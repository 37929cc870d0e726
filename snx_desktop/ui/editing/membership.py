"""Dragging contacts onto a group: the drag's data format and both ends of the drag.

The contacts travel as ``application/x-snx-contact-ids``, a JSON list of ids
(`encode_contact_ids` / `decode_contact_ids`). `ContactDragSource` starts such a drag from
the selected rows of a contact list; `GroupDropTarget` accepts it on the rows of a group list
and queues `add_dropped_contacts` for the group under the pointer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication

from snx_desktop import messages
from snx_desktop.models.roles import Roles

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change
    from snx_desktop.services.writes import WriteQueue

__all__ = [
    "CONTACT_IDS_MIME",
    "ContactDragSource",
    "GroupDropTarget",
    "add_dropped_contacts",
    "decode_contact_ids",
    "encode_contact_ids",
    "ids_from_bytes",
    "ids_to_bytes",
]

log = logging.getLogger(__name__)

CONTACT_IDS_MIME = "application/x-snx-contact-ids"


def ids_to_bytes(ids: Sequence[str]) -> bytes:
    return json.dumps([str(i) for i in dict.fromkeys(ids) if i]).encode("utf-8")


def ids_from_bytes(data: bytes) -> list[str]:
    """The ids in ``data``; [] for anything that is not a JSON list of strings."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []
    if not isinstance(value, list):
        return []
    return [v for v in dict.fromkeys(value) if isinstance(v, str) and v.strip()]


def encode_contact_ids(ids: Sequence[str]) -> QMimeData:
    mime = QMimeData()
    mime.setData(CONTACT_IDS_MIME, QByteArray(ids_to_bytes(ids)))
    return mime


def decode_contact_ids(mime: QMimeData | None) -> list[str]:
    if mime is None or not mime.hasFormat(CONTACT_IDS_MIME):
        return []
    return ids_from_bytes(bytes(mime.data(CONTACT_IDS_MIME).data()))


async def add_dropped_contacts(
    writes: WriteQueue, contact_ids: Sequence[str], group_id: str, *, origin: object = None
) -> Change | None:
    """Queue adding ``contact_ids`` to ``group_id``; None when there is nothing to add."""
    ids = [c for c in dict.fromkeys(contact_ids) if c]
    if not ids or not group_id:
        return None
    return await writes.add_contacts_to_group(group_id, ids, origin=origin)


def _row_id(index: QModelIndex) -> str:
    if not index.isValid():
        return ""
    value = index.data(Roles.RECORD_ID)
    if not value:
        record = index.data(Roles.RECORD)
        if isinstance(record, dict):
            value = record.get("id", "")
    return str(value or "")


class ContactDragSource(QObject):
    """Starts a drag of the selected contacts from ``view`` (install once per view)."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._press: QPoint | None = None
        view.viewport().installEventFilter(self)

    def selected_ids(self) -> list[str]:
        model = self.view.selectionModel()
        if model is None:
            return []
        rows = sorted(model.selectedRows(), key=lambda i: i.row())
        return [i for i in (_row_id(r) for r in rows) if i]

    def mime_data(self) -> QMimeData:
        return encode_contact_ids(self.selected_ids())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton:
                self._press = event.position().toPoint()
        elif event.type() == QEvent.Type.MouseButtonRelease:
            self._press = None
        elif (
            event.type() == QEvent.Type.MouseMove
            and isinstance(event, QMouseEvent)
            and self._press is not None
            and event.buttons() & Qt.MouseButton.LeftButton
        ):
            moved = (event.position().toPoint() - self._press).manhattanLength()
            if moved >= QApplication.startDragDistance():
                self._press = None
                ids = self.selected_ids()
                if ids:
                    drag = QDrag(self.view)
                    drag.setMimeData(encode_contact_ids(ids))
                    drag.exec(Qt.DropAction.CopyAction)
                    return True
        return False


class GroupDropTarget(QObject):
    """Accepts dropped contacts on the group rows of ``view``; ``contactsDropped(ids, gid)``."""

    contactsDropped = Signal(list, str)

    def __init__(
        self,
        view: QAbstractItemView,
        services: AccountServices,
        group_id_at: Callable[[QModelIndex], str] = _row_id,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.services = services
        self.group_id_at = group_id_at
        self.last_task: asyncio.Future[Change | None] | None = None
        view.setAcceptDrops(True)
        view.viewport().setAcceptDrops(True)
        view.setDropIndicatorShown(True)
        view.viewport().installEventFilter(self)

    def _group_at(self, event: QDragMoveEvent | QDropEvent) -> str:
        index = self.view.indexAt(event.position().toPoint())
        return self.group_id_at(index) if index.isValid() else ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter:
            assert isinstance(event, QDragMoveEvent)
            if event.mimeData().hasFormat(CONTACT_IDS_MIME):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                return True
            return False
        if kind == QEvent.Type.DragMove:
            assert isinstance(event, QDragMoveEvent)
            if not event.mimeData().hasFormat(CONTACT_IDS_MIME):
                return False
            if self._group_at(event):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            ids = decode_contact_ids(event.mimeData())
            gid = self._group_at(event)
            if not ids or not gid:
                event.ignore()
                return bool(ids)
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.contactsDropped.emit(ids, gid)
            self.last_task = asyncio.ensure_future(self.drop(ids, gid))
            return True
        return False

    async def drop(self, contact_ids: Sequence[str], group_id: str) -> Change | None:
        try:
            return await add_dropped_contacts(
                self.services.writes, contact_ids, group_id, origin=self
            )
        except Exception as exc:
            log.info("adding dropped contacts refused: %s", type(exc).__name__)
            messages.error(str(exc) or "The contacts could not be added to the group.")
            return None
