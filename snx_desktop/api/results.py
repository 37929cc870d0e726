"""Typed results of call-v1 functions, parsed liberally from the server's answers.

Every result is a frozen dataclass that keeps the server's map in ``raw``. Parsing accepts
numbers or strings, ``"true"`` or ``true``, ``field-data`` as an object or a JSON string,
missing optional keys and extra keys. A result that lacks what it cannot do without (an id,
a list of the right shape) raises :class:`ResultShapeError`, which the client turns into a
:class:`~snx_desktop.api.errors.ProtocolError` for that call only.

Text values stay text as the server sent them (date-times too; see :func:`parse_datetime`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from .values import as_bool, as_int, as_text, format_datetime, parse_datetime

__all__ = [
    "Activity",
    "AddResult",
    "Campaign",
    "CompletedActivity",
    "Contact",
    "Created",
    "DeleteResult",
    "Document",
    "Echo",
    "FieldDef",
    "Greeting",
    "Group",
    "ImportFailure",
    "ImportResult",
    "Layout",
    "Note",
    "RecordList",
    "ResultShapeError",
    "SalesOpp",
    "UpdateResult",
    "User",
    "as_bool",
    "as_int",
    "as_text",
    "format_datetime",
    "parse_datetime",
]

T = TypeVar("T")


class ResultShapeError(ValueError):
    """A success answer that lacks what its result needs."""


def _text_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        value = decoded
    if isinstance(value, list | tuple):
        return [as_text(v) for v in value]
    raise ResultShapeError("expected a list")


def _mapping(value: Any) -> dict[str, Any]:
    """An object, or a JSON string holding one; ``""``/``None`` are empty."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ResultShapeError("expected an object or a JSON string of one") from exc
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    raise ResultShapeError("expected an object")


def _field_map(value: Any, *, drop: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: as_text(v) for k, v in _mapping(value).items() if k not in drop}


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    value = as_text(raw.get(key)).strip()
    if not value:
        raise ResultShapeError(f"the answer lacks {key!r}")
    return value


# --- simple results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Greeting:
    message: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Greeting:
        return cls(as_text(raw.get("message")), raw)


@dataclass(frozen=True)
class Echo:
    data: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Echo:
        return cls(as_text(raw.get("data")), raw)


@dataclass(frozen=True)
class Created:
    """The id of what a create/update/upload call made or touched (contact-id, group id,
    note-id, activity-id, sales-id, document-id)."""

    id: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parser(cls, key: str) -> Callable[[dict[str, Any]], Created]:
        def parse(raw: dict[str, Any]) -> Created:
            return cls(_required_text(raw, key).lower(), raw)

        return parse


@dataclass(frozen=True)
class CompletedActivity:
    activity_id: str
    note_id: str  # "" when the server did not say
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> CompletedActivity:
        return cls(
            _required_text(raw, "activity-id").lower(), as_text(raw.get("note-id")).lower(), raw
        )


@dataclass(frozen=True)
class UpdateResult:
    """update-contact / update-group: ``ids`` are the records updated or created."""

    updated_count: int
    ids: list[str]
    created: bool
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parser(cls, ids_key: str) -> Callable[[dict[str, Any]], UpdateResult]:
        def parse(raw: dict[str, Any]) -> UpdateResult:
            ids = [i.lower() for i in _text_list(raw.get(ids_key))]
            return cls(as_int(raw.get("updated-count")), ids, as_bool(raw.get("created")), raw)

        return parse


@dataclass(frozen=True)
class DeleteResult:
    deleted_count: int
    not_found: list[str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> DeleteResult:
        return cls(as_int(raw.get("deleted-count")), _text_list(raw.get("not-found")), raw)


@dataclass(frozen=True)
class ImportFailure:
    row: int
    error: str


@dataclass(frozen=True)
class ImportResult:
    updated_count: int
    created_count: int
    contact_ids: list[str]
    failed: list[ImportFailure]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ImportResult:
        failed_raw = raw.get("failed")
        if isinstance(failed_raw, str) and failed_raw.strip():
            try:
                failed_raw = json.loads(failed_raw)
            except ValueError:
                failed_raw = []
        failed: list[ImportFailure] = []
        if isinstance(failed_raw, list):
            for item in failed_raw:
                if isinstance(item, Mapping):
                    failed.append(
                        ImportFailure(as_int(item.get("row"), -1), as_text(item.get("error")))
                    )
        return cls(
            as_int(raw.get("updated-count")),
            as_int(raw.get("created-count")),
            [i.lower() for i in _text_list(raw.get("contact-ids"))],
            failed,
            raw,
        )


@dataclass(frozen=True)
class AddResult:
    """add-contacts-to-group / add-to-campaign."""

    added_count: int
    skipped: list[str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> AddResult:
        return cls(as_int(raw.get("added-count")), _text_list(raw.get("skipped")), raw)


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDef:
    unique_id: str
    table_name: str  # Contact, Group, Sales, Activity, Note
    label: str
    type: int  # 0 text, 1 currency, 2 date, 3 number, 4 phone, 5 time, 6 checkbox, 7 %, 8 image
    read_only: bool
    role: str  # "" when the server gives none
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> FieldDef:
        uid = as_text(raw.get("unique-id")) or key
        if not uid:
            raise ResultShapeError("a field lacks 'unique-id'")
        return cls(
            uid,
            as_text(raw.get("table-name")),
            as_text(raw.get("label")),
            as_int(raw.get("type")),
            as_bool(raw.get("read-only")),
            as_text(raw.get("role")),
            raw,
        )


@dataclass(frozen=True)
class Layout:
    layout_id: str
    name: str
    table_name: str
    user_id: str
    is_default: bool
    is_standard: bool
    field_ids: list[str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Layout:
        return cls(
            (as_text(raw.get("layout-id")) or key).lower(),
            as_text(raw.get("name")),
            as_text(raw.get("table-name")),
            as_text(raw.get("user-id")).lower(),
            as_bool(raw.get("is-default")),
            as_bool(raw.get("is-standard")),
            _text_list(raw.get("field-ids")),
            raw,
        )


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    email_address: str
    security_level: str  # "admin" or "user"
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> User:
        return cls(
            (as_text(raw.get("user-id")) or key).lower(),
            as_text(raw.get("name")),
            as_text(raw.get("email-address")),
            as_text(raw.get("security-level")),
            raw,
        )


@dataclass(frozen=True)
class Contact:
    """A contact: ``field_data`` maps field id -> value (text). Non-field keys the server may
    add (such as ``contact-id``) are left out of ``field_data`` but kept in ``raw``."""

    contact_id: str
    field_data: dict[str, str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Contact:
        return cls(
            (as_text(raw.get("contact-id")) or key).lower(),
            _record_fields(raw, "contact-id"),
            raw,
        )

    @classmethod
    def parse_info(cls, raw: dict[str, Any]) -> Contact:
        """get-contact-info: ``{"contact-id", "field-data"}``."""
        return cls(
            _required_text(raw, "contact-id").lower(), _field_map(raw.get("field-data")), raw
        )


@dataclass(frozen=True)
class Group:
    group_id: str
    field_data: dict[str, str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Group:
        return cls(
            (as_text(raw.get("group-id")) or key).lower(), _record_fields(raw, "group-id"), raw
        )

    @classmethod
    def parse_info(cls, raw: dict[str, Any]) -> Group:
        """get-group-info: ``{"group-id", "field-data"}``."""
        return cls(_required_text(raw, "group-id").lower(), _field_map(raw.get("field-data")), raw)


@dataclass(frozen=True)
class SalesOpp:
    """A sales opportunity: field id -> value (220 contact id, 222 status, 231 details,
    234 sales state in the reference's catalogue)."""

    sales_id: str
    field_data: dict[str, str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> SalesOpp:
        sid = as_text(raw.get("sales-id")) or as_text(raw.get("sale-id")) or key
        return cls(sid.lower(), _record_fields(raw, "sales-id", "sale-id"), raw)


def _record_fields(raw: Mapping[str, Any], *id_keys: str) -> dict[str, str]:
    data = raw.get("field-data")
    if data is not None and not isinstance(data, str | Mapping):
        data = None
    if data is not None:
        return _field_map(data)
    return _field_map(raw, drop=id_keys)


@dataclass(frozen=True)
class Note:
    note_id: str
    contact_id: str
    group_id: str
    user_id: str
    type: str  # "1" note, "2" call, "3" meeting, "4" to-do, "5" e-mail
    details: str
    created_date: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Note:
        return cls(
            (as_text(raw.get("note-id")) or key).lower(),
            as_text(raw.get("contact-id")).lower(),
            as_text(raw.get("group-id")).lower(),
            as_text(raw.get("user-id")).lower(),
            as_text(raw.get("type")),
            as_text(raw.get("details")),
            as_text(raw.get("created-date")),
            raw,
        )

    @property
    def created(self) -> datetime | None:
        return parse_datetime(self.created_date)


@dataclass(frozen=True)
class Document:
    document_id: str
    contact_id: str
    file_name: str
    size: int
    created_date: str
    url: str | None  # None when the server offers no download
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Document:
        url = as_text(raw.get("url")).strip()
        return cls(
            (as_text(raw.get("document-id")) or key).lower(),
            as_text(raw.get("contact-id")).lower(),
            as_text(raw.get("file-name")),
            as_int(raw.get("size")),
            as_text(raw.get("created-date")),
            url or None,
            raw,
        )


@dataclass(frozen=True)
class Activity:
    activity_id: str
    schedule_with: str  # contact id or ""
    schedule_for: str  # user id
    group_id: str
    regarding: str
    details: str
    color: str  # RRGGBB
    start_time: str
    end_time: str
    type: str  # call, meeting, todo
    timeless: bool
    completed: bool
    result: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Activity:
        return cls(
            (as_text(raw.get("activity-id")) or key).lower(),
            as_text(raw.get("schedule-with")).lower(),
            as_text(raw.get("schedule-for")).lower(),
            as_text(raw.get("group-id")).lower(),
            as_text(raw.get("regarding")),
            as_text(raw.get("details")),
            as_text(raw.get("color")),
            as_text(raw.get("start-time")),
            as_text(raw.get("end-time")),
            as_text(raw.get("type")),
            as_bool(raw.get("timeless")),
            as_bool(raw.get("completed")),
            as_text(raw.get("result")),
            raw,
        )

    @classmethod
    def parse_info(cls, raw: dict[str, Any]) -> Activity:
        """get-activity-info: ``{"activity-id", "activity-data"}``."""
        data = _mapping(raw.get("activity-data"))
        aid = as_text(raw.get("activity-id")) or as_text(data.get("activity-id"))
        if not aid:
            raise ResultShapeError("the answer lacks 'activity-id'")
        return cls.parse(data, aid)

    @property
    def start(self) -> datetime | None:
        return parse_datetime(self.start_time)

    @property
    def end(self) -> datetime | None:
        return parse_datetime(self.end_time)


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    member_count: int
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(cls, raw: dict[str, Any], key: str = "") -> Campaign:
        return cls(
            (as_text(raw.get("campaign-id")) or key).lower(),
            as_text(raw.get("name")),
            as_int(raw.get("member-count")),
            raw,
        )


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordList(Generic[T]):
    """One ``<kind>-list`` answer: ``items`` in the server's order (the order of
    ``<kind>-ids``), ``total`` the full count of the list (all pages)."""

    kind: str
    total: int
    ids: list[str]
    items: list[T]
    raw: dict[str, Any] = field(repr=False)
    #: the offset this page started at (0 for unpaged lists)
    start_after: int = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def by_id(self) -> dict[str, T]:
        return dict(zip(self.ids, self.items, strict=True))

    @property
    def end(self) -> int:
        """Offset just after this page."""
        return self.start_after + len(self.items)

    @property
    def has_more(self) -> bool:
        return self.end < self.total and len(self.items) > 0


def parse_record_list(
    raw: dict[str, Any],
    kind: str,
    item: Callable[[dict[str, Any], str], T],
    start_after: int = 0,
) -> RecordList[T]:
    """Parse ``raw["<kind>-list"]`` (the object may also come as a JSON string).

    ``<kind>-info`` may be an object keyed by id (the contract) or a list of records; ids
    come from ``<kind>-ids`` when present, else from the info's keys or records.
    """
    listing = _mapping(raw.get(f"{kind}-list"))
    if not listing and f"{kind}-list" not in raw:
        raise ResultShapeError(f"the answer lacks '{kind}-list'")
    info_raw = listing.get(f"{kind}-info")
    if isinstance(info_raw, str):
        info_raw = _mapping(info_raw) if info_raw.strip() else {}
    ids_raw = listing.get(f"{kind}-ids")
    ids = _text_list(ids_raw) if ids_raw is not None else None
    records: list[tuple[str, dict[str, Any]]] = []
    if isinstance(info_raw, Mapping) or info_raw is None:
        info = {str(k): v for k, v in (info_raw or {}).items()}
        lowered = {k.lower(): v for k, v in info.items()}
        for rid in ids if ids is not None else list(info):
            rec = info.get(rid, lowered.get(rid.lower()))
            if rec is None:
                raise ResultShapeError(f"'{kind}-info' lacks an entry for a listed id")
            records.append((rid, _record(rec)))
    elif isinstance(info_raw, list):
        recs = [_record(r) for r in info_raw]
        if ids is not None and len(ids) == len(recs):
            records = list(zip(ids, recs, strict=True))
        else:
            id_key = f"{kind}-id" if kind != "field" else "unique-id"
            records = [(as_text(r.get(id_key)), r) for r in recs]
    else:
        raise ResultShapeError(f"'{kind}-info' is neither an object nor a list")
    items = [item(rec, rid) for rid, rec in records]
    out_ids = [rid if kind == "field" else rid.lower() for rid, _ in records]
    total = as_int(listing.get("total-record-count"), len(items))
    return RecordList(kind, total, out_ids, items, raw, start_after)


def _record(value: Any) -> dict[str, Any]:
    rec = _mapping(value)
    return rec
