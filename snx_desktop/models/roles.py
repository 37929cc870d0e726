"""Item-data roles and fetch states shared by every model and view of the app.

Views and proxies read the record itself (``Roles.RECORD``) and its fetch state
(``Roles.FETCH_STATE``) instead of looking anything up; ``Roles.PENDING`` says the record has
unsent changes; ``Roles.SORT`` gives a value that sorts correctly (numbers, dates).
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt

__all__ = ["FetchState", "Roles"]

_USER = int(Qt.ItemDataRole.UserRole)


class Roles(enum.IntEnum):
    RECORD = _USER + 1
    FETCH_STATE = _USER + 2
    RECORD_ID = _USER + 3
    PENDING = _USER + 4
    SORT = _USER + 5
    ERROR = _USER + 6


class FetchState(enum.Enum):
    LOADED = "loaded"
    STALE = "stale"  # shown from the cache; the network has not confirmed it yet
    LOADING = "loading"  # the placeholder row while a page loads
    FAILED = "failed"  # the placeholder row after a page failed to load
