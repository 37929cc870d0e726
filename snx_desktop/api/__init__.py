"""The SalesNexus wire client: typed async calls over httpx, batching, errors, re-login.

Import from here; see ``client.py`` for the behaviour and its parts, ``functions.py`` for the
table of functions, ``values.py`` for wire values and ``results.py`` for the records.
The errors and scalar helpers load at once; the result types load on first use of one of
them, and the client (and httpx with it) on first use of ``SalesNexusClient``, ``Batch``,
``CredentialsProvider``, ``BinarySource`` or ``redact``, so that importing the package (e.g.
for its errors) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    AnswerTooLargeError,
    ConnectionFailedError,
    InsecureURLError,
    InvalidLoginError,
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProtocolError,
    RequestTimeoutError,
    SalesNexusError,
    ServerError,
    SessionExpiredError,
    is_offline,
)
from .values import as_bool, as_int, as_text, format_datetime, parse_datetime

if TYPE_CHECKING:
    from ._wire import redact
    from .client import Batch, CredentialsProvider, SalesNexusClient
    from .results import (
        Activity,
        AddResult,
        Campaign,
        CompletedActivity,
        Contact,
        Created,
        DeleteResult,
        Document,
        Echo,
        FieldDef,
        Greeting,
        Group,
        ImportFailure,
        ImportResult,
        Layout,
        Note,
        RecordList,
        SalesOpp,
        UpdateResult,
        User,
    )
    from .upload import BinarySource

_LAZY = {
    "Activity": ".results",
    "AddResult": ".results",
    "Campaign": ".results",
    "CompletedActivity": ".results",
    "Contact": ".results",
    "Created": ".results",
    "DeleteResult": ".results",
    "Document": ".results",
    "Echo": ".results",
    "FieldDef": ".results",
    "Greeting": ".results",
    "Group": ".results",
    "ImportFailure": ".results",
    "ImportResult": ".results",
    "Layout": ".results",
    "Note": ".results",
    "RecordList": ".results",
    "SalesOpp": ".results",
    "UpdateResult": ".results",
    "User": ".results",
    "redact": "._wire",
    "Batch": ".client",
    "CredentialsProvider": ".client",
    "SalesNexusClient": ".client",
    "BinarySource": ".upload",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Activity",
    "AddResult",
    "AnswerTooLargeError",
    "Batch",
    "BinarySource",
    "Campaign",
    "CompletedActivity",
    "ConnectionFailedError",
    "Contact",
    "Created",
    "CredentialsProvider",
    "DeleteResult",
    "Document",
    "Echo",
    "FieldDef",
    "Greeting",
    "Group",
    "ImportFailure",
    "ImportResult",
    "InsecureURLError",
    "InvalidLoginError",
    "InvalidParameterError",
    "Layout",
    "NotFoundError",
    "Note",
    "OutcomeUnknownError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProtocolError",
    "RecordList",
    "RequestTimeoutError",
    "SalesNexusClient",
    "SalesNexusError",
    "SalesOpp",
    "ServerError",
    "SessionExpiredError",
    "UpdateResult",
    "User",
    "as_bool",
    "as_int",
    "as_text",
    "format_datetime",
    "is_offline",
    "parse_datetime",
    "redact",
]
