"""Full name and its parts kept in step while the rep types.

A full name typed fills first and last name (the last word is the last name, the words before
it the first name), and first or last name typed fill the full name ("first last", as the
server joins them). A part the rep typed by hand is never overwritten; the full name follows
the parts unless the rep typed one of their own that no longer matches them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit

__all__ = ["NameRule", "join_name", "split_name"]


def split_name(full: str) -> tuple[str, str]:
    """``"Mary Ann Lee"`` -> ``("Mary Ann", "Lee")``; one word is a first name."""
    words = full.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


def join_name(first: str, last: str) -> str:
    """``("Ann", "Lee")`` -> ``"Ann Lee"`` (empty parts left out)."""
    return " ".join(p.strip() for p in (first, last) if p.strip())


class NameRule(QObject):
    """Keeps ``name``, ``first`` and ``last`` in step; ``changed`` runs after each fill."""

    def __init__(
        self,
        name: QLineEdit,
        first: QLineEdit,
        last: QLineEdit,
        changed: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._name, self._first, self._last = name, first, last
        self._changed = changed
        self._typed: set[QLineEdit] = set()
        self._parts = ("", "")
        name.textEdited.connect(self._name_edited)
        first.textEdited.connect(lambda _t: self._part_edited(first))
        last.textEdited.connect(lambda _t: self._part_edited(last))
        self.reset()

    def reset(self) -> None:
        """Start over from the values shown (a record just filled in).

        Parts that are not what the full name splits into were set on purpose: they count as
        typed by hand, and so does a full name that is not made of the parts. The rule leaves
        them alone; empty parts, or parts that agree with the name, follow it.
        """
        name, first, last = self._name.text(), self._first.text(), self._last.text()
        self._typed = set()
        if (first.strip() or last.strip()) and (first.strip(), last.strip()) != split_name(name):
            self._typed.update((self._first, self._last))
        if name.strip() and name.strip() != join_name(first, last):
            self._typed.add(self._name)
        self._parts = (first, last)

    def typed_by_hand(self, editor: QLineEdit) -> bool:
        return editor in self._typed

    def _name_edited(self, text: str) -> None:
        self._typed.add(self._name)
        first, last = split_name(text)
        filled = False
        for editor, value in ((self._first, first), (self._last, last)):
            if editor not in self._typed and editor.text() != value:
                editor.setText(value)
                filled = True
        self._parts = (self._first.text(), self._last.text())
        if filled:
            self._changed()

    def _part_edited(self, editor: QLineEdit) -> None:
        self._typed.add(editor)
        before = join_name(*self._parts)
        self._parts = (self._first.text(), self._last.text())
        name = self._name.text().strip()
        follows = self._name not in self._typed or name == before or not name
        wanted = join_name(*self._parts)
        if follows and self._name.text() != wanted:
            self._name.setText(wanted)
            self._name.setCursorPosition(0)
            self._changed()
