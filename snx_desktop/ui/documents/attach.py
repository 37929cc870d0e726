"""Attaching files to a contact: drops, pastes and the "Attach…" button, all to one place.

`Attacher` connects the ways a rep can offer files to the `UploadManager`:

* `install_on_pane` makes a whole pane a drop zone for its current contact and lets
  Ctrl+V (the platform's paste key) attach files copied in a file manager;
* `install_on_view` makes every row of a contact list a drop zone for that row's contact;
* `attach_button` is an "Attach…" button that opens a file dialog with ``open()`` (never
  ``exec()``) and awaits it.

A dropped (or pasted) folder stands for the files inside it (``snx_desktop.dnd``: recursive,
hidden items and symlinked folders left out, stable order, each file attached under its own
name). Missing, unreadable and remote items are refused with a message naming them
(``message`` signal and ``snx_desktop.messages.warning``); the files among them still go.
Empty and too-large files are refused by the manager and show in the upload list with why.
A drop over the limits of one drop (``Attacher.limits``: by default 100 files and 250 MB
together) attaches nothing and says so, naming the folders and the count or size.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QObject, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QPushButton, QWidget

from snx_desktop import messages
from snx_desktop.dnd import FileDrop, has_local_files, parse_files, parse_paths
from snx_desktop.services.documents import DEFAULT_BATCH_LIMITS, BatchLimits
from snx_desktop.services.uploads import UploadJob, UploadManager
from snx_desktop.ui.documents.droptarget import DropContact, FileDropTarget, batch_problem

__all__ = ["Attacher", "ContactGetter", "choose_files", "current_row_contact"]

log = logging.getLogger(__name__)

ContactGetter = Callable[[], DropContact | tuple[str, str] | None]


def _contact(value: DropContact | tuple[str, str] | None) -> DropContact | None:
    if value is None:
        return None
    if isinstance(value, DropContact):
        return value if value.contact_id else None
    return DropContact(value[0], value[1]) if value[0] else None


async def choose_files(parent: QWidget | None, title: str = "Attach files") -> list[Path]:
    """A file dialog for several existing files, opened with ``open()`` and awaited."""
    dialog = QFileDialog(parent, title)
    dialog.setObjectName("attachDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        result = await done
        if result != QFileDialog.DialogCode.Accepted.value:
            return []
        return [Path(p) for p in dialog.selectedFiles()]
    finally:
        with contextlib.suppress(RuntimeError):  # the parent (and the dialog) may be gone
            dialog.close()
            dialog.deleteLater()


def current_row_contact(
    view: QAbstractItemView, contact_of: Callable[[QModelIndex], tuple[str, str] | None]
) -> ContactGetter:
    """The contact of ``view``'s current row (for a paste on a list)."""

    def current() -> tuple[str, str] | None:
        index = view.currentIndex()
        return contact_of(index) if index.isValid() else None

    return current


class _PasteFilter(QObject):
    """Ctrl+V on the pane (or a child that leaves the key unused) attaches copied files."""

    def __init__(self, attacher: Attacher, pane: QWidget, current: ContactGetter) -> None:
        super().__init__(pane)
        self._attacher = attacher
        self._current = current
        self._pane = pane

    def remove(self) -> None:
        self._pane.removeEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not event.matches(QKeySequence.StandardKey.Paste):
            return False
        mime = QGuiApplication.clipboard().mimeData()
        if not has_local_files(mime):
            return False
        contact = _contact(self._current())
        if contact is None:
            return False
        self._attacher.attach_mime(contact, mime)
        event.accept()
        return True


class Attacher(QObject):
    """Sends offered files to the `UploadManager`; refusals become messages."""

    #: a sentence for the user (folders refused, nothing to paste, no contact...)
    message = Signal(str)

    def __init__(self, manager: UploadManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        #: how much one drop, paste or "Attach…" may add (above it: nothing is attached)
        self.limits: BatchLimits = DEFAULT_BATCH_LIMITS
        self.targets: list[FileDropTarget] = []
        self._filters: list[_PasteFilter] = []
        self._choosing = False

    # ------------------------------------------------------------------ the ways in
    def too_much(self, drop: FileDrop) -> str:
        """Why ``drop`` is over ``limits`` (``""`` when it is not)."""
        return batch_problem(drop, self.limits, self.manager.max_bytes)

    def attach_drop(self, contact: DropContact, drop: FileDrop) -> list[UploadJob]:
        """Attach the files of a parsed drop or paste; report the items refused. Over the
        limits of one drop, nothing is attached."""
        too_much = self.too_much(drop)
        if too_much:
            zipped = ", or a zip of the folder" if drop.scans else ""
            who = contact.name or "the contact"
            self._say(
                f"Nothing was attached to {who}: {too_much}. Attach fewer files at a time{zipped}."
            )
            return []
        notes = drop.problems()
        jobs: list[UploadJob] = []
        if drop.files:
            jobs = self.manager.add(
                contact.contact_id,
                [f.path for f in drop.files],
                contact_name=contact.name,
                origin=self,
            )
            notes += [j.error for j in jobs if j.finished and j.error]
            going = sum(1 for j in jobs if not (j.finished and j.error))
            if notes and going:  # one message: what was refused, and that the rest go
                notes.append(
                    "The other file is being attached."
                    if going == 1
                    else f"The other {going} files are being attached."
                )
        elif not notes:
            notes.append("There are no files to attach.")
        if notes:
            self._say(" ".join(notes))
        return jobs

    def attach_paths(
        self, contact: DropContact | tuple[str, str], paths: Iterable[Path | str]
    ) -> list[UploadJob]:
        target = _contact(contact)
        if target is None:
            self._say("Open a contact first, then attach files to it.")
            return []
        return self.attach_drop(target, parse_paths([Path(p) for p in paths]))

    def attach_mime(
        self, contact: DropContact | tuple[str, str], mime: QMimeData | None
    ) -> list[UploadJob]:
        target = _contact(contact)
        if target is None:
            self._say("Open a contact first, then attach files to it.")
            return []
        if not has_local_files(mime):
            self._say("Only files can be attached here.")
            return []
        return self.attach_drop(target, parse_files(mime))

    def paste(self, contact: DropContact | tuple[str, str] | None) -> list[UploadJob]:
        """Attach the files on the clipboard (the menu's "Paste files" action)."""
        target = _contact(contact)
        if target is None:
            self._say("Open a contact first, then attach files to it.")
            return []
        mime = QGuiApplication.clipboard().mimeData()
        if not has_local_files(mime):
            self._say("The clipboard holds no files to attach.")
            return []
        return self.attach_mime(target, mime)

    async def choose_and_attach(
        self, parent: QWidget | None, contact: DropContact | tuple[str, str] | None
    ) -> list[UploadJob]:
        """The "Attach…" button: pick files in a dialog, then attach them."""
        target = _contact(contact)
        if target is None:
            self._say("Open a contact first, then attach files to it.")
            return []
        if self._choosing:
            return []
        self._choosing = True
        try:
            who = target.name or "the contact"
            paths = await choose_files(parent, f"Attach files to {who}")
        finally:
            self._choosing = False
        if not paths:
            return []
        return self.attach_paths(target, paths)

    # ------------------------------------------------------------------ installing
    def install_on_pane(self, pane: QWidget, current: ContactGetter) -> FileDropTarget:
        """The whole ``pane`` takes drops and pastes of files for ``current()``'s contact."""
        target = FileDropTarget.for_pane(pane, current)
        target.batch_check = self.too_much
        target.filesDropped.connect(self.attach_drop)
        self.install_paste(pane, current)
        self.targets.append(target)
        return target

    def install_paste(self, widget: QWidget, current: ContactGetter) -> None:
        """Ctrl+V on ``widget`` (or a child that leaves the key unused) attaches the copied
        files to ``current()``'s contact; other clipboard content is left alone."""
        paste_filter = _PasteFilter(self, widget, current)
        self._filters.append(paste_filter)
        widget.installEventFilter(paste_filter)

    def uninstall(self) -> None:
        """Take every drop zone and paste key installed by this attacher away again."""
        for target in self.targets:
            target.remove()
            target.deleteLater()
        self.targets.clear()
        for paste_filter in self._filters:
            paste_filter.remove()
            paste_filter.deleteLater()
        self._filters.clear()

    def install_on_view(
        self,
        view: QAbstractItemView,
        contact_of: Callable[[QModelIndex], tuple[str, str] | None],
    ) -> FileDropTarget:
        """Each row of ``view`` takes drops for its own contact (see ``record_contact``)."""
        target = FileDropTarget.for_view(view, contact_of)
        target.batch_check = self.too_much
        target.filesDropped.connect(self.attach_drop)
        self.install_paste(view, current_row_contact(view, contact_of))
        self.targets.append(target)
        return target

    def attach_button(self, parent: QWidget, current: ContactGetter) -> QPushButton:
        """An "Attach…" button for the contact ``current()`` returns."""
        button = QPushButton("Attach…", parent)
        button.setObjectName("attachButton")
        button.setAccessibleName("Attach files")
        button.setToolTip("Attach files to this contact (or drop them anywhere on it)")
        button.clicked.connect(lambda: self._spawn(self.choose_and_attach(parent, current())))
        return button

    # ------------------------------------------------------------------ helpers
    def _spawn(self, coro: Coroutine[object, None, object]) -> None:
        task = asyncio.ensure_future(coro)
        task.add_done_callback(_log_failure)

    def _say(self, text: str) -> None:
        messages.warning(text)
        self.message.emit(text)


def _log_failure(task: asyncio.Future[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("attaching files failed", exc_info=task.exception())
