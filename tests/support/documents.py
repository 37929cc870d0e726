"""The documents a contact has on the server, read back through the client (name -> bytes)."""

from __future__ import annotations

import io
from typing import Any


async def documents_on_server(client: Any, contact_id: str) -> dict[str, bytes]:
    """Every document of ``contact_id`` downloaded: file name -> its bytes."""
    out: dict[str, bytes] = {}
    for doc in (await client.get_docs_for_contact(contact_id)).items:
        buf = io.BytesIO()
        await client.download_document(doc.url, buf)
        out[doc.file_name] = buf.getvalue()
    return out
