"""The catalogue of queued writes: one class per write kind, found through one table.

Every write the API offers is one op (named by its wire function). `table.OP_TABLE` maps each
function to its class; each class (in ``records.py``, ``children.py``, ``activities.py``,
``documents.py``) has
the four steps described in ``base.py``: apply locally, send, reconcile after an unknown
outcome (or "none: safe to send again"), revert; and the ``entry`` that checks a write and
builds what the queue journals. Op parameters are our own (journaled as JSON, temporary ids
inside them are remapped by the store); the wire parameters are built only when the op is sent.
"""

from __future__ import annotations

from .base import (
    ConflictFound,
    Entry,
    OpContext,
    OpKind,
    OpRefused,
    Progress,
    Sent,
    describe_fields,
    known_children,
)
from .table import OP_TABLE, Catalogue

__all__ = [
    "OP_TABLE",
    "Catalogue",
    "ConflictFound",
    "Entry",
    "OpContext",
    "OpKind",
    "OpRefused",
    "Progress",
    "Sent",
    "describe_fields",
    "known_children",
]
