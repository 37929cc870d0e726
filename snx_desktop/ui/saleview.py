"""What a sale's details say: every field of the Sales table, read-only.

The fields of the Sales layout come first, in its order and drawn as the Sales list draws
them (status as Open/Won/Lost, the contact and group by name); every other Sales field
follows where the sale has a value for it (a sale on a group, its probability), so nothing
the server holds for the sale is hidden from the rep.
"""

from __future__ import annotations

from collections.abc import Mapping

from snx_desktop.models.columns import sales_columns
from snx_desktop.models.schema import Column, Lookups
from snx_desktop.models.sources import SchemaView

__all__ = ["sale_rows"]

#: roles never shown as a field (the record's own id)
_HIDDEN_ROLES = ("record-id",)
#: roles whose value is another record's id, shown by that record's name
_LINK_ROLES = ("contact-id", "group-id")


def sale_rows(record: Mapping[str, str], schema: SchemaView, lookups: Lookups) -> dict[str, str]:
    """The label -> text rows of a sale's details: the layout's fields, then the others."""
    columns = sales_columns(schema.fields, schema.layouts, lookups)
    rows = {c.label: c.display(record, lookups) for c in columns}
    shown = {c.key for c in columns}
    for f in schema.fields:
        if f.table.lower() != "sales" or f.id in shown or f.role in _HIDDEN_ROLES:
            continue
        value = str(record.get(f.id, "") or "").strip()
        if not value or f.label in rows:
            continue
        if f.role in _LINK_ROLES:
            rows[f.label] = lookups.name_for(value, resolve=True) or value
        else:
            rows[f.label] = Column(f.id, f.label, kind=f.type).display(record, lookups)
    return rows
