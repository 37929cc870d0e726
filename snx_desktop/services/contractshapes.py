"""The shapes of call-v1 answers as the app reads the contract, and a checker that lists how a
raw answer differs from them (for the server check, :mod:`snx_desktop.services.servercheck`).

`EXPECTED` is a small declarative table, one entry per function the check asks: the result's
keys beside ``success`` with the kind of value each holds, and the app's own reader of that
answer (the parser the typed client call uses). The checker looks at keys, types and shapes
only; a difference never quotes a value of the answer, so a report of differences holds no
record data, no token and no password.

Each difference says whether the app copes with it. Tolerated: numbers or JSON booleans where
the contract has strings, ``null`` for an empty value, GUIDs in upper case, extra keys, an
object sent as a JSON string where the contract allows it, date-times in another of the
accepted forms. Not tolerated: a missing key, a value of the wrong kind (an object for a
string, text for a count, an id that is no GUID), a list whose ids and records do not match,
an answer the app's reader refuses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from snx_desktop.api.results import (
    Activity,
    Campaign,
    Contact,
    Document,
    FieldDef,
    Greeting,
    Group,
    Layout,
    Note,
    ResultShapeError,
    SalesOpp,
    User,
    parse_record_list,
)
from snx_desktop.api.values import as_int, parse_datetime

__all__ = [
    "ERROR_CODES",
    "EXPECTED",
    "Difference",
    "Expected",
    "Findings",
    "KindList",
    "ListOf",
    "Obj",
    "Scalar",
    "check_result",
    "check_value",
    "key_label",
    "type_name",
]

#: records of one list looked at (a group's contacts are not paged and may be many)
RECORDS_CHECKED = 50

#: the error codes of the contract
ERROR_CODES = frozenset(
    {
        "UNKNOWN_FUNCTION",
        "MISSING_PARAMETER",
        "INVALID_PARAMETER",
        "INVALID_LOGIN",
        "INVALID_TOKEN",
        "NOT_FOUND",
        "PERMISSION_DENIED",
        "PAYLOAD_TOO_LARGE",
        "SERVER_ERROR",
        "INVALID_REQUEST",
    }
)

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DIGITS = re.compile(r"[0-9]+")
_WIRE_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
_FLAG_SPELLINGS = frozenset({"1", "0", "yes", "no", "y", "n", "t", "f", ""})


class Scalar(StrEnum):
    """The kinds of single values in answers."""

    TEXT = "a string"
    COUNT = "a whole number as a string"
    FLAG = '"true" or "false"'
    GUID = "a lower-case GUID"
    GUID_OR_EMPTY = 'a lower-case GUID or ""'
    FIELD_ID = "a field id as a string"
    DATETIME = 'a date-time "YYYY-MM-DDTHH:MM:SS" or ""'


@dataclass(frozen=True)
class Obj:
    """An object with these keys. ``fields``: every other key is a field id whose value has
    that shape (records); else other keys are extra keys. ``json_text``: the object may also
    come as a JSON string holding it (the app reads both)."""

    keys: Mapping[str, Spec] = field(default_factory=dict)
    optional: Mapping[str, Spec] = field(default_factory=dict)
    fields: Spec | None = None
    json_text: bool = False


@dataclass(frozen=True)
class ListOf:
    """A JSON list of items of one shape (the app also reads a JSON string holding one)."""

    item: Spec


@dataclass(frozen=True)
class KindList:
    """The one list shape: ``{"total-record-count", "<kind>-ids": [...], "<kind>-info":
    {id: record}}``, ids in the list's order."""

    kind: str
    record: Spec
    ids: Scalar = Scalar.GUID


Spec = Scalar | Obj | ListOf | KindList

S = Scalar

# --- records ----------------------------------------------------------------------------------

FIELD = Obj(
    {
        "table-name": S.TEXT,
        "label": S.TEXT,
        "unique-id": S.FIELD_ID,
        "type": S.COUNT,
        "read-only": S.FLAG,
    },
    optional={"role": S.TEXT},
)
LAYOUT = Obj(
    {
        "layout-id": S.TEXT,
        "name": S.TEXT,
        "table-name": S.TEXT,
        "user-id": S.GUID_OR_EMPTY,
        "is-default": S.FLAG,
        "is-standard": S.FLAG,
        "field-ids": ListOf(S.FIELD_ID),
    }
)
USER = Obj({"user-id": S.GUID, "name": S.TEXT, "email-address": S.TEXT, "security-level": S.TEXT})
CONTACT = Obj(optional={"contact-id": S.GUID}, fields=S.TEXT)
GROUP = Obj(optional={"group-id": S.GUID}, fields=S.TEXT)
SALE = Obj(optional={"sales-id": S.GUID}, fields=S.TEXT)
NOTE = Obj(
    {
        "note-id": S.GUID,
        "contact-id": S.GUID_OR_EMPTY,
        "group-id": S.GUID_OR_EMPTY,
        "user-id": S.GUID_OR_EMPTY,
        "type": S.COUNT,
        "details": S.TEXT,
        "created-date": S.DATETIME,
    }
)
DOCUMENT = Obj(
    {
        "document-id": S.GUID,
        "contact-id": S.GUID_OR_EMPTY,
        "file-name": S.TEXT,
        "size": S.COUNT,
        "created-date": S.DATETIME,
    },
    optional={"url": S.TEXT},
)
ACTIVITY = Obj(
    {
        "activity-id": S.GUID,
        "schedule-with": S.GUID_OR_EMPTY,
        "schedule-for": S.GUID_OR_EMPTY,
        "group-id": S.GUID_OR_EMPTY,
        "regarding": S.TEXT,
        "details": S.TEXT,
        "color": S.TEXT,
        "start-time": S.DATETIME,
        "end-time": S.DATETIME,
        "type": S.TEXT,
        "timeless": S.FLAG,
        "completed": S.FLAG,
        "result": S.TEXT,
    }
)
CAMPAIGN = Obj({"campaign-id": S.GUID, "name": S.TEXT, "member-count": S.COUNT})
FIELD_DATA = Obj(fields=S.TEXT, json_text=True)


# --- the table --------------------------------------------------------------------------------

Reader = Callable[[dict[str, Any]], object]


@dataclass(frozen=True)
class Expected:
    """One function's answer: the result's keys beside ``success``, and the app's reader."""

    result: Obj
    read: Reader


def _lister(kind: str, item: Callable[[dict[str, Any], str], object]) -> Reader:
    def read(raw: dict[str, Any]) -> object:
        return parse_record_list(raw, kind, item)

    return read


def _read_login(raw: dict[str, Any]) -> object:
    if not str(raw.get("login-token") or "").strip():
        raise ResultShapeError("the answer lacks 'login-token'")
    return True


def _listing(kind: str, record: Spec, ids: Scalar = S.GUID) -> Obj:
    return Obj({f"{kind}-list": KindList(kind, record, ids)})


EXPECTED: dict[str, Expected] = {
    "greet": Expected(Obj({"message": S.TEXT}), Greeting.parse),
    "get-login-token": Expected(Obj({"login-token": S.TEXT}), _read_login),
    "get-all-fields": Expected(
        _listing("field", FIELD, S.FIELD_ID), _lister("field", FieldDef.parse)
    ),
    "get-user-layouts": Expected(
        _listing("layout", LAYOUT, S.TEXT), _lister("layout", Layout.parse)
    ),
    "get-users": Expected(_listing("user", USER), _lister("user", User.parse)),
    "get-contacts": Expected(_listing("contact", CONTACT), _lister("contact", Contact.parse)),
    "get-groups": Expected(_listing("group", GROUP), _lister("group", Group.parse)),
    "get-activities": Expected(_listing("activity", ACTIVITY), _lister("activity", Activity.parse)),
    "get-sales": Expected(_listing("sales", SALE), _lister("sales", SalesOpp.parse)),
    "get-campaigns": Expected(_listing("campaign", CAMPAIGN), _lister("campaign", Campaign.parse)),
    "get-contact-info": Expected(
        Obj({"contact-id": S.GUID, "field-data": FIELD_DATA}), Contact.parse_info
    ),
    "get-notes-for-contact": Expected(_listing("note", NOTE), _lister("note", Note.parse)),
    "get-sales-for-contact": Expected(_listing("sales", SALE), _lister("sales", SalesOpp.parse)),
    "get-docs-for-contact": Expected(
        _listing("document", DOCUMENT), _lister("document", Document.parse)
    ),
    "get-group-info": Expected(
        Obj({"group-id": S.GUID, "field-data": FIELD_DATA}), Group.parse_info
    ),
    "get-notes-for-group": Expected(_listing("note", NOTE), _lister("note", Note.parse)),
    "get-sales-for-group": Expected(_listing("sales", SALE), _lister("sales", SalesOpp.parse)),
    "get-activities-for-group": Expected(
        _listing("activity", ACTIVITY), _lister("activity", Activity.parse)
    ),
    "get-contacts-for-group": Expected(
        _listing("contact", CONTACT), _lister("contact", Contact.parse)
    ),
}


# --- differences ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One way the answers of ``function`` differ from the contract, at ``where`` (a path of
    keys: ``*`` any entry of a map keyed by ids, ``[]`` any item of a list; "" the answer as
    a whole), seen ``count`` times."""

    function: str
    where: str
    what: str
    tolerated: bool
    count: int = 1

    def line(self) -> str:
        place = f"{self.where}: " if self.where else ""
        times = f" ({self.count} times)" if self.count > 1 else ""
        verdict = "tolerated by the app" if self.tolerated else "NOT tolerated by the app"
        return f"{place}{self.what}{times} [{verdict}]"


class Findings:
    """The differences of one function's answers; the same one seen again is counted."""

    def __init__(self, function: str) -> None:
        self.function = function
        self._seen: dict[tuple[str, str, bool], int] = {}

    def add(self, where: str, what: str, tolerated: bool) -> None:
        key = (where, what, tolerated)
        self._seen[key] = self._seen.get(key, 0) + 1

    def differences(self) -> list[Difference]:
        return [Difference(self.function, w, what, t, n) for (w, what, t), n in self._seen.items()]


def type_name(value: Any) -> str:
    """What kind of JSON value ``value`` is, in words (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a JSON true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a value of another kind"


def key_label(key: str) -> str:
    """A key as shown in a path: plain names and field ids as they are, anything else
    (ids, long or odd keys) described, never quoted."""
    if _GUID.fullmatch(key.lower()):
        return "(an id)"
    if _PLAIN_KEY.fullmatch(key):
        return key
    return f"(a key of {len(key)} characters)"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _scalar(value: Any, kind: Scalar) -> tuple[str, bool] | None:
    """(what differs, tolerated) for one value, or None when it is as the contract says."""
    instead = f"{type_name(value)} where the contract has {kind.value}"
    if isinstance(value, dict | list):
        return instead, False
    if kind is S.TEXT:
        if isinstance(value, str):
            return None
        return instead, True  # numbers, true/false and null are read as text
    if kind is S.COUNT:
        if isinstance(value, str):
            if _DIGITS.fullmatch(value):
                return None
            try:
                whole = float(value).is_integer()
            except ValueError:
                return (
                    f"{type_name(value)} that is not a number where the contract has {kind}",
                    False,
                )
            return f"a number written another way where the contract has {kind}", whole
        if isinstance(value, bool) or value is None:
            return instead, False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return instead, True
        return f"a fractional number where the contract has {kind.value}", False
    if kind is S.FLAG:
        if value in ("true", "false"):
            return None
        if isinstance(value, str):
            tolerated = value.strip().lower() in _FLAG_SPELLINGS | {"true", "false"}
            return 'a string other than "true"/"false"', tolerated
        return instead, isinstance(value, bool | int | float) or value is None
    if kind in (S.GUID, S.GUID_OR_EMPTY):
        if value is None and kind is S.GUID_OR_EMPTY:
            return instead, True
        if not isinstance(value, str):
            return instead, False
        if value == "":
            return None if kind is S.GUID_OR_EMPTY else (instead, False)
        if _GUID.fullmatch(value):
            return None
        if _GUID.fullmatch(value.lower()):
            return "a GUID not in lower case", True  # the app lower-cases ids
        return f"a string that is not a GUID where the contract has {kind.value}", False
    if kind is S.FIELD_ID:
        if isinstance(value, str):
            return None if value.strip() else (instead, False)
        if isinstance(value, int) and not isinstance(value, bool):
            return instead, True
        return instead, False
    # DATETIME
    if value is None:
        return instead, True
    if not isinstance(value, str):
        return instead, False
    if value == "" or _WIRE_DATETIME.fullmatch(value):
        return None
    if parse_datetime(value) is not None:
        return "a date-time written in another accepted form", True
    return f"a string that is not a date-time where the contract has {kind.value}", False


def _decoded(value: Any, want: type, path: str, findings: Findings, what: str) -> Any:
    """``value``, or the object/list a JSON string holds (noted as tolerated)."""
    if isinstance(value, str) and value.strip():
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, want):
            findings.add(path, f"{what} sent as a JSON string", True)
            return decoded
    return value


def check_value(value: Any, spec: Spec, path: str, findings: Findings) -> None:
    """Add to ``findings`` every way ``value`` differs from ``spec``."""
    if isinstance(spec, Scalar):
        found = _scalar(value, spec)
        if found is not None:
            findings.add(path, *found)
    elif isinstance(spec, Obj):
        _check_object(value, spec, path, findings)
    elif isinstance(spec, ListOf):
        value = _decoded(value, list, path, findings, "a list")
        if not isinstance(value, list):
            findings.add(path, f"{type_name(value)} where the contract has a list", False)
            return
        for item in value[:RECORDS_CHECKED]:
            check_value(item, spec.item, path + "[]", findings)
    else:
        _check_kind_list(value, spec, path, findings)


def _check_object(value: Any, spec: Obj, path: str, findings: Findings) -> None:
    if spec.json_text:
        value = _decoded(value, dict, path, findings, "an object")
    if not isinstance(value, dict):
        findings.add(path, f"{type_name(value)} where the contract has an object", False)
        return
    for key, sub in spec.keys.items():
        if key in value:
            check_value(value[key], sub, _join(path, key), findings)
        else:
            findings.add(_join(path, key), "missing", False)
    for key, sub in spec.optional.items():
        if key in value:
            check_value(value[key], sub, _join(path, key), findings)
    for key in value:
        if key in spec.keys or key in spec.optional:
            continue
        where = _join(path, key_label(str(key)))
        if spec.fields is not None:
            check_value(value[key], spec.fields, where, findings)
        else:
            findings.add(where, "a key the contract does not name", True)


def _check_kind_list(value: Any, spec: KindList, path: str, findings: Findings) -> None:
    kind = spec.kind
    value = _decoded(value, dict, path, findings, "an object")
    if not isinstance(value, dict):
        findings.add(path, f"{type_name(value)} where the contract has an object", False)
        return
    ids_key, info_key = f"{kind}-ids", f"{kind}-info"
    for key in value:
        if key not in ("total-record-count", ids_key, info_key):
            findings.add(_join(path, key_label(str(key))), "a key the contract does not name", True)
    if "total-record-count" in value:
        check_value(
            value["total-record-count"], S.COUNT, _join(path, "total-record-count"), findings
        )
    else:
        findings.add(_join(path, "total-record-count"), "missing", False)
    ids: list[str] | None = None
    ids_path = _join(path, ids_key)
    if ids_key not in value:
        findings.add(ids_path, "missing", False)
    else:
        raw_ids = _decoded(value[ids_key], list, ids_path, findings, "a list")
        if isinstance(raw_ids, list):
            for rid in raw_ids[:RECORDS_CHECKED]:
                check_value(rid, spec.ids, ids_path + "[]", findings)
            ids = [str(i).lower() for i in raw_ids]
        else:
            findings.add(ids_path, f"{type_name(raw_ids)} where the contract has a list", False)
    info_path = _join(path, info_key)
    if info_key not in value:
        findings.add(info_path, "missing", False)
        return
    info = _decoded(value[info_key], dict, info_path, findings, "an object")
    if isinstance(info, list):
        findings.add(
            info_path, "a list of records where the contract has an object keyed by id", True
        )
        for record in info[:RECORDS_CHECKED]:
            check_value(record, spec.record, info_path + "[]", findings)
        return
    if not isinstance(info, dict):
        findings.add(info_path, f"{type_name(info)} where the contract has an object", False)
        return
    for key in list(info)[:RECORDS_CHECKED]:
        found = _scalar(str(key), spec.ids)
        if found is not None:
            findings.add(info_path + " (its keys)", *found)
        check_value(info[key], spec.record, info_path + ".*", findings)
    if ids is not None:
        keys = {str(k).lower() for k in info}
        if any(i not in keys for i in ids):
            findings.add(info_path, f"an id of {ids_key} has no record here", False)
        if len(keys - set(ids)) > 0:
            findings.add(info_path, f"a record here is not listed in {ids_key}", True)
        total = value.get("total-record-count")
        if as_int(total, -1) >= 0 and as_int(total) < len(ids):
            findings.add(
                _join(path, "total-record-count"), f"smaller than the ids in {ids_key}", False
            )


def check_result(function: str, result: Any, findings: Findings) -> None:
    """The differences of one successful answer's ``result`` from `EXPECTED`, and whether
    the app's own reader takes it."""
    expected = EXPECTED[function]
    if not isinstance(result, dict):
        findings.add("", f"{type_name(result)} where the contract has a result object", False)
        return
    if "success" not in result:
        findings.add("success", "missing", True)  # the app takes an answer without it
    elif result["success"] != "true":
        findings.add(
            "success", f'{type_name(result["success"])} where the contract has "true"', True
        )
    rest = {k: v for k, v in result.items() if k != "success"}
    check_value(rest, expected.result, "", findings)
    try:
        expected.read(result)
    except (ResultShapeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        reason = str(exc) if isinstance(exc, ResultShapeError) else type(exc).__name__
        findings.add("", f"the app cannot read this answer ({reason})", False)
