"""The document calls: listing a contact's documents and uploading one."""

from __future__ import annotations

import os

from .. import _wire
from ..results import (
    Created,
    Document,
    RecordList,
)
from ..upload import BinarySource, ProgressCallback
from .base import CallsBase, lister


class DocumentCalls(CallsBase):
    """The document calls: listing a contact's documents and uploading one."""

    async def get_docs_for_contact(self, contact_id: str) -> RecordList[Document]:
        return await self._call(
            "get-docs-for-contact",
            _wire.params(contact_id=contact_id),
            lister("document", Document.parse),
        )

    async def add_doc_to_contact(
        self,
        contact_id: str,
        file_name: str,
        source: str | os.PathLike[str] | BinarySource,
        *,
        progress: ProgressCallback | None = None,
        size: int | None = None,
    ) -> Created:
        """Upload a file (path or binary stream) in a request of its own, base64 streamed.

        ``progress(sent, total)`` counts file bytes. Cancel the awaiting task to stop.
        """
        return await self._upload(
            "add-doc-to-contact",
            _wire.params(contact_id=contact_id, file_name=file_name),
            Created.parser("document-id"),
            source,
            size,
            progress,
        )
