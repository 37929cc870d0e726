"""Every view showing a record follows each change to it, without F5.

The services announce every write and refresh as one :class:`~snx_desktop.services.types.
Change` (a local edit, the server's answer, a replayed write, a resolved conflict, a
refreshed page): its kind, its ids, whether records were removed (``action`` "deleted") and
which temporary ids the server replaced (``id_map``). :class:`LiveViews` applies each one to
the window's lists and the detail pane: the rows showing those records are read again from
the offline store and redrawn in place (selection and scroll position stay), removed
records' rows go, new records appear at the top of their list where that list would show them
(a search typed over the list must find them; the Activities list is the signed-in rep's
calendar, so an activity scheduled for someone else stays out), and the open record's tabs,
header and tab counts follow. The agenda and the Pending changes panel listen to the same
changes themselves. :func:`show_created` selects a record just created from a dialog in its
list and opens it in the detail pane.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change
    from snx_desktop.ui.mainwindow import MainWindow

__all__ = ["LiveViews", "show_created"]

log = logging.getLogger(__name__)

Records = Mapping[str, Mapping[str, object]]
#: actions after which a list is read again from the start (many records at once)
RELOAD_ACTIONS = ("imported", "rebuilt")


class LiveViews:
    """Applies each change of ``services`` to the lists and the detail pane of ``window``."""

    def __init__(self, window: MainWindow, services: AccountServices) -> None:
        self.window = window
        self.services = services

    def read(self, kind: str, ids: Iterable[str]) -> Records:
        """The records ``ids`` of ``kind`` as the offline store holds them now."""
        from snx_desktop.services.browse import with_id

        cache = self.services.store.cache
        wanted = [cache.resolve_id(i) for i in ids if i]
        if not wanted:
            return {}
        try:
            found = cache.get_records(kind, wanted)
        except Exception:
            log.exception("reading changed %s records failed", kind)
            return {}
        return {rid: with_id(kind, rid, c.value) for rid, c in found.items()}

    def apply(self, change: Change) -> None:
        """Show what ``change`` changed wherever it is shown."""
        kind, action = change.kind, change.action
        lists = self.window.list_pane.models
        model = lists.get(kind)
        if change.id_map:
            for each in lists.values():
                each.remap_ids(change.id_map)
        if action in RELOAD_ACTIONS:
            if model is not None:
                model.reset()
            return
        if action == "deleted":
            if model is not None:
                model.remove_ids(change.ids)
            return
        ids = [change.id_map.get(i, i) for i in change.ids] + list(change.id_map.values())
        records = self.read(kind, ids)
        if not records:
            return
        if model is not None:
            model.update_records(records)
            if action == "created":
                model.insert_first(
                    r for rid, r in records.items() if model.row_of(rid) < 0 and self.shows(kind, r)
                )
        self.window.detail.update_rows(kind, records)

    def shows(self, kind: str, record: Mapping[str, object]) -> bool:
        """Whether the ``kind`` list, as it is now (its search, whose calendar), would list
        ``record``: every word searched is somewhere in its values or the names it links to."""
        lp = self.window.list_pane
        if kind == "activity":
            schema = self.services.schema.current
            me = (schema.me if schema is not None else None) or ""
            owner = str(record.get("schedule-for", "") or "")
            if me and owner and owner.strip().lower() != me.strip().lower():
                return False
        words = lp.search_text(kind).lower().split()
        if not words:
            return True
        values = [str(v or "") for v in record.values()]
        names = [lp.lookups.name_for(v) for v in values if v]
        if kind == "activity":  # the contact it is with, as the server searches it
            names.append(
                lp.lookups.name_for(str(record.get("schedule-with", "") or ""), resolve=True)
            )
        blob = " ".join(values + names).lower()
        return all(word in blob for word in words)


def show_created(window: MainWindow, change: Change | None) -> bool:
    """A record just created from a dialog: selected in its list (where the list shows it)
    and opened in the detail pane. True when it was opened."""
    from PySide6.QtCore import QItemSelectionModel

    if change is None or change.action != "created" or not change.ids:
        return False
    kind, rid = change.kind, change.ids[0]
    lp = window.list_pane
    model = lp.models.get(kind)
    record = None
    if model is not None and (row := model.row_of(rid)) >= 0:
        record = model.record(row)
        index = lp.proxies[kind].mapFromSource(model.index(row, 0))
        view = lp.views[kind]
        view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        view.scrollTo(index)
    if window.detail.kind != kind or window.detail.record_id != rid:
        row_values = {k: str(v) for k, v in (record or {}).items()}
        window.detail.open_record(kind, rid, row_values)
    return True
