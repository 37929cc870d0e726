"""Table columns that fit the width of their view, and tooltips for the text they cut off.

:class:`ColumnFitter` keeps each column of a table at the width it wants (fitted to a few rows
of content), and when they do not all fit in the view, narrows the widest ones first, so that
short columns (a date, a status) stay readable and no sideways scrollbar appears; the last
column takes what is left. Where even that leaves a column too narrow to read, the columns at
the right make room by hiding (``no_room``) until the view is wide enough again. A column the
rep resizes by hand keeps that width.

:func:`install_elided_tips` shows the whole text of a cell as its tooltip when the cell shows
it cut short (with "…").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolTip

__all__ = ["ColumnFitter", "fit_widths", "install_elided_tips"]

MINIMUM = 48  # px: the narrowest a fitted column gets
READABLE = 72  # px: narrower than this (or its content), a column makes room by hiding


def fit_widths(wanted: list[int], available: int, minimum: int = MINIMUM) -> list[int]:
    """Widths for columns that want ``wanted`` px in ``available`` px: all as wanted when they
    fit; otherwise the widest are cut to one common width (never below ``minimum``)."""
    if sum(wanted) <= available or not wanted:
        return list(wanted)
    floor = [min(w, minimum) for w in wanted]
    if sum(floor) >= available:
        return floor
    low, high = minimum, max(wanted)
    while low < high:  # the largest cap with sum(min(w, cap)) <= available
        cap = (low + high + 1) // 2
        if sum(max(min(w, cap), f) for w, f in zip(wanted, floor, strict=True)) <= available:
            low = cap
        else:
            high = cap - 1
    return [max(min(w, low), f) for w, f in zip(wanted, floor, strict=True)]


class ColumnFitter(QObject):
    """Fits the columns of ``view`` into its width whenever the view or the wishes change."""

    def __init__(self, view: QTableView, minimum: int = MINIMUM, readable: int = READABLE) -> None:
        super().__init__(view)
        self.setObjectName("columnFitter")
        self.view = view
        self.minimum = minimum
        self.readable = readable
        #: columns hidden for want of room (shown again when the view is wide enough)
        self.no_room: set[int] = set()
        #: the column of long text (cut first when the columns do not fit), -1: none
        self.flexible = -1
        self._wanted: dict[int, int] = {}  # logical column -> px
        self._busy = False
        header = view.horizontalHeader()
        header.setStretchLastSection(False)  # the last column is given the rest here
        header.sectionResized.connect(self._resized)
        header.sectionMoved.connect(lambda *_a: self.apply())
        view.viewport().installEventFilter(self)

    def want(self, widths: dict[int, int]) -> None:
        """The widths the columns would like (by logical index); then fit them."""
        self._wanted = dict(widths)
        self.apply()

    def apply(self) -> None:
        header = self.view.horizontalHeader()
        order = [header.logicalIndex(v) for v in range(header.count())]
        # the columns the rep wants (hidden by this fitter for want of room counts as wanted)
        shown = [i for i in order if not header.isSectionHidden(i) or i in self.no_room]
        if not shown:
            return
        available = self.view.viewport().width()
        wanted = [self._wanted.get(i, header.sectionSize(i)) for i in shown]
        # columns at the right give way while the ones before them cannot be read
        keep = len(shown)
        while keep > 1 and sum(min(w, self.readable) for w in wanted[:keep]) > available:
            keep -= 1
        no_room = set(shown[keep:])
        shown, wanted = shown[:keep], wanted[:keep]
        wanted[-1] = min(wanted[-1], max(self.minimum, available // 3))  # the last one stretches
        if self.flexible in shown:  # the long text gives way first, down to readable
            at = shown.index(self.flexible)
            excess = sum(wanted) - available
            wanted[at] = max(min(self.readable, wanted[at]), wanted[at] - max(0, excess))
        widths = fit_widths(wanted, available, self.minimum)
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            if sum(widths) <= available
            else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self._busy = True
        try:
            if self.view.horizontalScrollBarPolicy() != policy:
                self.view.setHorizontalScrollBarPolicy(policy)
            for logical in self.no_room | no_room:
                header.setSectionHidden(logical, logical in no_room)
            self.no_room = no_room
            widths[-1] = max(widths[-1], available - sum(widths[:-1]))  # the rest
            for logical, width in zip(shown, widths, strict=True):
                if header.sectionResizeMode(logical) == QHeaderView.ResizeMode.Interactive:
                    header.resizeSection(logical, width)
        finally:
            self._busy = False

    def _resized(self, logical: int, _old: int, new: int) -> None:
        if self._busy or logical == self._last_shown():
            return
        if QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self._wanted[logical] = new  # the rep dragged a header's edge: their own width

    def _last_shown(self) -> int:
        header = self.view.horizontalHeader()
        for v in range(header.count() - 1, -1, -1):
            logical = header.logicalIndex(v)
            if not header.isSectionHidden(logical):
                return logical
        return -1

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._wanted:
            self.apply()
        return False


class _ElidedTips(QObject):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.setObjectName("elidedTips")
        self.view = view
        view.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        text = self.full_text_at(event.pos().x(), event.pos().y())
        if text:
            QToolTip.showText(event.globalPos(), text, self.view.viewport())
            return True
        return False

    def full_text_at(self, x: int, y: int) -> str:
        """The text of the cell at (x, y) when the cell cannot show all of it, else ""."""
        from PySide6.QtCore import QPoint

        index = self.view.indexAt(QPoint(x, y))
        if not index.isValid():
            return ""
        text = str(index.data() or "")
        rect = self.view.visualRect(index)
        if text and self.view.fontMetrics().horizontalAdvance(text) > rect.width() - 10:
            return text
        return ""


def install_elided_tips(view: QAbstractItemView) -> None:
    """Cells shown cut short tell their whole text as a tooltip."""
    if view.findChild(_ElidedTips, "elidedTips") is None:
        _ElidedTips(view)
