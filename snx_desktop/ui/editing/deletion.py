"""Delete confirmations that say what goes with the records, and the delete itself.

Deleting a contact deletes its notes, sales, activities and documents; deleting a group
deletes the group's own notes, sales and activities, while those assigned to a contact stay
(the API reference's cascade). `describe_deletion` builds that sentence from the cached
details (with counts where the cache has them); `DeleteDialog` shows it and, on confirm,
queues ``delete_contacts`` / ``delete_groups``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QWidget

from snx_desktop.ui.editing._dialogs import SubmitDialog

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.schema import Schema
    from snx_desktop.services.types import Change, DetailKind

__all__ = ["DeleteDialog", "DeletionSummary", "describe_deletion", "summarise_deletion"]


class DeletionSummary:
    """Names and counts of what a delete removes (counts None where the cache cannot tell)."""

    def __init__(self, kind: str, names: list[str]) -> None:
        self.kind = kind
        self.names = names
        self.counts: dict[str, int | None] = {}

    def add(self, what: str, n: int | None) -> None:
        have = self.counts.get(what, 0)
        self.counts[what] = None if n is None or have is None else have + n


_LABELS = {
    "note": ("note", "notes"),
    "sale": ("sales opportunity", "sales opportunities"),
    "activity": ("activity", "activities"),
    "document": ("document", "documents"),
}


def _name(schema: Schema | None, table: str, fields: Mapping[str, str]) -> str:
    if schema is not None:
        for role in ("name", "company", "email"):
            fid = schema.role(table, role)
            if fid and str(fields.get(fid, "")).strip():
                return str(fields[fid]).strip()
        if table == "Contact":
            first = schema.role(table, "first-name")
            last = schema.role(table, "last-name")
            both = " ".join(str(fields.get(f, "")).strip() for f in (first, last) if f).strip()
            if both:
                return both
    return "(no name)"


def summarise_deletion(services: AccountServices, kind: str, ids: Sequence[str]) -> DeletionSummary:
    """What deleting ``ids`` (contacts, or else groups) takes with it, from the cached details."""
    detail_kind: DetailKind = "contact" if kind == "contact" else "group"
    schema = services.schema.current
    table = "Contact" if kind == "contact" else "Group"
    summary = DeletionSummary(kind, [])
    sale_contact = schema.role("Sales", "contact-id") if schema is not None else None
    for rid in ids:
        detail = services.browse.cached_detail(detail_kind, rid)
        if detail is None:
            summary.names.append("(not loaded)")
            for what in ("note", "sale", "activity") + (("document",) if kind == "contact" else ()):
                summary.add(what, None)
            continue
        summary.names.append(_name(schema, table, detail.fields))
        partial = detail.partial
        if kind == "contact":
            summary.add("note", None if partial else len(detail.notes))
            summary.add("sale", None if partial else len(detail.sales))
            summary.add("document", None if partial else len(detail.documents))
            summary.add("activity", len(detail.activities) if detail.activities_complete else None)
        else:
            own_notes = [n for n in detail.notes if not n.get("contact-id")]
            own_sales = [s for s in detail.sales if not (sale_contact and s.get(sale_contact))]
            own_acts = [a for a in detail.activities if not a.get("schedule-with")]
            summary.add("note", None if partial else len(own_notes))
            summary.add("sale", None if partial else len(own_sales))
            summary.add("activity", None if partial else len(own_acts))
    return summary


def describe_deletion(summary: DeletionSummary) -> str:
    """The confirmation text: which records, and what is deleted or kept with them."""
    n = len(summary.names)
    noun = summary.kind if n == 1 else f"{summary.kind}s"
    shown = ", ".join(f"“{x}”" for x in summary.names[:5])
    if n > 5:
        shown += f" and {n - 5} more"
    head = f"Delete {n} {noun}: {shown}?" if n > 1 else f"Delete the {noun} {shown}?"
    whose = "its" if n == 1 else "their"
    if summary.kind == "contact":
        body = f"This also deletes {whose} notes, sales, activities and documents"
    else:
        body = (
            f"This also deletes {whose} own notes, sales and activities; notes, sales and "
            "activities assigned to a contact are kept (they lose the group link), and the "
            "member contacts are not deleted"
        )
    known = [
        f"{c} {_LABELS[w][0] if c == 1 else _LABELS[w][1]}" for w, c in summary.counts.items() if c
    ]
    unknown = any(c is None for c in summary.counts.values())
    if known:
        body += (" (at least " if unknown else " (") + ", ".join(known) + ")"
    elif not unknown:
        body += " (there are none)"
    return f"{head}\n\n{body}. This cannot be undone once it has been sent."


class DeleteDialog(SubmitDialog["Change"]):
    """Confirm, then queue the delete; ``result_value`` is the `Change`."""

    def __init__(
        self,
        services: AccountServices,
        kind: str,
        ids: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        title = "Delete contacts" if kind == "contact" else "Delete groups"
        super().__init__(title, "deleteDialog", parent, ok_text="&Delete")
        self.services = services
        self.kind = kind
        self.ids = list(ids)
        self.summary = summarise_deletion(services, kind, self.ids)
        self.message = QLabel(describe_deletion(self.summary), self)
        self.message.setObjectName("deleteMessage")
        self.message.setAccessibleName("What will be deleted")
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()
        self.ok_button.setAutoDefault(False)

    async def submit(self) -> Change:
        writes = self.services.writes
        if self.kind == "contact":
            return await writes.delete_contacts(self.ids, origin=self)
        return await writes.delete_groups(self.ids, origin=self)
