"""The editing side of the window: every write a rep can make, as dialogs and panes.

Each feature is its own module; all writes go through the services' `WriteQueue`, so they
work offline too. `commands` has one coroutine per action; the window's menu actions and
their shortcuts run them (:class:`~snx_desktop.ui.features.WindowFeatures`), and the panes
build the editing widgets they show (``ListPane.bind_agenda``,
``DetailPane.bind_fields_editors``, …).
"""

from snx_desktop.ui.editing.activitydialog import ActivityDialog, CompleteActivityDialog
from snx_desktop.ui.editing.agenda import AgendaView, ReminderNotifier
from snx_desktop.ui.editing.colourpicker import ColourPicker
from snx_desktop.ui.editing.conflictdialog import ConflictDialog
from snx_desktop.ui.editing.deletion import DeleteDialog
from snx_desktop.ui.editing.exportdialog import ExportDialog
from snx_desktop.ui.editing.fieldseditor import FieldsEditor
from snx_desktop.ui.editing.importwizard import ImportWizard
from snx_desktop.ui.editing.membership import (
    CONTACT_IDS_MIME,
    ContactDragSource,
    GroupDropTarget,
    add_dropped_contacts,
    decode_contact_ids,
    encode_contact_ids,
)
from snx_desktop.ui.editing.notedialog import NoteDialog
from snx_desktop.ui.editing.pendingpanel import PendingPanel
from snx_desktop.ui.editing.pickers import AddToCampaignDialog, AddToGroupDialog
from snx_desktop.ui.editing.recorddialogs import NewRecordDialog
from snx_desktop.ui.editing.recordform import RecordForm
from snx_desktop.ui.editing.saledialog import SaleDialog

__all__ = [
    "CONTACT_IDS_MIME",
    "ActivityDialog",
    "AddToCampaignDialog",
    "AddToGroupDialog",
    "AgendaView",
    "ColourPicker",
    "CompleteActivityDialog",
    "ConflictDialog",
    "ContactDragSource",
    "DeleteDialog",
    "ExportDialog",
    "FieldsEditor",
    "GroupDropTarget",
    "ImportWizard",
    "NewRecordDialog",
    "NoteDialog",
    "PendingPanel",
    "RecordForm",
    "ReminderNotifier",
    "SaleDialog",
    "add_dropped_contacts",
    "decode_contact_ids",
    "encode_contact_ids",
]
