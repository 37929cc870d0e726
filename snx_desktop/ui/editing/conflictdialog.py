"""Conflict review: a change made here met a server value that moved since the edit began.

For each conflicting field the dialog shows the value when the edit began (base), the
server's value now (theirs) and the value typed here (mine), with a choice per field and
"Keep all mine" / "Keep all theirs"; its first line names the record and the fields. OK
calls ``WriteQueue.resolve(op_id, choices)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from snx_desktop.ui.editing._dialogs import SubmitDialog

if TYPE_CHECKING:
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Conflict

__all__ = ["ConflictDialog", "record_title"]

log = logging.getLogger(__name__)

Choice = Literal["mine", "theirs"]


def _cell(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text if text else "(empty)", parent)
    label.setObjectName(name)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    if not text:
        label.setEnabled(False)
    return label


KIND_WORDS = {"contact": "contact", "group": "group", "activity": "activity", "sale": "sale"}


def record_title(services: AccountServices, target: tuple[str, str]) -> str:
    """'The contact “Ann Lee”': the record a conflict is about, as the rep knows it."""
    from snx_desktop.models.sources import SchemaView
    from snx_desktop.services.schema import KIND_TABLE

    kind, rid = target
    word = KIND_WORDS.get(kind, "record")
    name = ""
    try:
        cached = services.store.cache.get_record(kind, rid)
    except Exception:
        log.debug("reading the record in conflict failed", exc_info=True)
        cached = None
    if cached is not None:
        if kind == "activity":
            name = str(cached.value.get("regarding", "") or "")
        elif kind in KIND_TABLE and services.schema.current is not None:
            name = SchemaView(services.schema.current).display_name(KIND_TABLE[kind], cached.value)
    return f"The {word} “{name}”" if name else f"This {word}"


class ConflictDialog(SubmitDialog[dict[str, Choice]]):
    """``ConflictDialog(services, conflict, label=schema.label)``; resolves on OK."""

    def __init__(
        self,
        services: AccountServices,
        conflict: Conflict,
        parent: QWidget | None = None,
        *,
        label: Callable[[str], str] | None = None,
        title: str = "",
    ) -> None:
        super().__init__("Resolve conflict", "conflictDialog", parent, ok_text="&Resolve")
        self.services = services
        self.conflict = conflict
        schema = services.schema.current
        name_of = label or (schema.label if schema is not None else str)
        names = ", ".join(name_of(fid) for fid in sorted(conflict.fields))
        intro = QLabel(
            (title or record_title(services, conflict.target))
            + f" was changed on the server after you edited it ({names}). For each field, "
            "keep your value or the server's.",
            self,
        )
        intro.setObjectName("conflictIntro")
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        grid = QGridLayout()
        for col, head in enumerate(("Field", "Before", "On the server", "Yours", "Keep")):
            h = QLabel(f"<b>{head}</b>", self)
            grid.addWidget(h, 0, col)
        self.choices: dict[str, tuple[QRadioButton, QRadioButton]] = {}
        for row, (fid, fc) in enumerate(sorted(conflict.fields.items()), start=1):
            field_name = name_of(fid)
            grid.addWidget(_cell(field_name, f"conflictField_{fid}", self), row, 0)
            grid.addWidget(_cell(fc.base, f"conflictBase_{fid}", self), row, 1)
            grid.addWidget(_cell(fc.theirs, f"conflictTheirs_{fid}", self), row, 2)
            grid.addWidget(_cell(fc.mine, f"conflictMine_{fid}", self), row, 3)
            mine = QRadioButton("Mine", self)
            mine.setObjectName(f"keepMine_{fid}")
            mine.setAccessibleName(f"Keep my {field_name}")
            theirs = QRadioButton("Theirs", self)
            theirs.setObjectName(f"keepTheirs_{fid}")
            theirs.setAccessibleName(f"Keep the server's {field_name}")
            group = QButtonGroup(self)
            group.addButton(mine)
            group.addButton(theirs)
            mine.setChecked(True)
            box = QWidget(self)
            lay = QHBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(mine)
            lay.addWidget(theirs)
            grid.addWidget(box, row, 4)
            self.choices[fid] = (mine, theirs)
        self.body.addLayout(grid)
        row_buttons = QHBoxLayout()
        self.all_mine = QPushButton("Keep all &mine", self)
        self.all_mine.setObjectName("keepAllMine")
        self.all_mine.setAccessibleName("Keep all mine")
        self.all_theirs = QPushButton("Keep all &theirs", self)
        self.all_theirs.setObjectName("keepAllTheirs")
        self.all_theirs.setAccessibleName("Keep all theirs")
        self.all_mine.clicked.connect(lambda: self.choose_all("mine"))
        self.all_theirs.clicked.connect(lambda: self.choose_all("theirs"))
        row_buttons.addWidget(self.all_mine)
        row_buttons.addWidget(self.all_theirs)
        row_buttons.addStretch(1)
        self.body.addLayout(row_buttons)
        self.resize(620, 120 + 40 * len(self.choices))

    def choose_all(self, which: Choice) -> None:
        for mine, theirs in self.choices.values():
            (mine if which == "mine" else theirs).setChecked(True)

    def choose(self, field_id: str, which: Choice) -> None:
        mine, theirs = self.choices[field_id]
        (mine if which == "mine" else theirs).setChecked(True)

    def selected(self) -> dict[str, Choice]:
        return {
            fid: ("mine" if mine.isChecked() else "theirs")
            for fid, (mine, _t) in self.choices.items()
        }

    async def submit(self) -> dict[str, Choice]:
        choices = self.selected()
        await self.services.writes.resolve(self.conflict.op_id, choices)
        return choices
