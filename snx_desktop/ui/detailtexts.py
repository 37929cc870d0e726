"""What the detail pane writes for a record: a contact's header line, a group's subtitle, an
activity's rows and the state line, from the record (plain functions, no widgets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from snx_desktop.api.values import as_bool
from snx_desktop.models.columns import activity_state, format_moment
from snx_desktop.models.schema import Lookups, format_age
from snx_desktop.models.sources import SchemaView

if TYPE_CHECKING:
    from snx_desktop.services.types import Detail

__all__ = ["activity_rows", "contact_header", "group_subtitle", "state_text"]

ACTIVITY_TYPES = {"call": "Call", "meeting": "Meeting", "todo": "To-do"}


def contact_header(schema: SchemaView, fields: Mapping[str, str]) -> tuple[str, str, str, str]:
    """A contact's name, subtitle (title · company), e-mail and phone."""

    def value(role: str) -> str:
        fid = schema.role("Contact", role)
        return str(fields.get(fid, "") or "").strip() if fid else ""

    name = schema.display_name("Contact", fields)
    company = value("company")
    title = ""
    for f in schema.fields:
        if f.table == "Contact" and f.label.lower() in ("title", "job title"):
            title = str(fields.get(f.id, "") or "")
            break
    subtitle = " · ".join(p for p in (title, company) if p and p != name)
    return name, subtitle, value("email"), value("phone")


def group_subtitle(schema: SchemaView, fields: Mapping[str, str]) -> str:
    """A group's description, when its layout has one."""
    for f in schema.layout_fields("Group"):
        if f.role in ("", "description") and f.type == 0 and "desc" in f.label.lower():
            return str(fields.get(f.id, "") or "")
    return ""


def activity_rows(rec: Mapping[str, str], lookups: Lookups) -> dict[str, str]:
    """An activity's rows for its details: label -> text, with no rows of blanks (but the
    regarding, type, start and status, always)."""

    def text(key: str) -> str:
        return str(rec.get(key, "") or "")

    all_day = as_bool(text("timeless"))
    rows = {
        "Regarding": text("regarding"),
        "Type": ACTIVITY_TYPES.get(text("type"), text("type")),
        "Starts": format_moment(text("start-time"), all_day=all_day),
        "Ends": format_moment(text("end-time"), all_day=all_day),
        "All day": "Yes" if all_day else "No",
        "With": lookups.name_for(text("schedule-with"), resolve=True),
        "Group": lookups.name_for(text("group-id"), resolve=True),
        "Scheduled for": lookups.name_for(text("schedule-for")),
        "Status": activity_state(rec),
        "Result": text("result"),
        "Details": text("details"),
    }
    keep = ("Regarding", "Type", "Starts", "Status")
    return {k: v for k, v in rows.items() if v or k in keep}


def state_text(detail: Detail, note: str, online: bool) -> str:
    """The detail header's state line: how fresh the copy shown is (``note`` "updating": a
    fresh copy is on its way), and whether unsent changes wait."""
    parts: list[str] = []
    if detail.from_cache:
        age = format_age(detail.fetched_at)
        if note == "updating":
            parts.append(f"Saved copy from {age}, updating…")
        elif online:
            parts.append(f"Saved copy from {age}")
        else:
            parts.append(f"Offline copy, saved {age}")
    else:
        parts.append(f"Updated {format_age(detail.fetched_at)}")
    if detail.pending:
        parts.append("unsent changes waiting")
    return "  ·  ".join(parts)
