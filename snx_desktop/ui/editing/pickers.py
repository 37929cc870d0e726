"""A searchable pick-one dialog and its two uses: "Add to group…" and "Add to campaign…".

`PickerDialog` shows a search field above a list; typing filters (debounced), the list is
filled by the subclass's `load` coroutine. `AddToGroupDialog` lists groups (the server's
filter online, the local cache offline) and queues ``add_contacts_to_group``;
`AddToCampaignDialog` lists campaigns and queues ``add_to_campaign``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from snx_desktop.ui.editing._dialogs import SubmitDialog

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = ["AddToCampaignDialog", "AddToGroupDialog", "PickerDialog"]

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class PickerDialog(SubmitDialog["Change"]):
    """Search + list; ``selected_id()`` is the chosen item's id."""

    def __init__(
        self, title: str, name: str, what: str, parent: QWidget | None = None, ok_text: str = "OK"
    ) -> None:
        super().__init__(title, name, parent, ok_text=ok_text)
        self.what = what
        self.intro = QLabel(self)
        self.intro.setObjectName("pickerIntro")
        self.intro.setWordWrap(True)
        self.body.addWidget(self.intro)
        self.search = QLineEdit(self)
        self.search.setObjectName("pickerSearch")
        self.search.setAccessibleName(f"Search {what}s")
        self.search.setPlaceholderText(f"Search {what}s…")
        self.search.setClearButtonEnabled(True)
        self.body.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName("pickerList")
        self.list.setAccessibleName(f"{what.capitalize()}s")
        self.body.addWidget(self.list, 1)
        self.status = QLabel(self)
        self.status.setObjectName("pickerStatus")
        self.status.setEnabled(False)
        self.body.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self._load_task: asyncio.Future[None] | None = None
        self.resize(420, 460)

    # -- loading -------------------------------------------------------------------------------
    async def items(self, text: str) -> list[tuple[str, str]]:
        """(id, label) pairs matching ``text``."""
        return []

    def _reload(self) -> None:
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()
        self._load_task = asyncio.ensure_future(self.load(self.search.text()))

    def start_loading(self) -> None:
        """Load the first list (call once the dialog is about to be shown)."""
        self._reload()

    async def load(self, text: str) -> None:
        self.status.setText("Loading…")
        try:
            found = await self.items(text)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("%s list not loaded: %s", self.what, type(exc).__name__)
            self.status.setText(str(exc) or f"The {self.what}s could not be loaded.")
            return
        current = self.selected_id()
        self.list.clear()
        for item_id, label in found:
            item = QListWidgetItem(label or "(no name)", self.list)
            item.setData(ID_ROLE, item_id)
            if item_id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count() == 1:
            self.list.setCurrentRow(0)
        self.status.setText(_count(len(found), self.what) if found else f"No {self.what}s found.")

    async def wait_loaded(self) -> None:
        task = self._load_task
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    # -- choice --------------------------------------------------------------------------------
    def selected_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(ID_ROLE)) if item is not None else ""

    def select_id(self, item_id: str) -> bool:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == item_id:
                self.list.setCurrentItem(item)
                return True
        return False

    def validate(self) -> bool:
        if not self.selected_id():
            self.show_error(f"Choose a {self.what} first.")
            return False
        return True


class AddToGroupDialog(PickerDialog):
    """Add the selected contacts to the chosen group."""

    def __init__(
        self, services: AccountServices, contact_ids: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Add to group", "addToGroupDialog", "group", parent, "&Add")
        self.services = services
        self.contact_ids = list(contact_ids)
        self.intro.setText(f"Add {_count(len(self.contact_ids), 'contact')} to this group:")

    async def items(self, text: str) -> list[tuple[str, str]]:
        schema = self.services.schema.current
        name_field = schema.role("Group", "name") if schema is not None else None
        page = await self.services.browse.fetch_page("group", text.strip(), 0, 200)
        return [(r["id"], str(r.get(name_field or "", "") or r["id"])) for r in page.records]

    async def submit(self) -> Change:
        return await self.services.writes.add_contacts_to_group(
            self.selected_id(), self.contact_ids, origin=self
        )


class AddToCampaignDialog(PickerDialog):
    """Add the selected contacts to the chosen campaign."""

    def __init__(
        self, services: AccountServices, contact_ids: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__("Add to campaign", "addToCampaignDialog", "campaign", parent, "&Add")
        self.services = services
        self.contact_ids = list(contact_ids)
        self.intro.setText(f"Add {_count(len(self.contact_ids), 'contact')} to this campaign:")

    async def items(self, text: str) -> list[tuple[str, str]]:
        campaigns = await self.services.browse.list_campaigns()
        needle = text.strip().casefold()
        out = []
        for c in campaigns:
            name = str(c.get("name", ""))
            if needle and needle not in name.casefold():
                continue
            members = c.get("member-count")
            label = f"{name} ({members} members)" if members not in (None, "") else name
            out.append((str(c.get("id") or c.get("campaign-id")), label))
        return out

    async def submit(self) -> Change:
        return await self.services.writes.add_to_campaign(
            self.selected_id(), self.contact_ids, origin=self
        )
