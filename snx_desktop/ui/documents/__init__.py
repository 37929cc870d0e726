"""Documents on a contact: drop zones, paste and Attach…, the upload list, the Documents tab.

Per signed-in session the window makes one `UploadManager` (``snx_desktop.services.uploads``)
and one `Attacher` over it (:class:`~snx_desktop.ui.features.WindowFeatures`); the detail
pane installs the attacher on itself (``attacher.install_on_pane(pane, current_contact)``)
and shows an `UploadListWidget` and, in the contact's Documents tab, a `DocumentsWidget`; the
list pane installs it on the contact list
(``attacher.install_on_view(contact_list, record_contact(name_of))``).
"""

from __future__ import annotations

from snx_desktop.ui.documents.attach import Attacher, ContactGetter, choose_files
from snx_desktop.ui.documents.documentstab import (
    DocumentsWidget,
    choose_save_path,
    documents_columns,
)
from snx_desktop.ui.documents.droptarget import (
    DropContact,
    DropOverlay,
    FileDropTarget,
    drop_summary,
    pane_resolver,
    record_contact,
    view_row_resolver,
)
from snx_desktop.ui.documents.uploadlist import UploadListWidget, UploadRow

__all__ = [
    "Attacher",
    "ContactGetter",
    "DocumentsWidget",
    "DropContact",
    "DropOverlay",
    "FileDropTarget",
    "UploadListWidget",
    "UploadRow",
    "choose_files",
    "choose_save_path",
    "documents_columns",
    "drop_summary",
    "pane_resolver",
    "record_contact",
    "view_row_resolver",
]
