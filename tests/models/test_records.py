"""Detail models, pending-changes model, columns and value formatting."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from support.fields import (
    C_COMPANY,
    C_EMAIL,
    C_NAME,
    C_RECORD_ID,
    S_AMOUNT,
    S_CONTACT,
    S_DETAILS,
    S_STATUS,
)

from snx_desktop.models.columns import (
    activity_columns,
    document_columns,
    list_columns,
    note_columns,
    sales_columns,
)
from snx_desktop.models.pending import PendingOpsModel
from snx_desktop.models.records import FieldsModel, RecordTableModel
from snx_desktop.models.roles import FetchState, Roles
from snx_desktop.models.schema import (
    CURRENCY,
    DATE,
    FieldDef,
    LayoutDef,
    Lookups,
    columns_for_table,
    field_from,
    format_age,
    format_value,
    layout_from,
)
from snx_desktop.services.types import PendingOp

USER = "0f0e0d0c-0b0a-4909-8807-060504030201"
CONTACT = "11111111-2222-4333-8444-555555555555"

FIELDS = [
    FieldDef(C_RECORD_ID, "Contact", "Record ID", role="record-id", read_only=True),
    FieldDef(C_NAME, "Contact", "Full Name", role="name"),
    FieldDef(C_COMPANY, "Contact", "Company", role="company"),
    FieldDef(C_EMAIL, "Contact", "E-mail", role="email"),
    FieldDef("90", "Contact", "Record Manager", role="owner"),
    FieldDef("91", "Contact", "Create Date", type=DATE),
    FieldDef(S_CONTACT, "Sales", "Contact", role="contact-id"),
    FieldDef(S_STATUS, "Sales", "Status"),
    FieldDef(S_DETAILS, "Sales", "Details"),
    FieldDef(S_AMOUNT, "Sales", "Amount", type=CURRENCY),
]
LAYOUTS = [
    LayoutDef("a", "Mine", "Contact", True, (C_NAME, C_COMPANY, C_EMAIL, C_RECORD_ID, "90", "91")),
    LayoutDef("b", "Sales", "Sales", True, (S_CONTACT, S_STATUS, S_DETAILS, S_AMOUNT)),
]


def _lookups() -> Lookups:
    return Lookups(users={USER: "Pat Admin"}, contacts={CONTACT: "Ann Lee"})


def test_columns_follow_the_default_layout_without_record_ids() -> None:
    cols = columns_for_table("Contact", FIELDS, LAYOUTS)
    assert [c.label for c in cols] == [
        "Full Name",
        "Company",
        "E-mail",
        "Record Manager",
        "Create Date",
    ]
    other = [LayoutDef("x", "Other", "Contact", False, (C_COMPANY,))]
    assert [c.key for c in columns_for_table("Contact", FIELDS, other)] == [C_COMPANY]


def test_values_are_shown_for_people() -> None:
    lk = _lookups()
    assert format_value(USER, lookups=lk) == "Pat Admin"
    assert format_value("9b2e7c8a-0000-4000-8000-000000000000", lookups=lk) == ""
    shown = format_value("2026-03-04T14:30:00", DATE).replace("\u202f", " ")
    assert shown in ("Mar 4, 2026 2:30 PM", "Mar 4, 2026 14:30")
    assert format_value("2026-03-04T00:00:00", DATE) == "Mar 4, 2026"
    assert format_value("1234.5", CURRENCY).endswith("1,234.50")
    assert format_value("true", 6) == "Yes"
    assert format_age(None) == "never updated"
    assert format_age(time.time() - 125) == "2 min ago"


def test_fields_model_lays_out_a_record(qtmodeltester: Any) -> None:
    model = FieldsModel()
    qtmodeltester.check(model)
    layout = [f for f in FIELDS if f.table == "Contact"]
    model.set_record(
        layout, {C_RECORD_ID: CONTACT, C_NAME: "Ann Lee", "90": USER, "91": "2026-01-02T09:00:00"}
    )
    assert model.rowCount() == 5  # the record-id field is not shown
    assert model.index(0, 0).data() == "Full Name"
    assert model.index(0, 1).data() == "Ann Lee"
    model.lookups.users[USER] = "Pat Admin"
    assert model.index(3, 1).data() == "Pat Admin"
    assert model.index(3, 1).data(Qt.ItemDataRole.EditRole) == USER
    assert model.index(4, 1).data().startswith("Jan 2, 2026")
    assert isinstance(model.index(0, 0).data(Roles.RECORD), FieldDef)
    model.set_record(layout, {C_NAME: "Ann"}, hide_empty=True)
    assert model.rowCount() == 1
    model.clear()
    assert model.rowCount() == 0


def test_record_table_models_for_each_tab(qtmodeltester: Any) -> None:
    lk = _lookups()
    notes = RecordTableModel(note_columns(lk))
    qtmodeltester.check(notes)
    notes.set_records(
        [
            {
                "note-id": "n2",
                "type": "2",
                "details": "Called\nback",
                "user-id": USER,
                "created-date": "2026-02-01T10:00:00",
            },
            {
                "note-id": "n1",
                "type": "1",
                "details": "Met",
                "user-id": USER,
                "created-date": "2026-01-01T10:00:00",
            },
        ],
        stale=True,
    )
    assert [notes.index(0, c).data() for c in range(1, 4)] == ["Call", "Called back", "Pat Admin"]
    assert notes.index(0, 0).data(Roles.RECORD_ID) == "n2"
    assert notes.index(0, 0).data(Roles.FETCH_STATE) is FetchState.STALE

    acts = RecordTableModel(activity_columns(lk))
    qtmodeltester.check(acts)
    acts.set_records(
        [
            {
                "activity-id": "a1",
                "type": "call",
                "regarding": "Renewal",
                "schedule-with": CONTACT,
                "schedule-for": USER,
                "start-time": "2020-01-01T10:00:00",
                "completed": "false",
            },
            {
                "activity-id": "a2",
                "type": "todo",
                "regarding": "Send quote",
                "completed": "true",
                "start-time": "2020-01-01T10:00:00",
            },
        ]
    )
    labels = [c.label for c in acts.columns]
    assert acts.index(0, labels.index("With")).data() == "Ann Lee"
    assert acts.index(0, labels.index("Status")).data() == "Overdue"
    assert acts.index(1, labels.index("Status")).data() == "Done"
    assert acts.index(1, labels.index("Type")).data() == "To-do"

    docs = RecordTableModel(document_columns())
    qtmodeltester.check(docs)
    docs.set_records(
        [
            {
                "document-id": "d1",
                "file-name": "a.pdf",
                "size": "2048",
                "created-date": "2026-01-05T08:00:00",
            }
        ]
    )
    assert [docs.index(0, c).data() for c in range(2)] == ["a.pdf", "2.0 KB"]

    sales = RecordTableModel(sales_columns(FIELDS, LAYOUTS, lk))
    qtmodeltester.check(sales)
    sales.set_records(
        [{"id": "s1", S_CONTACT: CONTACT, S_STATUS: "1", S_DETAILS: "Deal", S_AMOUNT: "99"}]
    )
    assert [sales.index(0, c).data() for c in range(3)] == ["Ann Lee", "Won", "Deal"]
    assert sales.index(0, 3).data(Roles.SORT) == 99.0

    assert next(c.label for c in list_columns("contact", FIELDS, LAYOUTS, lk)) == "Full Name"


def test_pending_ops_model(qtmodeltester: Any) -> None:
    labels = {C_NAME: "Full Name"}
    model = PendingOpsModel(label=lambda key: labels.get(key, key))
    qtmodeltester.check(model)
    op = PendingOp(
        op_id=7,
        op="update-contact",
        target=("contact", CONTACT),
        summary="Update Ann Lee",
        changes={C_NAME: ("Ann Lee", "Ann Lee-Smith")},
        state="failed",
        error="The server refused the change.",
        created_at=time.time(),
    )
    model.set_ops([op])
    assert model.rowCount() == 1
    values = [model.index(0, c).data() for c in range(model.columnCount())]
    assert values[0] == "Update Ann Lee"
    assert values[1] == "Full Name: Ann Lee → Ann Lee-Smith"
    assert values[2] == "Failed"
    assert values[3] == "The server refused the change."
    assert model.index(0, 0).data(Roles.RECORD_ID) == "7"
    assert model.index(0, 0).data(Roles.RECORD)["op"] is op


def test_schema_objects_read_from_api_dicts_and_service_objects() -> None:
    from snx_desktop.services.schema import FieldInfo

    f = field_from(
        {
            "unique-id": C_NAME,
            "table-name": "Contact",
            "label": "Full Name",
            "type": "0",
            "read-only": "false",
            "role": "name",
        }
    )
    assert f == FieldDef(C_NAME, "Contact", "Full Name", 0, False, "name")
    g = field_from(FieldInfo(C_COMPANY, "Contact", "Company", 0, True, "company"))
    assert g == FieldDef(C_COMPANY, "Contact", "Company", 0, True, "company")
    lay = layout_from(
        {
            "layout-id": "l",
            "name": "Mine",
            "table-name": "Contact",
            "is-default": "true",
            "field-ids": [C_NAME, C_COMPANY],
        }
    )
    assert lay.is_default
    assert lay.field_ids == (C_NAME, C_COMPANY)
