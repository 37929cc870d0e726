"""One coroutine per editing action, for the window's menu actions to run.

Each opens its dialog with ``open()``, awaits it (`run_dialog`), and returns what the dialog
queued (a `Change`, the conflict choices, the import report, the rows exported) or None when
the user cancelled. :class:`~snx_desktop.ui.features.WindowFeatures` runs them as tasks over
the signed-in account's services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QDialog, QWidget

from snx_desktop.ui.dialogs import run_dialog
from snx_desktop.ui.editing._dialogs import SubmitDialog
from snx_desktop.ui.editing.activitydialog import ActivityDialog, CompleteActivityDialog
from snx_desktop.ui.editing.conflictdialog import Choice, ConflictDialog
from snx_desktop.ui.editing.deletion import DeleteDialog
from snx_desktop.ui.editing.exportdialog import ExportDialog
from snx_desktop.ui.editing.importwizard import ImportWizard
from snx_desktop.ui.editing.notedialog import NoteDialog
from snx_desktop.ui.editing.pickers import AddToCampaignDialog, AddToGroupDialog, PickerDialog
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog
from snx_desktop.ui.editing.saledialog import SaleDialog

if TYPE_CHECKING:
    from snx_desktop.api.activityfields import ActivityFields
    from snx_desktop.services import csvio
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Change

__all__ = [
    "add_note",
    "add_to_campaign",
    "add_to_group",
    "complete_activity",
    "delete_records",
    "edit_activity",
    "export_csv",
    "import_csv",
    "new_activity",
    "new_record",
    "new_sale",
    "resolve_conflict",
    "run_and_collect",
]

R = TypeVar("R")


async def run_and_collect(dialog: SubmitDialog[R]) -> R | None:
    """Run ``dialog``; its ``result_value`` when accepted, else None. The dialog is deleted."""
    try:
        if isinstance(dialog, PickerDialog):
            dialog.start_loading()
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        return dialog.result_value if accepted else None
    finally:
        dialog.deleteLater()


async def new_record(parent: QWidget | None, services: AccountServices, kind: str) -> Change | None:
    """Ctrl+N on the contact or group list."""
    return await run_and_collect(NewRecordDialog(services, kind, parent))


async def delete_records(
    parent: QWidget | None, services: AccountServices, kind: str, ids: Sequence[str]
) -> Change | None:
    """Delete on the contact or group list (names what goes with the records)."""
    if not ids:
        return None
    return await run_and_collect(DeleteDialog(services, kind, ids, parent))


async def add_note(
    parent: QWidget | None, services: AccountServices, kind: str, record_id: str
) -> Change | None:
    return await run_and_collect(NoteDialog(services, kind, record_id, parent))


async def new_activity(
    parent: QWidget | None,
    services: AccountServices,
    *,
    contact_id: str = "",
    group_id: str = "",
    prefill: ActivityFields | Mapping[str, str] | None = None,
) -> Change | None:
    return await run_and_collect(
        ActivityDialog(services, parent, contact_id=contact_id, group_id=group_id, prefill=prefill)
    )


async def edit_activity(
    parent: QWidget | None, services: AccountServices, activity: Mapping[str, str]
) -> Change | None:
    return await run_and_collect(ActivityDialog(services, parent, activity=activity))


async def complete_activity(
    parent: QWidget | None, services: AccountServices, activity: Mapping[str, str]
) -> tuple[Change | None, Change | None]:
    """Complete with a result; with "schedule next" a prefilled new activity follows.

    Returns (completion change, follow-up change) — either may be None.
    """
    dialog = CompleteActivityDialog(services, activity, parent)
    try:
        accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        done = dialog.result_value if accepted else None
        follow = accepted and dialog.schedule_next
        prefill = dialog.next_prefill()
    finally:
        dialog.deleteLater()
    if not follow:
        return done, None
    nxt = await new_activity(
        parent,
        services,
        contact_id=str(activity.get("schedule-with", "") or ""),
        group_id=str(activity.get("group-id", "") or ""),
        prefill=prefill,
    )
    return done, nxt


async def new_sale(
    parent: QWidget | None, services: AccountServices, contact_id: str
) -> Change | None:
    return await run_and_collect(SaleDialog(services, contact_id, parent))


async def add_to_group(
    parent: QWidget | None, services: AccountServices, contact_ids: Sequence[str]
) -> Change | None:
    if not contact_ids:
        return None
    return await run_and_collect(AddToGroupDialog(services, contact_ids, parent))


async def add_to_campaign(
    parent: QWidget | None, services: AccountServices, contact_ids: Sequence[str]
) -> Change | None:
    if not contact_ids:
        return None
    return await run_and_collect(AddToCampaignDialog(services, contact_ids, parent))


async def resolve_conflict(
    parent: QWidget | None, services: AccountServices, op_id: int
) -> dict[str, Choice] | None:
    conflict = next((c for c in services.writes.conflicts() if c.op_id == op_id), None)
    if conflict is None:
        return None
    return await run_and_collect(ConflictDialog(services, conflict, parent))


async def import_csv(
    parent: QWidget | None, services: AccountServices
) -> csvio.ImportReport | None:
    wizard = ImportWizard(services, parent)
    try:
        await run_dialog(wizard)
        return wizard.report
    finally:
        wizard.deleteLater()


async def export_csv(
    parent: QWidget | None, services: AccountServices, kind: str, filter_value: str = ""
) -> int | None:
    return await run_and_collect(ExportDialog(services, kind, filter_value, parent))
