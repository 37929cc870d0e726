"""Async use-cases of SalesNexus Desktop over the wire client and the offline store (no Qt).

The GUI holds one `AppServices` and uses its parts: `schema`, `browse`, `writes`, `priming`,
`connectivity`, and the `changes` hub; `AccountServices` (in ``ports``) declares which parts
those are. See each module's docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from snx_desktop._lazy import lazy_exports

if TYPE_CHECKING:
    from .browse import BrowseService, canonical_filter
    from .conflicts import find_conflicts
    from .connectivity import Connectivity, ConnState
    from .context import AppServices, CredentialsProvider
    from .events import Event
    from .lazyclient import LazyClient
    from .ports import AccountServices
    from .priming import PrimingJob, PrimingResult, PrimingService
    from .schema import FieldInfo, Schema, SchemaService
    from .types import (
        ID_KEY,
        KINDS,
        Change,
        Conflict,
        Detail,
        DetailKind,
        FieldConflict,
        Kind,
        OfflineError,
        OpEventState,
        OpOutcome,
        OpStateChange,
        OpStateName,
        Page,
        PendingOp,
        Progress,
        QueueStatus,
        Record,
        ServiceError,
        SignOutResult,
        WriteRefused,
        is_temp_id,
        new_temp_id,
    )
    from .writes import UploadProgress, WriteQueue

_WHERE = {
    "BrowseService": "browse",
    "canonical_filter": "browse",
    "find_conflicts": "conflicts",
    "Connectivity": "connectivity",
    "ConnState": "connectivity",
    "AppServices": "context",
    "CredentialsProvider": "context",
    "Event": "events",
    "LazyClient": "lazyclient",
    "AccountServices": "ports",
    "PrimingJob": "priming",
    "PrimingResult": "priming",
    "PrimingService": "priming",
    "FieldInfo": "schema",
    "Schema": "schema",
    "SchemaService": "schema",
    "ID_KEY": "types",
    "KINDS": "types",
    "Change": "types",
    "Conflict": "types",
    "Detail": "types",
    "DetailKind": "types",
    "FieldConflict": "types",
    "Kind": "types",
    "OfflineError": "types",
    "OpEventState": "types",
    "OpOutcome": "types",
    "OpStateChange": "types",
    "OpStateName": "types",
    "Page": "types",
    "PendingOp": "types",
    "Progress": "types",
    "QueueStatus": "types",
    "Record": "types",
    "ServiceError": "types",
    "SignOutResult": "types",
    "WriteRefused": "types",
    "is_temp_id": "types",
    "new_temp_id": "types",
    "UploadProgress": "writes",
    "WriteQueue": "writes",
}
__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

__all__ = [
    "ID_KEY",
    "KINDS",
    "AccountServices",
    "AppServices",
    "BrowseService",
    "Change",
    "Conflict",
    "ConnState",
    "Connectivity",
    "CredentialsProvider",
    "Detail",
    "DetailKind",
    "Event",
    "FieldConflict",
    "FieldInfo",
    "Kind",
    "LazyClient",
    "OfflineError",
    "OpEventState",
    "OpOutcome",
    "OpStateChange",
    "OpStateName",
    "Page",
    "PendingOp",
    "PrimingJob",
    "PrimingResult",
    "PrimingService",
    "Progress",
    "QueueStatus",
    "Record",
    "Schema",
    "SchemaService",
    "ServiceError",
    "SignOutResult",
    "UploadProgress",
    "WriteQueue",
    "WriteRefused",
    "canonical_filter",
    "find_conflicts",
    "is_temp_id",
    "new_temp_id",
]
