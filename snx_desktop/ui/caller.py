"""Caller lookup in the window: ``--call NUMBER`` and ``tel:`` links open the caller's contact.

:class:`CallHandler` reads the number (:mod:`snx_desktop.services.calls`) with the default
region of the ``calls/region`` setting, else the locale's territory, and then: one contact
with that number opens; several are listed to pick from (:class:`CallerPicker`); none offers a
new contact with the number, or the number added to an existing contact
(:class:`NoMatchDialog`, :class:`AddNumberDialog`); text that is no phone number is said so in
the message bar and changes nothing. Numbers that come before sign-in wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from snx_desktop.store.phones import CALLER_ROLE
from snx_desktop.ui.editing._dialogs import SubmitDialog

if TYPE_CHECKING:
    from snx_desktop.services.calls import CallerMatch
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = [
    "REGION_SETTING",
    "AddNumberDialog",
    "CallHandler",
    "CallerPicker",
    "NoMatchDialog",
    "region_for",
]

log = logging.getLogger(__name__)

REGION_SETTING = "calls/region"
_ID = Qt.ItemDataRole.UserRole


def region_for(settings: QSettings) -> str:
    """The region of numbers written without ``+``: the setting, else the locale's."""
    saved = str(settings.value(REGION_SETTING, "") or "").strip()
    if saved:
        return saved
    return str(QLocale.territoryToCode(QLocale().territory()))  # "" (no territory): US


def _phone_fields(services: AccountServices) -> list[tuple[str, str]]:
    """The contact fields that hold phone numbers, as (field id, label)."""
    schema = services.schema.current
    if schema is None:
        return []
    fields = schema.search_roles("Contact").get(CALLER_ROLE, [])
    return [(fid, schema.label(fid)) for fid in fields]


class CallerPicker(QDialog):
    """Several contacts have the number: pick the one calling (non-modal)."""

    chosen = Signal(str)

    def __init__(self, number: str, people: list[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("callerPicker")
        self.setWindowTitle("Who is calling?")
        self.setAccessibleName("Who is calling?")
        layout = QVBoxLayout(self)
        label = QLabel(f"{len(people)} contacts have the number {number}. Which one is it?")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.matches = QListWidget(self)
        self.matches.setObjectName("callerMatches")
        self.matches.setAccessibleName("Contacts with this number")
        for contact_id, name in people:
            item = QListWidgetItem(name or "(no name)")
            item.setData(_ID, contact_id)
            self.matches.addItem(item)
        self.matches.setCurrentRow(0)
        self.matches.itemActivated.connect(lambda _item: self.accept())
        layout.addWidget(self.matches)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.open_button = buttons.addButton("&Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setObjectName("openButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accept(self) -> None:
        item = self.matches.currentItem()
        if item is not None:
            self.chosen.emit(str(item.data(_ID)))
        super().accept()


class NoMatchDialog(QDialog):
    """No contact has the number: a new contact with it, or add it to an existing one."""

    NEW_CONTACT = 2
    ADD_TO_CONTACT = 3

    def __init__(self, number: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("callerNoMatch")
        self.setWindowTitle("Unknown caller")
        self.setAccessibleName("Unknown caller")
        layout = QVBoxLayout(self)
        label = QLabel(
            f"No contact has the number {number}. Create a new contact with it, "
            "or add it to a contact you already have?"
        )
        label.setObjectName("noMatchText")
        label.setWordWrap(True)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.new_button = QPushButton("&New contact…", self)
        self.new_button.setObjectName("newContactButton")
        self.add_button = QPushButton("&Add to a contact…", self)
        self.add_button.setObjectName("addToContactButton")
        for button in (self.new_button, self.add_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.new_button.clicked.connect(lambda: self.done(self.NEW_CONTACT))
        self.add_button.clicked.connect(lambda: self.done(self.ADD_TO_CONTACT))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class AddNumberDialog(SubmitDialog["Change"]):
    """Add a caller's number to an existing contact: find it by name, pick the field."""

    def __init__(self, services: AccountServices, number: str, parent: QWidget) -> None:
        super().__init__("Add the number to a contact", "addNumberDialog", parent, ok_text="&Add")
        self.services = services
        self.number = number
        self.search = QLineEdit(self)
        self.search.setObjectName("contactSearch")
        self.search.setPlaceholderText("Type a name…")
        self.search.setAccessibleName("Contact")
        self.search.textChanged.connect(self._find)
        self.matches = QListWidget(self)
        self.matches.setObjectName("contactMatches")
        self.matches.setAccessibleName("Contacts")
        self.field = QComboBox(self)
        self.field.setObjectName("phoneField")
        self.field.setAccessibleName("Field")
        for fid, label in _phone_fields(services):
            self.field.addItem(label, fid)
        self.body.addWidget(QLabel(f"Add {number} to:"))
        self.body.addWidget(self.search)
        self.body.addWidget(self.matches)
        self.body.addWidget(QLabel("as"))
        self.body.addWidget(self.field)

    def _find(self, text: str) -> None:
        self.matches.clear()
        for hit in self.services.store.search.search("contact", text, limit=20).hits:
            item = QListWidgetItem(self.services.browse.display_name(hit.record) or hit.record_id)
            item.setData(_ID, hit.record_id)
            self.matches.addItem(item)
        if self.matches.count():
            self.matches.setCurrentRow(0)

    def validate(self) -> bool:
        if self.matches.currentItem() is None:
            self.show_error("Find the contact first: type part of their name.")
            return False
        if not self.field.currentData():
            self.show_error("This account's contacts have no phone field.")
            return False
        return True

    async def submit(self) -> Change:
        item = self.matches.currentItem()
        contact_id = str(item.data(_ID))
        changes = {str(self.field.currentData()): self.number}
        return await self.services.writes.update_contact(contact_id, changes, origin=self)


class CallHandler(QObject):
    """Acts on caller numbers for the window; see the module's description."""

    handled = Signal(str, list)  # the number typed, the ids of the contacts it found

    def __init__(self, window: MainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._pending: list[str] = []
        self._services: Callable[[], AccountServices | None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def ready(self, services: Callable[[], AccountServices | None] | None = None) -> None:
        """Signed in: look numbers up in ``services()`` (the window's account services by
        default), and act on the numbers that came before."""
        self._services = services or (lambda: self.window.features.services)
        pending, self._pending = self._pending, []
        for argument in pending:
            self.handle(argument)

    def act_on(self, request: Mapping[str, object]) -> None:
        """What a second start handed over: the window to the front, and its numbers."""
        self.to_front()
        calls = request.get("calls")
        for argument in calls if isinstance(calls, list) else []:
            self.handle(str(argument))

    def handle(self, argument: str) -> None:
        """Look up a number (``--call``'s argument or a ``tel:`` link) and act on it."""
        services = self._services() if self._services is not None else None
        if services is None:  # not signed in (yet): when the account opens
            self._pending.append(argument)
            return
        waiting, self._pending = self._pending, []
        for number in [*waiting, argument]:
            task = asyncio.ensure_future(self._handle(services, number))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(self, services: AccountServices, argument: str) -> None:
        from snx_desktop.services.calls import CallerLookup, readable_number

        lookup = CallerLookup(services.store)
        await lookup.use_region(region_for(self.settings))
        match = lookup.find(argument)
        self.to_front()
        if match.number is None:
            log.info("call: not a phone number")
            self.window.show_message(
                "warning",
                f"“{match.typed}” is not a phone number this app can read; nothing was changed.",
            )
            self.handled.emit(match.typed, [])
            return
        number = readable_number(match.number)
        log.info("call: %d contact(s) with the number", len(match.contact_ids))
        if len(match.contact_ids) == 1:
            self.open_contact(match.contact_ids[0])
        elif match.contact_ids:
            self._pick(services, match, number)
        else:
            await self._no_match(services, number)
        self.handled.emit(match.typed, list(match.contact_ids))

    def open_contact(self, contact_id: str) -> None:
        log.info("call: opening contact %s", contact_id)
        self.window.navigation.select("contact")
        self.window.detail.open_record("contact", contact_id, None)

    def to_front(self) -> None:
        """Bring the window to the front (a second start, a call)."""
        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    def _pick(self, services: AccountServices, match: CallerMatch, number: str) -> None:
        cached = services.store.cache.get_records("contact", match.contact_ids)
        people = [
            (cid, services.browse.display_name(cached[cid].value) if cid in cached else "")
            for cid in match.contact_ids
        ]
        picker = CallerPicker(number, people, self.window)
        picker.chosen.connect(self.open_contact)
        picker.open()

    async def _no_match(self, services: AccountServices, number: str) -> None:
        from snx_desktop.ui.dialogs import run_dialog
        from snx_desktop.ui.editing.commands import run_and_collect
        from snx_desktop.ui.editing.recorddialogs import NewRecordDialog

        offer = NoMatchDialog(number, self.window)
        try:
            answer = await run_dialog(offer)
        finally:
            if isValid(offer):  # not when the window went first (quitting)
                offer.deleteLater()
        change: Change | None = None
        if answer == NoMatchDialog.NEW_CONTACT:
            fields = _phone_fields(services)
            initial = {fields[0][0]: number} if fields else {}
            dialog = NewRecordDialog(services, "contact", self.window, initial=initial)
            change = await run_and_collect(dialog)
        elif answer == NoMatchDialog.ADD_TO_CONTACT:
            change = await run_and_collect(AddNumberDialog(services, number, self.window))
        if change is not None and change.ids:
            self.open_contact(change.ids[0])
