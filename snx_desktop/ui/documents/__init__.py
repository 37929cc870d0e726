"""Documents on a contact: drop zones, paste and Attach…, the upload list, the Documents tab.

Wiring (see /work/notes/documents-notes.md): make one `UploadManager` and one `DocumentFiles`
per signed-in session (``snx_desktop.services.uploads``), one `Attacher` over the manager,
then ``attacher.install_on_pane(detail_pane, current_contact)`` and
``attacher.install_on_view(contact_list, record_contact(name_of))``, and show an
`UploadListWidget` and a `DocumentsWidget` where they belong.
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
