"""The sandbox's field catalogue, demo users and per-user layouts.

Field ids share one id space across the Contact, Group, Sales, Activity and Note tables and
reuse the ids of the vendor reference's examples (47 company, 48 full name, 133 e-mail, ...).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

# field types (the contract's codes)
TEXT, CURRENCY, DATE, NUMBER, PHONE, TIME, CHECKBOX, PERCENT, IMAGE = range(9)

CONTACT, GROUP, SALES, ACTIVITY, NOTE = "Contact", "Group", "Sales", "Activity", "Note"
TABLES = (CONTACT, GROUP, SALES, ACTIVITY, NOTE)


@dataclass(frozen=True)
class Field:
    """One field of the catalogue."""

    fid: int
    table: str
    label: str
    type: int = TEXT
    read_only: bool = False
    role: str = ""

    def as_json(self) -> dict[str, str]:
        """The field as ``get-all-fields`` writes it: ``table-name``, ``label``, ``unique-id``
        first and in this order (live clients slice the answer text), then the rest."""
        return {
            "table-name": self.table,
            "label": self.label,
            "unique-id": str(self.fid),
            "type": str(self.type),
            "read-only": "true" if self.read_only else "false",
            "role": self.role,
        }


# Contact
C_RECORD_ID = 1
C_PHONE = 35
C_MOBILE = 36
C_COMPANY = 47
C_NAME = 48
C_FIRST = 78
C_LAST = 79
C_TITLE = 94
C_CITY = 99
C_STATE = 100
C_ZIP = 101
C_COUNTRY = 102
C_OWNER = 120
C_EMAIL = 133
C_CREATED = 140
C_MODIFIED = 141
C_BIRTHDAY = 150
C_DO_NOT_CALL = 152
C_REVENUE = 153
C_EMAIL2 = 200
# Group
G_RECORD_ID = 2
G_NAME = 300
G_DESCRIPTION = 301
G_OWNER = 302
G_CREATED = 303
# Sales
S_CONTACT = 220
S_GROUP = 221
S_STATUS = 222
S_AMOUNT = 225
S_CLOSE_DATE = 226
S_PROBABILITY = 227
S_OWNER = 228
S_DETAILS = 231
S_STATE = 234

FIELDS: tuple[Field, ...] = (
    Field(C_RECORD_ID, CONTACT, "Record ID", TEXT, True, "record-id"),
    Field(C_NAME, CONTACT, "Full Name", TEXT, False, "name"),
    Field(C_FIRST, CONTACT, "First Name", TEXT, False, "first-name"),
    Field(C_LAST, CONTACT, "Last Name", TEXT, False, "last-name"),
    Field(C_COMPANY, CONTACT, "Company", TEXT, False, "company"),
    Field(C_TITLE, CONTACT, "Title"),
    Field(C_EMAIL, CONTACT, "E-mail", TEXT, False, "email"),
    Field(C_EMAIL2, CONTACT, "Second E-mail"),
    Field(C_PHONE, CONTACT, "Phone", PHONE, False, "phone"),
    Field(C_MOBILE, CONTACT, "Mobile Phone", PHONE),
    Field(C_CITY, CONTACT, "City"),
    Field(C_STATE, CONTACT, "State"),
    Field(C_ZIP, CONTACT, "Postal Code"),
    Field(C_COUNTRY, CONTACT, "Country"),
    Field(C_OWNER, CONTACT, "Record Manager", TEXT, False, "owner"),
    Field(C_BIRTHDAY, CONTACT, "Birthday", DATE),
    Field(C_DO_NOT_CALL, CONTACT, "Do Not Call", CHECKBOX),
    Field(C_REVENUE, CONTACT, "Annual Revenue", CURRENCY),
    Field(C_CREATED, CONTACT, "Create Date", DATE, True),
    Field(C_MODIFIED, CONTACT, "Last Modified", DATE, True),
    Field(G_RECORD_ID, GROUP, "Group ID", TEXT, True, "record-id"),
    Field(G_NAME, GROUP, "Group Name", TEXT, False, "name"),
    Field(G_DESCRIPTION, GROUP, "Description"),
    Field(G_OWNER, GROUP, "Group Owner", TEXT, False, "owner"),
    Field(G_CREATED, GROUP, "Create Date", DATE, True),
    Field(S_CONTACT, SALES, "Contact", TEXT, False, "contact-id"),
    Field(S_GROUP, SALES, "Group", TEXT, False, "group-id"),
    Field(S_STATUS, SALES, "Status", NUMBER),
    Field(S_DETAILS, SALES, "Details"),
    Field(S_STATE, SALES, "Sales State"),
    Field(S_AMOUNT, SALES, "Amount", CURRENCY),
    Field(S_CLOSE_DATE, SALES, "Close Date", DATE),
    Field(S_PROBABILITY, SALES, "Probability", PERCENT),
    Field(S_OWNER, SALES, "Sales Rep", TEXT, False, "owner"),
    Field(400, ACTIVITY, "Regarding"),
    Field(401, ACTIVITY, "Details"),
    Field(402, ACTIVITY, "Start Time", DATE),
    Field(403, ACTIVITY, "End Time", DATE),
    Field(404, ACTIVITY, "Type"),
    Field(405, ACTIVITY, "Color"),
    Field(406, ACTIVITY, "Timeless", CHECKBOX),
    Field(407, ACTIVITY, "Completed", CHECKBOX),
    Field(408, ACTIVITY, "Result"),
    Field(409, ACTIVITY, "Scheduled With", TEXT, False, "contact-id"),
    Field(410, ACTIVITY, "Scheduled For", TEXT, False, "owner"),
    Field(411, ACTIVITY, "Group", TEXT, False, "group-id"),
    Field(500, NOTE, "Details"),
    Field(501, NOTE, "Type", NUMBER),
    Field(502, NOTE, "Create Date", DATE, True),
    Field(503, NOTE, "User", TEXT, False, "owner"),
    Field(504, NOTE, "Contact", TEXT, False, "contact-id"),
    Field(505, NOTE, "Group", TEXT, False, "group-id"),
)

FIELDS_BY_ID: dict[int, Field] = {f.fid: f for f in FIELDS}


def table_fields(table: str) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.table == table)


CONTACT_FIELD_IDS = tuple(f.fid for f in table_fields(CONTACT))
GROUP_FIELD_IDS = tuple(f.fid for f in table_fields(GROUP))
SALES_FIELD_IDS = tuple(f.fid for f in table_fields(SALES))


@dataclass(frozen=True)
class User:
    """A demo user of the sandbox (passwords are demo values, shown in the docs)."""

    user_id: str
    name: str
    email: str
    password: str
    security_level: str

    def as_json(self) -> dict[str, str]:
        return {
            "user-id": self.user_id,
            "name": self.name,
            "email-address": self.email,
            "security-level": self.security_level,
        }


_NS = uuid.UUID("6f1d5a52-3c1b-4f7e-9a55-0d6a2b1c9e01")


def stable_id(*parts: str) -> str:
    """A lower-case GUID that depends only on ``parts`` (same in every run)."""
    return str(uuid.uuid5(_NS, "/".join(parts)))


USERS: tuple[User, ...] = (
    User(stable_id("user", "demo"), "Dana Demo", "demo@example.com", "demo", "admin"),
    User(stable_id("user", "alex"), "Alex Rivera", "alex@example.com", "alex", "user"),
    User(stable_id("user", "sam"), "Sam Okafor", "sam@example.com", "sam", "user"),
    User(stable_id("user", "admin"), "Pat Admin", "admin@example.com", "admin", "admin"),
)
DEMO_USER = USERS[0]
USERS_BY_ID: dict[str, User] = {u.user_id: u for u in USERS}

_STANDARD_LAYOUTS: dict[str, tuple[int, ...]] = {
    CONTACT: (
        C_NAME,
        C_COMPANY,
        C_TITLE,
        C_EMAIL,
        C_PHONE,
        C_MOBILE,
        C_CITY,
        C_STATE,
        C_OWNER,
        C_CREATED,
    ),
    GROUP: (G_NAME, G_DESCRIPTION, G_OWNER, G_CREATED),
    SALES: (S_DETAILS, S_CONTACT, S_STATUS, S_STATE, S_AMOUNT, S_CLOSE_DATE, S_OWNER),
    ACTIVITY: (400, 402, 403, 404, 409, 410, 407),
    NOTE: (502, 501, 500, 503, 504),
}
_EXTRA_LAYOUTS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("Compact", CONTACT, (C_NAME, C_COMPANY, C_EMAIL, C_PHONE)),
    ("Full Details", CONTACT, tuple(f for f in CONTACT_FIELD_IDS if f != C_RECORD_ID)),
    ("Pipeline", SALES, (S_DETAILS, S_STATE, S_AMOUNT, S_PROBABILITY, S_CLOSE_DATE)),
)


def layouts_for(user: User) -> list[dict[str, object]]:
    """The layouts of one user: a standard default per table plus a few of the user's own."""
    out: list[dict[str, object]] = []
    for table in TABLES:
        out.append(
            {
                "layout-id": stable_id("layout", user.email, table, "standard"),
                "name": f"Standard {table}",
                "table-name": table,
                "user-id": user.user_id,
                "is-default": "true",
                "is-standard": "true",
                "field-ids": [str(f) for f in _STANDARD_LAYOUTS[table]],
            }
        )
    for name, table, ids in _EXTRA_LAYOUTS:
        out.append(
            {
                "layout-id": stable_id("layout", user.email, table, name),
                "name": name,
                "table-name": table,
                "user-id": user.user_id,
                "is-default": "false",
                "is-standard": "false",
                "field-ids": [str(f) for f in ids],
            }
        )
    return out
