"""Glue between the wire client's typed results and the services' plain records.

The services keep records as ``dict[str, str]`` with the record's id under `ID_KEY`; this module
turns the client's results into that shape and sorts the client's errors into what the write
queue and the connection state need to know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from snx_desktop.api.errors import (
    InvalidLoginError,
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    PermissionDeniedError,
    SalesNexusError,
    SessionExpiredError,
)
from snx_desktop.api.values import as_text

from .ids import WIRE_ID_KEYS as WIRE_ID_KEYS
from .ids import with_id as with_id
from .types import ID_KEY, Record

ErrorClass = Literal["offline", "transient", "expired", "unknown", "permanent"]


def classify(exc: BaseException) -> ErrorClass:
    """What an error from the client means for a queued write."""
    if isinstance(exc, OutcomeUnknownError):
        return "unknown"
    if isinstance(exc, SessionExpiredError):
        return "expired"
    if isinstance(exc, InvalidLoginError):
        return "expired"
    if isinstance(exc, SalesNexusError):
        if exc.offline:
            return "offline"
        if isinstance(
            exc,
            InvalidParameterError | NotFoundError | PermissionDeniedError | PayloadTooLargeError,
        ):
            return "permanent"
        if exc.retryable:
            return "transient"
        return "permanent"
    if isinstance(exc, OSError | TimeoutError):
        return "offline"
    return "permanent"


def is_offline_error(exc: BaseException) -> bool:
    return classify(exc) == "offline" or (
        isinstance(exc, OutcomeUnknownError) and bool(exc.offline)
    )


def text_map(raw: Mapping[str, Any]) -> Record:
    return {str(k): as_text(v) for k, v in raw.items()}


def field_record(record_id: str, field_data: Mapping[str, Any]) -> Record:
    """A contact, group or sale: field id -> text, plus the id under `ID_KEY`."""
    out = {str(k): as_text(v) for k, v in field_data.items()}
    out[ID_KEY] = record_id
    return out


def keyed_record(kind: str, record_id: str, raw: Mapping[str, Any]) -> Record:
    """An activity, note, document or campaign: the contract's keys as text, plus `ID_KEY`."""
    out = text_map(raw)
    out[WIRE_ID_KEYS[kind]] = record_id
    out[ID_KEY] = record_id
    return out


def item_record(kind: str, item: Any) -> Record:
    """Any typed result item of the client (Contact, Group, SalesOpp, Activity, Note, ...)."""
    if kind == "contact":
        return field_record(item.contact_id, item.field_data)
    if kind == "group":
        return field_record(item.group_id, item.field_data)
    if kind == "sale":
        return field_record(item.sales_id, item.field_data)
    if kind == "activity":
        return keyed_record(kind, item.activity_id, item.raw)
    if kind == "note":
        return keyed_record(kind, item.note_id, item.raw)
    if kind == "document":
        return keyed_record(kind, item.document_id, item.raw)
    if kind == "campaign":
        return keyed_record(kind, item.campaign_id, item.raw)
    raise ValueError(f"unknown kind {kind}")


def records_of(kind: str, items: Iterable[Any]) -> list[Record]:
    return [item_record(kind, i) for i in items]


def strip_id(record: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in record.items() if k != ID_KEY}
