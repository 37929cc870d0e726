"""Work-arounds for defects of the Qt binding that would crash the app.

PySide6 6.12.0 returns *borrowed* references to singletons in two places:

* ``SignalInstance.emit`` returns ``True`` without a new reference: every signal emitted from
  Python lowers the reference count of ``True`` by one;
* a C++ call returning an empty ``QVariant`` (``index.data()`` for a role the model does not
  answer, ``headerData`` returning None through a proxy) returns ``None`` the same way.

After enough calls (thousands; on Python 3.11 these objects are not immortal) the interpreter
aborts with "bool_dealloc: deallocating True or False" or "none_dealloc: deallocating None".
:func:`fix_signal_emit_refcount` detects the defects at run time and gives ``True``, ``False``
and ``None`` a reserve of 2**40 references each, which makes them as good as immortal (as
Python 3.12 does for them anyway). Nothing of the binding is patched, so every Qt API keeps
its behaviour. With a binding that does not have the defects, or on Python 3.12 and later, it
changes nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Signal

__all__ = ["fix_binding_refcounts", "fix_signal_emit_refcount"]

log = logging.getLogger(__name__)

_RESERVE = 1 << 40
_applied = False


class _Probe(QObject):
    ping = Signal()


class _NoneModel(QAbstractListModel):
    def rowCount(self, parent: Any = None) -> int:
        return 1

    def data(self, index: Any, role: int = 0) -> Any:
        return None


def emit_loses_references() -> bool:
    """True when emitting a signal from Python lowers the reference count of ``True``."""
    probe = _Probe()
    try:
        before = sys.getrefcount(True)
        for _ in range(8):
            probe.ping.emit()
        return sys.getrefcount(True) < before
    finally:
        probe.deleteLater()


def empty_variant_loses_references() -> bool:
    """True when an empty QVariant returned to Python lowers the reference count of None."""
    model = _NoneModel()
    try:
        index = model.index(0, 0, QModelIndex())
        before = sys.getrefcount(None)
        for _ in range(8):
            index.data()
        return sys.getrefcount(None) < before
    finally:
        model.deleteLater()


def fix_binding_refcounts() -> bool:
    """Apply the work-around when needed; True when it was applied (now or before)."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # True, False and None are immortal there
    emit_bug = emit_loses_references()
    variant_bug = empty_variant_loses_references()
    if not (emit_bug or variant_bug):
        return False
    for obj in (True, False, None):
        refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt, the first field
        refcount.value += _RESERVE
    _applied = True
    log.debug(
        "gave True/False/None a reference reserve (binding defects: emit=%s, variant=%s)",
        emit_bug,
        variant_bug,
    )
    return True


def fix_signal_emit_refcount() -> bool:
    """Same as :func:`fix_binding_refcounts` (kept for callers of the first name)."""
    return fix_binding_refcounts()
