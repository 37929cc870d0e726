"""Where a record keeps its id: the services' `ID_KEY`, and the key of each kind in the wire
answers. A module of its own (no imports) so that reading records from the store at start
need not load the rest of the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ID_KEY", "WIRE_ID_KEYS", "Record", "with_id"]

ID_KEY = "id"

Record = dict[str, str]

# kind -> the key a record of that kind carries its own id under, in the wire answers
WIRE_ID_KEYS: dict[str, str] = {
    "contact": "contact-id",
    "group": "group-id",
    "activity": "activity-id",
    "sale": "sales-id",
    "note": "note-id",
    "document": "document-id",
    "campaign": "campaign-id",
}


def with_id(kind: str, record_id: str, record: Mapping[str, Any]) -> Record:
    """A cached record with its id keys set from the store's key (after remaps too)."""
    out = {str(k): ("" if v is None else str(v)) for k, v in record.items()}
    out[ID_KEY] = record_id
    wire_key = WIRE_ID_KEYS.get(kind)
    if wire_key and kind not in ("contact", "group", "sale"):
        out[wire_key] = record_id
    return out
