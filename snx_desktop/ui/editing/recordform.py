"""A form for every field of a contact or a group: the default layout's fields first, the
others in a "More fields" section (`MoreFieldsSection`, open or closed as last time).

`RecordForm` makes one editor per field: a line edit for text, numbers and phones, a
`DateField` (the user's date format, a calendar, empty allowed) for dates, a check box for
check-box fields, a list of users for owner fields; read-only fields are shown but cannot be
edited. Numbers, amounts and percentages are typed and shown in the user's language
("1.234,56" under German settings) and sent in the API's form ("1234.56"). Where the table
has a full name with first and last name, a `NameRule` keeps them in step and a hint under
them says so. Labels get the room their text needs in bold (a changed field's label is bold),
so they are never cut.

It checks what was typed (a required name, e-mail format, phone characters, numbers and dates)
and shows each problem under its field. It knows the values it was filled with, so it can tell
which fields differ (`changed_fields`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.api.values import as_bool, format_number, parse_number
from snx_desktop.models.localefmt import (
    number_example,
    number_message,
    number_text,
    parse_local_number,
)
from snx_desktop.models.schema import format_value
from snx_desktop.ui.editing._dialogs import ErrorLabel, field_with_error
from snx_desktop.ui.editing.dateinput import DateField
from snx_desktop.ui.editing.morefields import MoreFieldsSection
from snx_desktop.ui.editing.namerule import NameRule
from snx_desktop.ui.editing.validation import (
    FIELD_CHECKBOX,
    FIELD_CURRENCY,
    FIELD_DATE,
    FIELD_IMAGE,
    FIELD_NUMBER,
    FIELD_PERCENT,
    check_required,
    check_typed,
    normalise_date,
)

if TYPE_CHECKING:
    from snx_desktop.services.schema import FieldInfo, Schema

__all__ = ["RecordForm", "is_email_field", "truthy"]


def truthy(value: object) -> bool:
    return as_bool(value)


def is_email_field(info: FieldInfo) -> bool:
    label = str(info.label).lower().replace("-", "")
    return info.role == "email" or "email" in label


_NUMBER_TYPES = (FIELD_CURRENCY, FIELD_NUMBER, FIELD_PERCENT)


def _wire_number(text: str) -> str:
    """A wire number in one form (``1234.50`` -> ``1234.5``); other text stripped."""
    number = parse_number(text)
    return format_number(number) if number is not None and text.strip() else text.strip()


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def _shown(info: FieldInfo, show_read_only: bool) -> bool:
    return (
        info.type != FIELD_IMAGE
        and info.role != "record-id"
        and (show_read_only or not info.read_only)
    )


class RecordForm(QWidget):
    """Editors for every field of ``table`` ("Contact" or "Group").

    ``fields`` given: exactly those, in one list. Otherwise the layout's fields, then the
    table's other fields under "More fields" (its state kept in ``settings``).
    """

    edited = Signal()

    def __init__(
        self,
        schema: Schema,
        table: str,
        parent: QWidget | None = None,
        *,
        fields: Iterable[FieldInfo] | None = None,
        show_read_only: bool = True,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{table.lower()}Form")
        self.setAccessibleName(f"{table} fields")
        self.schema = schema
        self.table = table
        main, more = schema.form_fields(table) if fields is None else (list(fields), [])
        main = [f for f in main if _shown(f, show_read_only)]
        more = [f for f in more if _shown(f, show_read_only)]
        self.fields = main + more
        self._editors: dict[str, QWidget] = {}
        self._errors: dict[str, ErrorLabel] = {}
        self._labels: dict[str, QLabel] = {}
        self._original: dict[str, str] = {}
        self._read_only_raw: dict[str, str] = {}  # read-only fields show a formatted copy
        self._places: dict[str, tuple[int, int]] = {}  # (0 main / 1 more, row) per field
        outer = QVBoxLayout(self)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(self.layout_)
        for info in main:
            self._add_row(self.layout_, info)
        self.more: MoreFieldsSection | None = None
        if more:
            self.more = MoreFieldsSection(table, len(more), settings, self)
            for info in more:
                self._add_row(self.more.form, info)
            outer.addWidget(self.more)
        outer.addStretch(1)
        self.name_rule: NameRule | None = None
        self.name_hint: QLabel | None = None
        self._add_name_rule()
        self._fit_labels()

    # -- building ----------------------------------------------------------------------------
    def _add_row(self, form: QFormLayout, info: FieldInfo) -> None:
        editor = self._make_editor(info)
        box, error = field_with_error(editor, f"field_{info.id}")
        label = QLabel(info.label + ("" if not self._required(info) else " *"), self)
        label.setObjectName(f"label_{info.id}")
        label.setBuddy(editor)
        form.addRow(label, box)
        self._places[info.id] = (0 if form is self.layout_ else 1, form.rowCount() - 1)
        self._editors[info.id] = editor
        self._errors[info.id] = error
        self._labels[info.id] = label

    def _fit_labels(self) -> None:
        """One label width for every row (both sections line up), wide enough for the widest
        label in bold: marking a field as changed never cuts its label."""
        if not self._labels:
            return
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        width = max(metrics.horizontalAdvance(label.text()) for label in self._labels.values())
        for label in self._labels.values():
            label.setMinimumWidth(width + 2)

    def _add_name_rule(self) -> None:
        """Full name and first and last name filled from each other, with a hint saying so."""
        ids = [self.schema.role(self.table, r) for r in ("name", "first-name", "last-name")]
        editors = [self._editors.get(fid) if fid else None for fid in ids]
        name, first, last = editors
        if not (
            isinstance(name, QLineEdit)
            and isinstance(first, QLineEdit)
            and isinstance(last, QLineEdit)
        ) or any(e.isReadOnly() for e in (name, first, last)):
            return
        self.name_rule = NameRule(name, first, last, self._on_edit, self)
        labels = [self.schema.label(str(fid)) for fid in ids]
        hint = QLabel(
            f"{labels[1]} and {labels[2]} are filled from {labels[0]}, and {labels[0]} from them.",
            self,
        )
        hint.setObjectName("nameRuleHint")
        hint.setAccessibleName("How names are filled")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = QFont(hint.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.9, 7.0))
        hint.setFont(small)
        self.name_hint = hint
        # under the last of the three fields, in the form that holds it
        forms = [self.layout_] + ([self.more.form] if self.more is not None else [])
        index, row = max(self._places[str(fid)] for fid in ids)
        forms[index].insertRow(row + 1, "", hint)

    def owner_defaults(self) -> dict[str, str]:
        """The signed-in user for each editable owner field (a new record's manager)."""
        me = self.schema.me
        if not me:
            return {}
        return {
            f.id: me
            for f in self.fields
            if f.role == "owner" and not f.read_only and isinstance(self._editors[f.id], QComboBox)
        }

    def _make_editor(self, info: FieldInfo) -> QWidget:
        name = f"field_{info.id}"
        editor: QWidget
        if info.role == "owner" and not info.read_only:
            combo = QComboBox(self)
            combo.addItem("(nobody)", "")
            for user in self.schema.users:
                combo.addItem(user.get("name") or user.get("user-id", ""), user.get("user-id", ""))
            combo.currentIndexChanged.connect(lambda _i: self._on_edit())
            editor = combo
        elif info.type == FIELD_DATE and not info.read_only:
            date = DateField(self)
            date.dateChanged.connect(lambda _d: self._on_edit())
            editor = date
        elif info.type == FIELD_CHECKBOX:
            box = QCheckBox(self)
            box.setEnabled(not info.read_only)
            box.toggled.connect(lambda _c: self._on_edit())
            editor = box
        else:
            line = QLineEdit(self)
            line.setReadOnly(bool(info.read_only))
            if info.read_only:
                line.setEnabled(False)
            if info.type in _NUMBER_TYPES and not info.read_only:
                line.setPlaceholderText(number_example())
            elif is_email_field(info):
                line.setPlaceholderText("name@example.com")
            line.textEdited.connect(lambda _t: self._on_edit())
            editor = line
        editor.setObjectName(name)
        editor.setAccessibleName(info.label)
        return editor

    def _required(self, info: FieldInfo) -> bool:
        if info.read_only or info.role != "name":
            return False
        if self.table == "Contact":
            # a contact may be named by first and last name instead of the full name
            ids = {f.id for f in self.fields}
            first = self.schema.role("Contact", "first-name")
            last = self.schema.role("Contact", "last-name")
            return not (first in ids or last in ids)
        return True

    def _on_edit(self) -> None:
        self._mark_changed()
        self.edited.emit()

    # -- values --------------------------------------------------------------------------------
    def editor(self, field_id: str) -> QWidget:
        return self._editors[field_id]

    def error_label(self, field_id: str) -> ErrorLabel:
        return self._errors[field_id]

    def field_ids(self) -> list[str]:
        return [f.id for f in self.fields]

    def value(self, field_id: str) -> str:
        """The field's value in the API's form (numbers with a dot, dates
        ``YYYY-MM-DDTHH:MM:SS``); for a number that cannot be read, the text as typed (the
        check refuses it)."""
        editor = self._editors[field_id]
        if isinstance(editor, QComboBox):
            return str(editor.currentData() or "")
        if isinstance(editor, QCheckBox):
            return "true" if editor.isChecked() else "false"
        if isinstance(editor, DateField):
            return editor.wire()
        assert isinstance(editor, QLineEdit)
        if field_id in self._read_only_raw:
            return self._read_only_raw[field_id]
        info = self._info(field_id)
        if info is not None and info.type in _NUMBER_TYPES and editor.text().strip():
            number = parse_local_number(editor.text())
            return editor.text() if number is None else format_number(number)
        return editor.text()

    def set_value(self, field_id: str, value: str) -> None:
        editor = self._editors[field_id]
        if isinstance(editor, QComboBox):
            index = editor.findData(value)
            if index < 0 and value:
                editor.addItem(value, value)
                index = editor.count() - 1
            editor.setCurrentIndex(max(index, 0))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(truthy(value))
        elif isinstance(editor, DateField):
            editor.blockSignals(True)
            editor.set_wire(value)
            editor.blockSignals(False)
        else:
            assert isinstance(editor, QLineEdit)
            info = self._info(field_id)
            number = parse_number(value) if value.strip() else None
            if info is not None and info.read_only:
                self._read_only_raw[field_id] = value
                editor.setText(format_value(value, int(info.type or 0)))
            elif info is not None and info.type in _NUMBER_TYPES and number is not None:
                editor.setText(number_text(number))  # as the rep writes numbers
            else:
                editor.setText(value)
            editor.setCursorPosition(0)

    def _info(self, field_id: str) -> FieldInfo | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def set_values(self, values: Mapping[str, object]) -> None:
        """Fill every editor and remember the values as the unchanged state."""
        self._original = {}
        for info in self.fields:
            text = "" if values.get(info.id) is None else str(values.get(info.id))
            self.set_value(info.id, text)
            self._original[info.id] = self.value(info.id)
        if self.name_rule is not None:
            self.name_rule.reset()
        self.clear_errors()
        self._mark_changed()

    def keep_edits_update(self, values: Mapping[str, object]) -> None:
        """New values from the server: fields not edited take them, edited fields keep the text."""
        edited = set(self.changed_fields())
        for info in self.fields:
            text = "" if values.get(info.id) is None else str(values.get(info.id))
            if info.id not in edited:
                self.set_value(info.id, text)
            self._original[info.id] = (
                self.value(info.id) if info.id not in edited else self._as_shown(info.id, text)
            )
        self._mark_changed()

    def _as_shown(self, field_id: str, text: str) -> str:
        editor = self._editors[field_id]
        if isinstance(editor, QCheckBox):
            return "true" if truthy(text) else "false"
        if isinstance(editor, DateField):
            return normalise_date(text) if text.strip() else ""
        info = self._info(field_id)
        if info is not None and info.type in _NUMBER_TYPES and not info.read_only:
            return _wire_number(text)
        return text

    def original(self, field_id: str) -> str:
        return self._original.get(field_id, "")

    def _normalised(self, info: FieldInfo, text: str) -> str:
        # numbers and dates come from `value` in the API's form already
        del info
        return text.strip()

    def values(self, *, skip_empty: bool = False) -> dict[str, str]:
        """The writable fields' values as they would be sent."""
        out: dict[str, str] = {}
        for info in self.fields:
            if info.read_only:
                continue
            text = self._normalised(info, self.value(info.id))
            if skip_empty and (not text or (info.type == FIELD_CHECKBOX and text == "false")):
                continue
            out[info.id] = text
        return out

    def changed_fields(self) -> dict[str, str]:
        """Writable fields whose value differs from the one the form was filled with."""
        out: dict[str, str] = {}
        for info in self.fields:
            if info.read_only:
                continue
            now = self.value(info.id)
            if not _same(now, self._original.get(info.id, "")):
                out[info.id] = self._normalised(info, now)
        return out

    def revert(self) -> None:
        for fid, text in self._original.items():
            self.set_value(fid, text)
        if self.name_rule is not None:
            self.name_rule.reset()
        self.clear_errors()
        self._mark_changed()

    def _mark_changed(self) -> None:
        changed = self.changed_fields()
        for fid, label in self._labels.items():
            font = QFont(label.font())
            font.setBold(fid in changed)
            label.setFont(font)
            info = self._info(fid)
            was = self._original.get(fid, "")
            if info is not None and (info.type in _NUMBER_TYPES or info.type == FIELD_DATE):
                was = format_value(was, int(info.type))
            label.setToolTip(f"Changed (was “{was}”)" if fid in changed else "")

    # -- checking ------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for error in self._errors.values():
            error.show_error("")

    def check(self, *, only: Iterable[str] | None = None) -> dict[str, str]:
        """Problems per field id (nothing shown)."""
        wanted = set(only) if only is not None else None
        problems: dict[str, str] = {}
        for info in self.fields:
            if info.read_only or (wanted is not None and info.id not in wanted):
                continue
            text = self.value(info.id)
            message = ""
            if self._required(info):
                message = check_required(text, info.label)
            message = message or self._check_typed(info, text)
            if message:
                problems[info.id] = message
        if self.table == "Contact" and wanted is None:
            message = self._check_contact_named()
            if message:
                fid = self.schema.role("Contact", "name") or next(iter(self._editors), "")
                if fid in self._editors:
                    problems.setdefault(fid, message)
        return problems

    def _check_typed(self, info: FieldInfo, text: str) -> str:
        editor = self._editors[info.id]
        if isinstance(editor, DateField):
            if editor.complete():
                return ""
            return f"{info.label} must be a whole date: pick it from the calendar."
        if info.type in _NUMBER_TYPES and isinstance(editor, QLineEdit):
            return number_message(editor.text(), info.label)
        return check_typed(text, info.type, info.label, is_email=is_email_field(info))

    def _check_contact_named(self) -> str:
        ids = set(self._editors)
        roles = [self.schema.role("Contact", r) for r in ("name", "first-name", "last-name")]
        present = [fid for fid in roles if fid in ids]
        if present and not any(self.value(fid).strip() for fid in present):
            return "A contact needs a name."
        return ""

    def validate(self, *, only: Iterable[str] | None = None) -> bool:
        """Show each problem under its field; True when there is none."""
        problems = self.check(only=only)
        for fid, error in self._errors.items():
            error.show_error(problems.get(fid, ""))
        if problems:
            first = next(iter(problems))
            self._editors[first].setFocus()
        return not problems
