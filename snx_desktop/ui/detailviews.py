"""The widgets of a record's detail: its header and its tabs (no loading logic here).

:class:`ContactView` is the header (name, company, mailto and tel links) plus the tabs
``detailTabs`` with pages ``fieldsTab``, ``notesTab``, ``activitiesTab``, ``salesTab`` and
``documentsTab``. :class:`GroupView` has fields, members, notes, activities and sales.
:class:`RecordView` shows the fields of an activity, sale or campaign.

Signed in, a contact's or group's view holds its own editing parts, built when the detail
pane binds them: a `FieldsEditor` in the Fields tab and, on a contact, a `DocumentsWidget`
in the Documents tab, each shown in place of the tab's read-only table until
``unbind_features``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.models.records import FieldsModel, RecordTableModel
from snx_desktop.models.schema import Column
from snx_desktop.models.sortproxy import LoadedRowsSortProxy
from snx_desktop.ui.columnfit import ColumnFitter, install_elided_tips

if TYPE_CHECKING:
    from snx_desktop.services.documents import DocumentFiles
    from snx_desktop.services.ports import AccountServices
    from snx_desktop.services.types import Detail
    from snx_desktop.ui.documents import Attacher, ContactGetter, DocumentsWidget
    from snx_desktop.ui.editing import FieldsEditor

__all__ = ["ContactView", "DetailTab", "GroupView", "Header", "RecordView"]

#: column keys (or labels) of long text: the column cut first when a table is narrow
LONG_TEXT_KEYS = frozenset({"regarding", "details", "file-name", "note"})


def _table(name: str, accessible: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


class DetailTab(QWidget):
    """One tab page: a note line (hidden when empty) above a table."""

    def __init__(
        self,
        name: str,
        title: str,
        model: RecordTableModel | FieldsModel,
        parent: QWidget | None = None,
        *,
        sortable: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(title)
        self.title = title
        self.model = model
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.note = QLabel(self)
        self.note.setObjectName(f"{name}Note")
        self.note.setAccessibleName(f"{title} note")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        self.view = _table(f"{name}View", title, self)
        if sortable:
            proxy = LoadedRowsSortProxy(self)
            proxy.setSourceModel(model)
            self.view.setModel(proxy)
            self.view.setSortingEnabled(True)
            # keep the order the services give (newest first, by time) until a header is clicked
            self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            proxy.sort(-1)
        else:
            self.view.setModel(model)
        layout.addWidget(self.view, 1)
        self.empty = QLabel(self)
        self.empty.setObjectName(f"{name}Empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.empty.hide()
        layout.addWidget(self.empty)
        #: the widget that edits this tab's content, shown instead of the table (signed in)
        self.editor: QWidget | None = None
        #: fits the table's columns into the pane's width (made when they are first fitted)
        self.fitter: ColumnFitter | None = None
        install_elided_tips(self.view)

    def show_editor(self, widget: QWidget) -> None:
        """Show ``widget`` (an editor) in place of the read-only table; the table stays loaded."""
        self.drop_editor()
        self.editor = widget
        widget.setParent(self)
        self._layout.addWidget(widget)
        self.view.hide()
        self.empty.hide()
        self.view.setVisible(False)
        widget.show()

    def drop_editor(self) -> None:
        """Back to the read-only table; the editor is deleted."""
        widget, self.editor = self.editor, None
        if widget is not None:
            self._layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
            self.view.show()

    def add_below(self, widget: QWidget) -> None:
        """Put ``widget`` under the table (or its editor): the upload list of a contact's files."""
        widget.setParent(self)
        self._layout.addWidget(widget)

    def remove_below(self, widget: QWidget) -> None:
        self._layout.removeWidget(widget)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def fit_columns(self, limit: int = 220) -> None:
        """Fit the columns to their contents, within ``limit`` pixels, and into the pane's
        width: the widest are narrowed (their text cut short, whole in the tooltip) rather
        than the table scrolling sideways. A table with a column that takes the free width
        (a note's text, wrapped) only fits the others."""
        header = self.view.horizontalHeader()
        metrics = self.view.fontMetrics()
        model = self.view.model()
        rows = min(model.rowCount(), 60) if model is not None else 0
        wanted: dict[int, int] = {}
        for i in range(self.model.columnCount()):
            if header.sectionResizeMode(i) == QHeaderView.ResizeMode.Stretch or model is None:
                wanted = {}
                break
            title = str(model.headerData(i, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(title) + 24
            for row in range(rows):
                width = max(width, metrics.horizontalAdvance(str(model.index(row, i).data() or "")))
            wanted[i] = min(max(width + 16, 48), limit)
        if wanted:
            if self.fitter is None:
                self.fitter = ColumnFitter(self.view)
            self.fitter.flexible = self._long_text_column(wanted)
            self.fitter.want(wanted)
            return
        for i in range(max(0, self.model.columnCount() - 1)):
            self.view.resizeColumnToContents(i)
            header.resizeSection(i, min(max(header.sectionSize(i) + 8, 48), limit))

    def _long_text_column(self, wanted: Mapping[int, int]) -> int:
        """The column of long text (subject, details, file name): cut first when narrow."""
        columns = getattr(self.model, "columns", [])
        for i, col in enumerate(columns):
            if col.key in LONG_TEXT_KEYS or col.label.lower() in LONG_TEXT_KEYS:
                return i
        return max(wanted, key=lambda i: wanted[i])

    def fit_first_column(self) -> None:
        self.view.resizeColumnToContents(0)
        header = self.view.horizontalHeader()
        header.resizeSection(0, min(header.sectionSize(0) + 16, 260))

    def set_empty_text(self, text: str) -> None:
        if self.editor is not None:
            return
        rows = self.model.rowCount()
        self.empty.setText(text)
        self.empty.setVisible(rows == 0 and bool(text))
        self.view.setVisible(rows > 0)

    def size_columns(self, columns: list[Column]) -> None:
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        for i, col in enumerate(columns[:-1]):
            if header.sectionResizeMode(i) == QHeaderView.ResizeMode.Stretch:
                continue  # a column that takes the free width (a note's text) keeps doing so
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            guess = {2: 17, 3: 9}.get(col.kind, 16)
            header.resizeSection(
                i,
                max(metrics.horizontalAdvance(col.label) + 28, metrics.averageCharWidth() * guess),
            )


def _link(scheme: str, value: str) -> str:
    target = value.replace(" ", "") if scheme == "tel" else value
    return f'<a href="{scheme}:{html.escape(target, quote=True)}">{html.escape(value)}</a>'


class Header(QWidget):
    """Name, subtitle, e-mail and phone links, and a line for state (cached, pending)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailHeader")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(2)
        self.name = QLabel(self)
        self.name.setObjectName("detailName")
        self.name.setAccessibleName("Name")
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.name)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("detailCompany")
        self.subtitle.setAccessibleName("Company")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.subtitle)
        links = QHBoxLayout()
        links.setSpacing(16)
        self.email = QLabel(self)
        self.email.setObjectName("detailEmail")
        self.email.setAccessibleName("E-mail")
        self.phone = QLabel(self)
        self.phone.setObjectName("detailPhone")
        self.phone.setAccessibleName("Phone")
        for label in (self.email, self.phone):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setOpenExternalLinks(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            links.addWidget(label)
        links.addStretch(1)
        layout.addLayout(links)
        # long names, titles and addresses never make the window wider than the screen: the
        # name and subtitle wrap, a long address is cut at the pane's edge (whole as tooltip)
        for label in (self.name, self.subtitle):
            label.setWordWrap(True)
        self.email.setMinimumWidth(1)
        #: the record's own actions (Add note, Schedule, Attach, Delete), added by the window
        self.tools = QHBoxLayout()
        self.tools.setContentsMargins(0, 4, 0, 0)
        self.tools.setSpacing(4)
        self.tools.addStretch(1)
        layout.addLayout(self.tools)
        self.conflict = QLabel("⚠ In conflict: changed on the server too", self)
        self.conflict.setObjectName("detailConflict")
        self.conflict.setAccessibleName("Conflict")
        self.conflict.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.conflict.setToolTip(
            "Your change to this record is held until you choose which values to keep."
        )
        self.conflict.hide()
        layout.addWidget(self.conflict)
        self.state = QLabel(self)
        self.state.setObjectName("detailState")
        self.state.setAccessibleName("Record state")
        self.state.setEnabled(False)
        layout.addWidget(self.state)

    def set_contact(self, name: str, subtitle: str, email: str, phone: str) -> None:
        self.name.setText(name or "(no name)")
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))
        self.email.setText(_link("mailto", email) if email else "")
        self.email.setToolTip(email)
        self.email.setVisible(bool(email))
        self.phone.setText(_link("tel", phone) if phone else "")
        self.phone.setVisible(bool(phone))

    def set_conflict(self, on: bool) -> None:
        """Mark the record as held in conflict (or not)."""
        self.conflict.setVisible(on)

    def set_state(self, text: str) -> None:
        self.state.setText(text)
        self.state.setVisible(bool(text))

    def add_tool(self, button: QWidget) -> None:
        """Put one of the record's action buttons at the right of the name."""
        button.setParent(self)
        self.tools.insertWidget(self.tools.count() - 1, button)
        self._fit_tools()

    # the action buttons show their icons only when the pane is too narrow for their words
    # (each keeps its name as tooltip): they never make the window wider than the screen
    def _tool_buttons(self) -> list[QToolButton]:
        items = (self.tools.itemAt(i) for i in range(self.tools.count()))
        return [w for w in (item.widget() for item in items if item) if isinstance(w, QToolButton)]

    def _tools_width(self, style: Qt.ToolButtonStyle) -> int:
        buttons = self._tool_buttons()
        widths = []
        for button in buttons:
            was = button.toolButtonStyle()
            button.setToolButtonStyle(style)
            widths.append(button.sizeHint().width())
            button.setToolButtonStyle(was)
        layout = self.layout()
        margins = layout.contentsMargins().left() * 2 if layout is not None else 0
        return sum(widths) + self.tools.spacing() * max(0, len(buttons) - 1) + margins

    def _fit_tools(self) -> None:
        wide = self.width() >= self._tools_width(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if wide
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        for button in self._tool_buttons():
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        narrow = self._tools_width(Qt.ToolButtonStyle.ToolButtonIconOnly)
        return QSize(min(hint.width(), max(narrow, 120)), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tools()


class _EditableView(QWidget):
    """A contact's or group's view: the Fields tab gets a `FieldsEditor` while bound."""

    kind = ""
    fields: DetailTab
    fields_model: FieldsModel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields_editor: FieldsEditor | None = None

    def bind_fields_editor(self, services: AccountServices) -> FieldsEditor:
        """Make the Fields tab editable for the signed-in account."""
        from snx_desktop.ui.editing import FieldsEditor

        editor = FieldsEditor(services, self.fields)
        self.fields.show_editor(editor)
        self.fields_editor = editor
        return editor

    def show_editable(self, detail: Detail) -> None:
        """Give the editing parts the record just shown."""
        if self.fields_editor is not None:
            self.fields_editor.set_record(self.kind, detail.id, detail.fields)

    def unbind_features(self) -> None:
        self.fields_editor = None
        self.fields.drop_editor()


class ContactView(_EditableView):
    """Header + ``detailTabs`` (fields, notes, activities, sales, documents)."""

    kind = "contact"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents_widget: DocumentsWidget | None = None
        self.setObjectName("contactDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = Header(self)
        layout.addWidget(self.header)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("detailTabs")
        self.tabs.setUsesScrollButtons(False)  # every tab in sight: the pane keeps their width
        self.tabs.setAccessibleName("Contact details")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.fields_model = FieldsModel(self)
        self.notes_model = RecordTableModel(parent=self)
        self.activities_model = RecordTableModel(parent=self)
        self.sales_model = RecordTableModel(parent=self)
        self.documents_model = RecordTableModel(parent=self)
        self.fields = DetailTab("fieldsTab", "Fields", self.fields_model, self.tabs)
        self.fields.view.horizontalHeader().hide()
        self.notes = DetailTab("notesTab", "Notes", self.notes_model, self.tabs)
        self.activities = DetailTab(
            "activitiesTab", "Activities", self.activities_model, self.tabs, sortable=True
        )
        self.sales = DetailTab("salesTab", "Sales", self.sales_model, self.tabs, sortable=True)
        self.documents = DetailTab(
            "documentsTab", "Documents", self.documents_model, self.tabs, sortable=True
        )
        for tab in (self.fields, self.notes, self.activities, self.sales, self.documents):
            self.tabs.addTab(tab, tab.title)

    def tab_pages(self) -> list[DetailTab]:
        return [self.fields, self.notes, self.activities, self.sales, self.documents]

    def bind_documents(
        self, files: DocumentFiles, attacher: Attacher | None, current: ContactGetter
    ) -> DocumentsWidget:
        """The Documents tab with Open, Save as… and Attach… for the signed-in account."""
        from snx_desktop.ui.documents import DocumentsWidget

        docs = DocumentsWidget(files, attacher, current=current, parent=self.documents)
        self.documents.show_editor(docs)
        docs.set_documents(self.documents_model.records())
        self.documents_widget = docs
        return docs

    def show_editable(self, detail: Detail) -> None:
        super().show_editable(detail)
        if self.documents_widget is not None:
            self.documents_widget.set_documents(detail.documents, stale=detail.from_cache)

    def unbind_features(self) -> None:
        docs, self.documents_widget = self.documents_widget, None
        if docs is not None:
            docs.bind(None)
            self.documents.drop_editor()
        super().unbind_features()

    def update_tab_titles(self) -> None:
        for i, tab in enumerate(self.tab_pages()):
            n = tab.model.rowCount()
            title = tab.title if tab is self.fields or not n else f"{tab.title} ({n})"
            self.tabs.setTabText(i, title)


class GroupView(_EditableView):
    """Header + ``groupTabs`` (fields, members, notes, activities, sales)."""

    kind = "group"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = Header(self)
        layout.addWidget(self.header)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("groupTabs")
        self.tabs.setUsesScrollButtons(False)  # every tab in sight: the pane keeps their width
        self.tabs.setAccessibleName("Group details")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.fields_model = FieldsModel(self)
        self.members_model = RecordTableModel(parent=self)
        self.notes_model = RecordTableModel(parent=self)
        self.activities_model = RecordTableModel(parent=self)
        self.sales_model = RecordTableModel(parent=self)
        self.fields = DetailTab("groupFieldsTab", "Fields", self.fields_model, self.tabs)
        self.fields.view.horizontalHeader().hide()
        self.members = DetailTab(
            "membersTab", "Members", self.members_model, self.tabs, sortable=True
        )
        self.notes = DetailTab("groupNotesTab", "Notes", self.notes_model, self.tabs)
        self.activities = DetailTab(
            "groupActivitiesTab", "Activities", self.activities_model, self.tabs, sortable=True
        )
        self.sales = DetailTab("groupSalesTab", "Sales", self.sales_model, self.tabs, sortable=True)
        for tab in self.tab_pages():
            self.tabs.addTab(tab, tab.title)

    def tab_pages(self) -> list[DetailTab]:
        return [self.fields, self.members, self.notes, self.activities, self.sales]

    def update_tab_titles(self) -> None:
        for i, tab in enumerate(self.tab_pages()):
            n = tab.model.rowCount()
            title = tab.title if tab is self.fields or not n else f"{tab.title} ({n})"
            self.tabs.setTabText(i, title)


class RecordView(QWidget):
    """Header + the fields of an activity, a sale or a campaign."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = Header(self)
        layout.addWidget(self.header)
        self.fields_model = FieldsModel(self)
        self.fields = DetailTab("recordFieldsTab", "Fields", self.fields_model, self)
        self.fields.view.horizontalHeader().hide()
        layout.addWidget(self.fields, 1)

    def show_values(self, title: str, subtitle: str, rows: Mapping[str, object]) -> None:
        """Show label -> text pairs (already formatted)."""
        from snx_desktop.models.schema import FieldDef

        fields = [FieldDef(id=label, table="", label=label) for label in rows]
        self.fields.set_note("")
        self.header.set_contact(title, subtitle, "", "")
        self.fields_model.set_record(fields, {k: str(v) for k, v in rows.items()})
        self.fields.fit_first_column()
