"""The records opened in the detail pane, in order, for Back and Forward (Alt+Left, Alt+Right).

Like a web browser's history: opening a record after going back drops the records ahead; the
same record opened twice in a row is one step. The command palette also lists the most
recently opened records first (:meth:`RecordHistory.recent`).
"""

from __future__ import annotations

__all__ = ["HISTORY_SIZE", "RecordHistory", "RecordKey"]

HISTORY_SIZE = 100  # records kept for Back

RecordKey = tuple[str, str]  # kind, record id


class RecordHistory:
    """A list of (kind, id) with a current position."""

    def __init__(self, size: int = HISTORY_SIZE) -> None:
        self._size = size
        self._items: list[RecordKey] = []
        self._pos = -1

    @property
    def current(self) -> RecordKey | None:
        return self._items[self._pos] if self._pos >= 0 else None

    def visit(self, kind: str, record_id: str) -> None:
        """A record was opened (not by Back or Forward)."""
        key = (kind, record_id)
        if self.current == key:
            return
        del self._items[self._pos + 1 :]
        self._items.append(key)
        if len(self._items) > self._size:
            del self._items[: len(self._items) - self._size]
        self._pos = len(self._items) - 1

    def can_go(self, step: int) -> bool:
        return 0 <= self._pos + step < len(self._items)

    def go(self, step: int) -> RecordKey | None:
        """Move ``step`` records back (-1) or forward (+1); the record there, if any."""
        if not self.can_go(step):
            return None
        self._pos += step
        return self._items[self._pos]

    def forget(self, record_id: str) -> None:
        """A record was deleted: it is no longer a step."""
        current = self.current
        self._items = [k for k in self._items if k[1] != record_id]
        if current is not None and current in self._items:
            self._pos = self._items.index(current)
        else:
            self._pos = len(self._items) - 1

    def rename(self, old: str, new: str) -> None:
        """A record created offline got its server id."""
        self._items = [(k, new if i == old else i) for k, i in self._items]

    def recent(self, limit: int = 20) -> list[RecordKey]:
        """The records opened last, most recent first, each once."""
        return list(dict.fromkeys(reversed(self._items)))[:limit]

    def clear(self) -> None:
        self._items.clear()
        self._pos = -1
