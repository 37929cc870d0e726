"""The 37 ``call-v1`` functions of the vendor reference, as the contract describes them."""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from . import catalogue as cat
from .errors import (
    INVALID_LOGIN,
    PAYLOAD_TOO_LARGE,
    CallError,
    invalid,
    missing,
    not_found,
)
from .params import (
    Params,
    boolean,
    color,
    field_id,
    field_map,
    format_datetime,
    guid,
    norm,
    parse_datetime,
)
from .permissions import check_acting_as, check_activity, check_records, is_admin
from .registry import PAGING, Ctx, call
from .storage import (
    activity_record,
    contact_record,
    decode_data,
    encode_data,
    group_record,
    group_sort_key,
    insert_contact,
    note_record,
    now_text,
    sales_record,
    sales_search,
    update_contact_row,
)

NOTE_TYPES = {
    "note": 1,
    "call": 2,
    "meeting": 3,
    "todo": 4,
    "to-do": 4,
    "task": 4,
    "email": 5,
    "e-mail": 5,
}
ACTIVITY_TYPES = {
    "call": "call",
    "meeting": "meeting",
    "todo": "todo",
    "to-do": "todo",
    "task": "todo",
}
ACTIVITY_NOTE_TYPE = {"call": 2, "meeting": 3, "todo": 4}
DEFAULT_COLORS = {"call": "3A7BD5", "meeting": "2E9E5B", "todo": "E0A100"}
MAX_REGARDING = 10_000
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def new_id() -> str:
    return str(uuid.uuid4())


def listing(kind: str, total: int, items: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The contract's one list shape."""
    return {
        f"{kind}-list": {
            "total-record-count": str(total),
            f"{kind}-ids": [i for i, _ in items],
            f"{kind}-info": dict(items),
        }
    }


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_ids(ctx: Ctx, table: str, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        rows = ctx.db.all(f"SELECT id FROM {table} WHERE id IN ({marks})", part)
        found.update(r[0] for r in rows)
    return found


def _rows_of(ctx: Ctx, table: str, ids: Sequence[str]) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        rows.extend(ctx.db.all(f"SELECT id, data FROM {table} WHERE id IN ({marks})", part))
    return rows


def _contact_row(ctx: Ctx, contact_id: str) -> sqlite3.Row:
    row = ctx.db.one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    if row is None:
        raise not_found("contact", contact_id)
    return row


def _group_row(ctx: Ctx, group_id: str) -> sqlite3.Row:
    row = ctx.db.one("SELECT * FROM groups WHERE id = ?", (group_id,))
    if row is None:
        raise not_found("group", group_id)
    return row


def _activity_row(ctx: Ctx, activity_id: str) -> sqlite3.Row:
    row = ctx.db.one("SELECT * FROM activities WHERE id = ?", (activity_id,))
    if row is None:
        raise not_found("activity", activity_id)
    return row


def _user(user_id: str) -> cat.User:
    user = cat.USERS_BY_ID.get(user_id)
    if user is None:
        raise not_found("user", user_id)
    return user


def _normalise_values(name: str, values: dict[int, str]) -> dict[int, str]:
    """Checks typed fields and brings them to one form (dates, check boxes, numbers)."""
    out: dict[int, str] = {}
    for fid, value in values.items():
        fdef = cat.FIELDS_BY_ID[fid]
        text = value.strip() if fdef.type != cat.TEXT else value
        if text == "":
            out[fid] = ""
        elif fdef.type == cat.DATE:
            out[fid] = format_datetime(parse_datetime(text, f"{name}/{fid}"))
        elif fdef.type == cat.CHECKBOX:
            out[fid] = "true" if boolean(text, f"{name}/{fid}") else "false"
        elif fdef.type in (cat.CURRENCY, cat.NUMBER, cat.PERCENT):
            if not _NUMBER.match(text.replace(",", "")):
                raise invalid(f"{name}/{fid}", "expected a number")
            out[fid] = text.replace(",", "")
        elif fdef.role in ("owner", "contact-id", "group-id"):
            out[fid] = guid(text, f"{name}/{fid}")
        else:
            out[fid] = value
    return out


def _check_owner(values: dict[int, str], owner_field: int) -> None:
    owner = values.get(owner_field, "")
    if owner:
        _user(owner)


# ----------------------------------------------------------------------------- basics


@call("greet", token=False)
def greet(ctx: Ctx, p: Params) -> dict[str, Any]:
    return {"message": "Hello World!"}


@call("echo", token=False, optional=("data",))
def echo(ctx: Ctx, p: Params) -> dict[str, Any]:
    if not p.has("data"):
        raise missing("data")
    return {"data": p.raw["data"]}


@call("get-login-token", token=False, required=("email-address", "password"))
def get_login_token(ctx: Ctx, p: Params) -> dict[str, Any]:
    email = p.text("email-address", required=True, limit=1000).strip().casefold()
    password = p.text("password", required=True, limit=1000)
    for user in cat.USERS:
        if user.email == email and user.password == password:
            return {"login-token": ctx.sessions.login(user)}
    raise CallError(INVALID_LOGIN, "The e-mail address or the password is wrong.")


@call("get-all-fields")
def get_all_fields(ctx: Ctx, p: Params) -> dict[str, Any]:
    items = [(str(f.fid), f.as_json()) for f in cat.FIELDS]
    return listing("field", len(items), items)


@call("get-user-layouts", optional=("user-id",))
def get_user_layouts(ctx: Ctx, p: Params) -> dict[str, Any]:
    user_id = p.guid("user-id") or ctx.me.user_id
    user = _user(user_id)
    items = [(str(layout["layout-id"]), layout) for layout in cat.layouts_for(user)]
    return listing("layout", len(items), items)


@call("get-users")
def get_users(ctx: Ctx, p: Params) -> dict[str, Any]:
    items = [(u.user_id, u.as_json()) for u in cat.USERS]
    return listing("user", len(items), items)


# ----------------------------------------------------------------------------- contacts


def _merge_contact(old: dict[int, str], new: dict[int, str]) -> dict[int, str]:
    merged = {**old, **new}
    if (cat.C_FIRST in new or cat.C_LAST in new) and cat.C_NAME not in new:
        old_joined = " ".join(
            v for v in (old.get(cat.C_FIRST, "").strip(), old.get(cat.C_LAST, "").strip()) if v
        )
        if old.get(cat.C_NAME, "").strip() in ("", old_joined):
            merged[cat.C_NAME] = " ".join(
                v
                for v in (merged.get(cat.C_FIRST, "").strip(), merged.get(cat.C_LAST, "").strip())
                if v
            )
    return merged


def _create_contact(ctx: Ctx, values: dict[int, str]) -> str:
    data = _merge_contact({}, values)
    if not data.get(cat.C_OWNER):
        data[cat.C_OWNER] = ctx.me.user_id
    contact_id = new_id()
    with ctx.db.lock:
        insert_contact(ctx.db.conn, contact_id, data, now_text())
    return contact_id


def _contact_values(p: Params, name: str) -> dict[int, str]:
    raw = p.object(name)
    assert raw is not None
    values = _normalise_values(name, field_map(name, raw, cat.CONTACT, writing=True))
    return values


@call("create-contact", required=("contact-field-data",))
def create_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    values = _contact_values(p, "contact-field-data")
    _check_owner(values, cat.C_OWNER)
    return {"contact-id": _create_contact(ctx, values)}


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def _count_contacts(ctx: Ctx) -> int:
    total = ctx.db.cached_count("contacts")
    if total is None:
        total = int(ctx.db.scalar("SELECT count(*) FROM contacts"))
        ctx.db.cache_count("contacts", total)
    return total


@call("get-contacts", optional=PAGING)
def get_contacts(ctx: Ctx, p: Params) -> dict[str, Any]:
    flt, offset, size = p.paging()
    needle = norm(flt)
    page = (
        "SELECT c.* FROM ({ids}) AS page JOIN contacts AS c ON c.rid = page.rid"
        " ORDER BY c.sort_key, c.id"
    )
    scan = (
        "SELECT rid FROM contacts WHERE instr(search, ?) > 0 ORDER BY sort_key, id LIMIT ? OFFSET ?"
    )
    if not needle:
        total = _count_contacts(ctx)
        ids = "SELECT rid FROM contacts ORDER BY sort_key, id LIMIT ? OFFSET ?"
        rows = ctx.db.all(page.format(ids=ids), (size, offset))
    elif len(needle) >= 3 and "\x00" not in needle:
        # The trigram index counts the matches at once. When they are dense, walking the
        # ordered index finds a page sooner than sorting every match; else sort the matches.
        phrase = '"' + needle.replace('"', '""') + '"'
        total = int(
            ctx.db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", (phrase,))
        )
        if total == 0 or offset >= total:
            rows = []
        elif (offset + size) * _count_contacts(ctx) < total * total * 6:
            rows = ctx.db.all(page.format(ids=scan), (needle, size, offset))
        else:
            ids = (
                "SELECT c.rid FROM contacts_fts AS f CROSS JOIN contacts AS c"
                " ON c.rid = f.rowid WHERE contacts_fts MATCH ?"
                " ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?"
            )
            rows = ctx.db.all(page.format(ids=ids), (phrase, size, offset))
    else:
        cached = ctx.db.cached_count("contacts:" + needle)
        if cached is None:
            cached = int(
                ctx.db.scalar("SELECT count(*) FROM contacts WHERE instr(search, ?) > 0", (needle,))
            )
            ctx.db.cache_count("contacts:" + needle, cached)
        total = cached
        rows = ctx.db.all(page.format(ids=scan), (needle, size, offset))
    return listing("contact", total, [(r["id"], contact_record(r)) for r in rows])


@call("get-contact-info", required=("contact-id",))
def get_contact_info(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    row = _contact_row(ctx, contact_id)
    return {"contact-id": contact_id, "field-data": contact_record(row)}


@call("get-notes-for-contact", required=("contact-id",), optional=PAGING)
def get_notes_for_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    _contact_row(ctx, contact_id)
    rows = ctx.db.all(
        "SELECT * FROM notes WHERE contact_id = ? ORDER BY created DESC, id", (contact_id,)
    )
    return listing("note", len(rows), [(r["id"], note_record(r)) for r in rows])


@call("get-sales-for-contact", required=("contact-id",), optional=PAGING)
def get_sales_for_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    _contact_row(ctx, contact_id)
    rows = ctx.db.all("SELECT * FROM sales WHERE contact_id = ? ORDER BY rid", (contact_id,))
    return listing("sales", len(rows), [(r["id"], sales_record(r)) for r in rows])


def document_json(ctx: Ctx, row: sqlite3.Row) -> dict[str, str]:
    return {
        "document-id": row["id"],
        "contact-id": row["contact_id"],
        "file-name": row["file_name"],
        "size": str(row["size"]),
        "created-date": row["created"],
        "url": f"{ctx.base_url}/documents/{row['id']}",
    }


@call("get-docs-for-contact", required=("contact-id",), optional=PAGING)
def get_docs_for_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    _contact_row(ctx, contact_id)
    rows = ctx.db.all(
        "SELECT id, contact_id, file_name, size, created FROM documents WHERE contact_id = ?"
        " ORDER BY created, rid",
        (contact_id,),
    )
    return listing("document", len(rows), [(r["id"], document_json(ctx, r)) for r in rows])


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


@call("add-doc-to-contact", required=("contact-id", "file-name", "base64-data"))
def add_doc_to_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    raw_name = p.text("file-name", required=True, limit=10_000)
    file_name = _UNSAFE_NAME.sub("", raw_name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if not file_name or file_name in (".", ".."):
        raise invalid("file-name", "not a usable file name")
    if len(file_name) > 255:
        raise invalid("file-name", "longer than 255 characters")
    data = p.raw["base64-data"]
    if not isinstance(data, str):
        raise invalid("base64-data", "expected base64 text")
    limit = ctx.config.max_document_bytes
    too_large = CallError(
        PAYLOAD_TOO_LARGE, f"The document is larger than the limit of {limit} bytes."
    )
    compact = "".join(data.split())
    if not compact.rstrip("="):  # blanks (or bare padding) hold no document at all
        raise missing("base64-data")
    if len(compact) // 4 * 3 - 2 > limit:  # refuse before decoding
        raise too_large
    compact += "=" * (-len(compact) % 4)
    try:
        content = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("base64-data", "not valid base64") from None
    if len(content) > limit:
        raise too_large
    _contact_row(ctx, contact_id)
    doc_id = new_id()
    ctx.db.execute(
        "INSERT INTO documents (id, contact_id, file_name, size, created, content)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (doc_id, contact_id, file_name, len(content), now_text(), content),
    )
    return {"document-id": doc_id, "file-name": file_name, "size": str(len(content))}


def _match_map(p: Params, table: str) -> dict[int, str]:
    raw = p.object("match-by-field-data")
    assert raw is not None
    match = field_map("match-by-field-data", raw, table, writing=False)
    if not match:
        raise invalid("match-by-field-data", "it is empty and would match every record")
    return match


def _contact_matches(row: sqlite3.Row, fid: int, value: str) -> bool:
    if fid == cat.C_RECORD_ID:
        stored = row["id"]
    elif fid == cat.C_CREATED:
        stored = row["created"]
    elif fid == cat.C_MODIFIED:
        stored = row["modified"]
    else:
        stored = decode_data(row["data"]).get(fid, "")
    return norm(stored) == norm(value)


def find_contacts(ctx: Ctx, match: dict[int, str]) -> list[sqlite3.Row]:
    """Every contact whose fields equal all of ``match`` (trimmed, case-insensitive)."""
    conn = ctx.db.conn
    candidate_sql: list[str] = []
    args: list[Any] = []
    for fid, value in match.items():
        n = norm(value)
        if fid == cat.C_RECORD_ID:
            candidate_sql.append("SELECT rid FROM contacts WHERE id = ?")
            args.append(n)
        elif fid in (cat.C_CREATED, cat.C_MODIFIED):
            continue
        elif n:
            candidate_sql.append("SELECT rid FROM contact_values WHERE field = ? AND value = ?")
            args.extend((fid, n))
        else:
            candidate_sql.append(
                "SELECT rid FROM contacts WHERE rid NOT IN"
                " (SELECT rid FROM contact_values WHERE field = ?)"
            )
            args.append(fid)
    if candidate_sql:
        sql = f"SELECT * FROM contacts WHERE rid IN ({' INTERSECT '.join(candidate_sql)})"
    else:
        sql = "SELECT * FROM contacts"
    with ctx.db.lock:
        rows = conn.execute(sql + " ORDER BY sort_key, id", args).fetchall()
    return [r for r in rows if all(_contact_matches(r, f, v) for f, v in match.items())]


@call(
    "update-contact",
    required=("match-by-field-data", "contact-field-data"),
    optional=("create-if-not-updated",),
)
def update_contact(ctx: Ctx, p: Params) -> dict[str, Any]:
    match = _match_map(p, cat.CONTACT)
    values = _contact_values(p, "contact-field-data")
    create = p.boolean("create-if-not-updated")
    _check_owner(values, cat.C_OWNER)
    rows = find_contacts(ctx, match)
    check_records(ctx.me, "contact", "change", rows)
    ids: list[str] = []
    with ctx.db.lock:
        for row in rows:
            update_contact_row(
                ctx.db.conn, row["rid"], _merge_contact(decode_data(row["data"]), values)
            )
            ids.append(row["id"])
    if rows or not create:
        return {"updated-count": str(len(ids)), "contact-ids": ids, "created": "false"}
    seed = {f: v for f, v in match.items() if not cat.FIELDS_BY_ID[f].read_only}
    seed = _normalise_values("match-by-field-data", seed)
    contact_id = _create_contact(ctx, {**seed, **values})
    return {"updated-count": "0", "contact-ids": [contact_id], "created": "true"}


def _cascade_contacts(ctx: Ctx, ids: Sequence[str]) -> None:
    conn = ctx.db.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS doomed (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM doomed")
    conn.executemany("INSERT OR IGNORE INTO doomed (id) VALUES (?)", [(i,) for i in ids])
    conn.execute(
        "DELETE FROM contact_values WHERE rid IN"
        " (SELECT rid FROM contacts WHERE id IN (SELECT id FROM doomed))"
    )
    conn.execute("DELETE FROM contacts WHERE id IN (SELECT id FROM doomed)")
    for table in ("sales", "notes", "activities", "documents", "group_members", "campaign_members"):
        conn.execute(f"DELETE FROM {table} WHERE contact_id IN (SELECT id FROM doomed)")
    conn.execute("DELETE FROM doomed")


@call("delete-contacts", required=("contact-ids-to-delete",))
def delete_contacts(ctx: Ctx, p: Params) -> dict[str, Any]:
    ids = list(dict.fromkeys(p.guid_list("contact-ids-to-delete")))
    if not ids:
        raise invalid("contact-ids-to-delete", "no ids given")
    existing = _existing_ids(ctx, "contacts", ids)
    if not existing:
        raise CallError("NOT_FOUND", "None of the contacts exists; nothing was deleted.")
    if not is_admin(ctx.me):
        check_records(ctx.me, "contact", "delete", _rows_of(ctx, "contacts", sorted(existing)))
    with ctx.db.lock:
        _cascade_contacts(ctx, [i for i in ids if i in existing])
    return {
        "deleted-count": str(len(existing)),
        "not-found": [i for i in ids if i not in existing],
    }


def _row_matches_import(
    row: sqlite3.Row, values: dict[int, str], to_match: list[int], match_nulls: bool
) -> bool:
    stored_data = decode_data(row["data"])

    def stored(fid: int) -> str:
        if fid == cat.C_RECORD_ID:
            return str(row["id"])
        if fid == cat.C_CREATED:
            return str(row["created"])
        if fid == cat.C_MODIFIED:
            return str(row["modified"])
        return stored_data.get(fid, "")

    hit = False
    for fid in to_match:
        mine, theirs = norm(values.get(fid, "")), norm(stored(fid))
        if mine and mine == theirs:
            hit = True
        elif mine != theirs and not (match_nulls and (not mine or not theirs)):
            return False
    return hit


def _match_field(entry: object) -> int:
    """One ``_toMatch`` entry of an import row as a contact field id (a row-level failure
    when it is not one)."""
    fid = field_id(entry)
    fdef = cat.FIELDS_BY_ID.get(fid) if fid is not None else None
    if fid is None or fdef is None or fdef.table != cat.CONTACT:
        shown = entry if isinstance(entry, str) else json.dumps(entry, default=str)[:40]
        raise invalid("_toMatch", f"{shown[:40]!r} is not a contact field id")
    return fid


def _import_candidates(ctx: Ctx, values: dict[int, str], to_match: list[int]) -> list[sqlite3.Row]:
    parts: list[str] = []
    args: list[Any] = []
    for fid in to_match:
        n = norm(values.get(fid, ""))
        if not n:
            continue
        if fid == cat.C_RECORD_ID:
            parts.append("SELECT rid FROM contacts WHERE id = ?")
            args.append(n)
        elif fid in (cat.C_CREATED, cat.C_MODIFIED):
            col = "created" if fid == cat.C_CREATED else "modified"
            parts.append(f"SELECT rid FROM contacts WHERE {col} = ?")
            args.append(values[fid].strip())
        else:
            parts.append("SELECT rid FROM contact_values WHERE field = ? AND value = ?")
            args.extend((fid, n))
    if not parts:
        return []
    with ctx.db.lock:
        return list(
            ctx.db.conn.execute(
                f"SELECT * FROM contacts WHERE rid IN ({' UNION '.join(parts)})"
                " ORDER BY sort_key, id",
                args,
            ).fetchall()
        )


@call(
    "import-contacts",
    required=("contacts",),
    optional=("create-if-not-updated", "match-nulls"),
)
def import_contacts(ctx: Ctx, p: Params) -> dict[str, Any]:
    raw = p.raw["contacts"]
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise invalid("contacts", "not a JSON array (send it as an escaped string)") from None
    if not isinstance(raw, list):
        raise invalid("contacts", "expected a JSON array of contacts")
    if len(raw) > 100_000:
        raise invalid("contacts", "more than 100000 rows")
    create = p.boolean("create-if-not-updated")
    match_nulls = p.boolean("match-nulls", default=True)
    updated = created = 0
    ids: list[str] = []
    failed: list[dict[str, str]] = []
    for index, item in enumerate(raw):
        try:
            if not isinstance(item, dict):
                raise invalid("contacts", "the row is not an object")
            to_match_raw = item.get("_toMatch", [])
            if to_match_raw in (None, ""):
                to_match_raw = []
            if not isinstance(to_match_raw, list):
                to_match_raw = [to_match_raw]
            to_match = [_match_field(entry) for entry in to_match_raw]
            fields = {k: v for k, v in item.items() if k != "_toMatch"}
            # read-only fields (the record id) may be given to match on, never to write
            every = field_map("contacts", fields, cat.CONTACT, writing=False)
            keys = {fid: key for key in fields for fid in every if str(key).strip() == str(fid)}
            writable = {
                keys[fid]: fields[keys[fid]]
                for fid in every
                if not (cat.FIELDS_BY_ID[fid].read_only and fid in to_match)
            }
            values = _normalise_values(
                "contacts", field_map("contacts", writable, cat.CONTACT, writing=True)
            )
            match_values = {**values, **{f: v for f, v in every.items() if f not in values}}
            _check_owner(values, cat.C_OWNER)
            if to_match:
                rows = [
                    r
                    for r in _import_candidates(ctx, match_values, to_match)
                    if _row_matches_import(r, match_values, to_match, match_nulls)
                ]
            else:
                rows = []
            check_records(ctx.me, "contact", "change", rows, whole_call=False)
            if rows:
                with ctx.db.lock:
                    for row in rows:
                        update_contact_row(
                            ctx.db.conn,
                            row["rid"],
                            _merge_contact(decode_data(row["data"]), values),
                        )
                        ids.append(row["id"])
                updated += len(rows)
            elif create:
                ids.append(_create_contact(ctx, values))
                created += 1
        except CallError as exc:
            failed.append({"row": str(index), "error": exc.message})
    return {
        "updated-count": str(updated),
        "created-count": str(created),
        "contact-ids": ids,
        "failed": failed,
    }


# ----------------------------------------------------------------------------- groups


@call("get-groups", optional=PAGING)
def get_groups(ctx: Ctx, p: Params) -> dict[str, Any]:
    flt, offset, size = p.paging()
    needle = norm(flt)
    where, args = ("WHERE instr(search, ?) > 0", [needle]) if needle else ("", [])
    total = ctx.db.scalar(f"SELECT count(*) FROM groups {where}", args)
    rows = ctx.db.all(
        f"SELECT * FROM groups {where} ORDER BY sort_key, id LIMIT ? OFFSET ?",
        [*args, size, offset],
    )
    return listing("group", int(total), [(r["id"], group_record(r)) for r in rows])


@call("get-group-info", required=("group-id",))
def get_group_info(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    return {"group-id": group_id, "field-data": group_record(_group_row(ctx, group_id))}


@call("get-activities-for-group", required=("group-id",), optional=PAGING)
def get_activities_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    flt, offset, size = p.paging()
    _group_row(ctx, group_id)
    needle = norm(flt)
    cond = " AND instr(snx_fold(regarding), ?) > 0" if needle else ""
    args: list[Any] = [group_id, needle] if needle else [group_id]
    total = ctx.db.scalar(f"SELECT count(*) FROM activities WHERE group_id = ?{cond}", args)
    rows = ctx.db.all(
        f"SELECT * FROM activities WHERE group_id = ?{cond} ORDER BY start, id LIMIT ? OFFSET ?",
        [*args, size, offset],
    )
    return listing("activity", int(total), [(r["id"], activity_record(r)) for r in rows])


@call("get-sales-for-group", required=("group-id",), optional=PAGING)
def get_sales_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    _group_row(ctx, group_id)
    rows = ctx.db.all("SELECT * FROM sales WHERE group_id = ? ORDER BY rid", (group_id,))
    return listing("sales", len(rows), [(r["id"], sales_record(r)) for r in rows])


@call("get-notes-for-group", required=("group-id",), optional=PAGING)
def get_notes_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    _group_row(ctx, group_id)
    rows = ctx.db.all(
        "SELECT * FROM notes WHERE group_id = ? ORDER BY created DESC, id", (group_id,)
    )
    return listing("note", len(rows), [(r["id"], note_record(r)) for r in rows])


def insert_group(
    conn: sqlite3.Connection, group_id: str, data: dict[int, str], created: str
) -> None:
    conn.execute(
        "INSERT INTO groups (id, data, sort_key, search, created) VALUES (?, ?, ?, ?, ?)",
        (group_id, encode_data(data), group_sort_key(data), group_sort_key(data), created),
    )


@call(
    "update-group",
    required=("match-by-field-data",),
    optional=("group-field-data", "contact-field-data", "create-if-not-updated"),
)
def update_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    match = _match_map(p, cat.GROUP)
    name = "group-field-data" if p.present("group-field-data") else "contact-field-data"
    if not p.present(name):
        raise missing("group-field-data")
    raw = p.object(name)
    assert raw is not None
    values = _normalise_values(name, field_map(name, raw, cat.GROUP, writing=True))
    create = p.boolean("create-if-not-updated")
    _check_owner(values, cat.G_OWNER)
    rows = ctx.db.all("SELECT * FROM groups ORDER BY sort_key, id")
    hits = []
    for row in rows:
        record = group_record(row)
        if all(norm(record[str(f)]) == norm(v) for f, v in match.items()):
            hits.append(row)
    check_records(ctx.me, "group", "change", hits)
    ids: list[str] = []
    for row in hits:
        data = {**decode_data(row["data"]), **values}
        ctx.db.execute(
            "UPDATE groups SET data = ?, sort_key = ?, search = ? WHERE rid = ?",
            (encode_data(data), group_sort_key(data), group_sort_key(data), row["rid"]),
        )
        ids.append(row["id"])
    if hits or not create:
        return {"updated-count": str(len(ids)), "group-ids": ids, "created": "false"}
    seed = {f: v for f, v in match.items() if not cat.FIELDS_BY_ID[f].read_only}
    data = {**_normalise_values("match-by-field-data", seed), **values}
    if not data.get(cat.G_OWNER):
        data[cat.G_OWNER] = ctx.me.user_id
    group_id = new_id()
    with ctx.db.lock:
        insert_group(ctx.db.conn, group_id, data, now_text())
    return {"updated-count": "0", "group-ids": [group_id], "created": "true"}


@call("delete-groups", required=("group-ids-to-delete",))
def delete_groups(ctx: Ctx, p: Params) -> dict[str, Any]:
    ids = list(dict.fromkeys(p.guid_list("group-ids-to-delete")))
    if not ids:
        raise invalid("group-ids-to-delete", "no ids given")
    existing = _existing_ids(ctx, "groups", ids)
    if not existing:
        raise CallError("NOT_FOUND", "None of the groups exists; nothing was deleted.")
    if not is_admin(ctx.me):
        check_records(ctx.me, "group", "delete", _rows_of(ctx, "groups", sorted(existing)))
    with ctx.db.lock:
        conn = ctx.db.conn
        for group_id in existing:
            conn.execute("DELETE FROM groups WHERE id = ?", (group_id,))
            conn.execute("DELETE FROM group_members WHERE group_id = ?", (group_id,))
            for table in ("notes", "sales", "activities"):
                conn.execute(
                    f"DELETE FROM {table} WHERE group_id = ? AND contact_id = ''",
                    (group_id,),
                )
                conn.execute(
                    f"UPDATE {table} SET group_id = '' WHERE group_id = ?",
                    (group_id,),
                )
            for row in conn.execute(
                "SELECT rid, data FROM sales WHERE group_id = '' AND data LIKE ?",
                (f"%{group_id}%",),
            ).fetchall():
                data = decode_data(row["data"])
                data.pop(cat.S_GROUP, None)
                conn.execute(
                    "UPDATE sales SET data = ? WHERE rid = ?", (encode_data(data), row["rid"])
                )
    return {
        "deleted-count": str(len(existing)),
        "not-found": [i for i in ids if i not in existing],
    }


def _note_type(p: Params) -> int:
    text = p.text("type", limit=100).strip().lower()
    if not text:
        return 1
    if text in ("1", "2", "3", "4", "5"):
        return int(text)
    if text in NOTE_TYPES:
        return NOTE_TYPES[text]
    raise invalid("type", "expected a note type code 1 to 5")


def _insert_note(
    ctx: Ctx, contact_id: str, group_id: str, user_id: str, ntype: int, details: str
) -> str:
    note_id = new_id()
    ctx.db.execute(
        "INSERT INTO notes (id, contact_id, group_id, user_id, type, details, created)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (note_id, contact_id, group_id, user_id, ntype, details, now_text()),
    )
    return note_id


@call("create-note-for-group", required=("group-id", "details"), optional=("user-id", "type"))
def create_note_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    details = p.text("details", required=True)
    user_id = p.guid("user-id")
    ntype = _note_type(p)
    _group_row(ctx, group_id)
    user = _user(user_id) if user_id else ctx.me
    check_acting_as(ctx.me, user.user_id, "note")
    return {"note-id": _insert_note(ctx, "", group_id, user.user_id, ntype, details)}


_ACTIVITY_PARAMS = (
    "schedule-with",
    "schedule-for",
    "regarding",
    "details",
    "color",
    "start-time",
    "end-time",
    "type",
    "timeless",
)


def _activity_changes(
    ctx: Ctx, p: Params, old: sqlite3.Row | None, *, empty_keeps: bool
) -> dict[str, Any]:
    """Column values from the activity parameters, checked in the contract's order."""
    ch: dict[str, Any] = {}
    creating = old is None
    for name, col in (("regarding", "regarding"), ("details", "details"), ("result", "result")):
        if p.has(name):
            value = p.text(name, limit=MAX_REGARDING if name == "regarding" else 1_000_000)
            if value or creating or not empty_keeps:
                ch[col] = value
    contact_id = p.guid("schedule-with") if p.has("schedule-with") else None
    user_id = p.guid("schedule-for") if p.has("schedule-for") else None
    group_id = p.guid("group-id") if p.has("group-id") else None
    if p.present("type"):
        text = p.text("type", limit=100).strip().lower()
        if text not in ACTIVITY_TYPES:
            raise invalid("type", "expected call, meeting or todo")
        ch["type"] = ACTIVITY_TYPES[text]
    if p.present("color"):
        ch["color"] = color(p.text("color", limit=100), "color")
    if p.present("timeless"):
        ch["timeless"] = 1 if p.boolean("timeless") else 0
    start = (
        parse_datetime(p.text("start-time", limit=100), "start-time")
        if p.present("start-time")
        else None
    )
    end = (
        parse_datetime(p.text("end-time", limit=100), "end-time") if p.present("end-time") else None
    )
    # existence, after every format check
    if contact_id:
        _contact_row(ctx, contact_id)
        ch["contact_id"] = contact_id
    elif contact_id == "" and not empty_keeps and not creating:
        ch["contact_id"] = ""
    if user_id:
        _user(user_id)
        ch["user_id"] = user_id
    if group_id:
        _group_row(ctx, group_id)
        ch["group_id"] = group_id
    # permission, after existence
    if old is not None:
        check_activity(ctx.me, old)
    if user_id:
        check_acting_as(ctx.me, user_id, "activity")
    # times
    atype = ch.get("type") or (old["type"] if old is not None else "todo")
    timeless = ch.get("timeless", old["timeless"] if old is not None else 0)
    if old is None:
        if start is None:
            now = datetime.now().replace(second=0, microsecond=0)
            start = now.replace(minute=0) + timedelta(hours=1)
        if end is None:
            end = _ends_at(
                start,
                {"call": timedelta(minutes=30), "meeting": timedelta(hours=1)}.get(
                    atype, timedelta(0)
                ),
            )
    else:
        old_start = datetime.strptime(old["start"], "%Y-%m-%dT%H:%M:%S")
        old_end = datetime.strptime(old["end"], "%Y-%m-%dT%H:%M:%S")
        if start is not None and end is None:
            end = _ends_at(start, old_end - old_start)
        start = start or old_start
        end = end or old_end
    if timeless:
        start = start.replace(hour=0, minute=0, second=0)
        end = max(end.replace(hour=0, minute=0, second=0), start)
    if end < start:
        raise invalid("end-time", "it is before start-time")
    ch["start"], ch["end"] = format_datetime(start), format_datetime(end)
    if creating:
        ch.setdefault("type", atype)
        ch.setdefault("color", DEFAULT_COLORS[atype])
        ch.setdefault("timeless", 0)
        ch.setdefault("user_id", ctx.me.user_id)
        for col in ("regarding", "details", "result", "contact_id", "group_id"):
            ch.setdefault(col, "")
    return ch


def _ends_at(start: datetime, duration: timedelta) -> datetime:
    """``start + duration``; INVALID_PARAMETER when that is past the last date there is."""
    try:
        return start + duration
    except OverflowError:
        raise invalid("start-time", "the activity would end after the year 9999") from None


def _insert_activity(ctx: Ctx, ch: dict[str, Any]) -> str:
    activity_id = new_id()
    ctx.db.execute(
        "INSERT INTO activities (id, contact_id, group_id, user_id, regarding, details, color,"
        " start, end, type, timeless, completed, result)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
        (
            activity_id,
            ch["contact_id"],
            ch["group_id"],
            ch["user_id"],
            ch["regarding"],
            ch["details"],
            ch["color"],
            ch["start"],
            ch["end"],
            ch["type"],
            ch["timeless"],
            ch["result"],
        ),
    )
    return activity_id


def _update_activity(ctx: Ctx, activity_id: str, ch: dict[str, Any]) -> None:
    if not ch:
        return
    cols = ", ".join(f"{c} = ?" for c in ch)
    ctx.db.execute(f"UPDATE activities SET {cols} WHERE id = ?", [*ch.values(), activity_id])


@call(
    "create-activity-for-group",
    required=("group-id",),
    optional=(*_ACTIVITY_PARAMS,),
)
def create_activity_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    p.guid("group-id", required=True)
    return {
        "activity-id": _insert_activity(ctx, _activity_changes(ctx, p, None, empty_keeps=False))
    }


@call("get-contacts-for-group", required=("group-id",), optional=PAGING)
def get_contacts_for_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    _group_row(ctx, group_id)
    rows = ctx.db.all(
        "SELECT c.* FROM group_members AS m JOIN contacts AS c ON c.id = m.contact_id"
        " WHERE m.group_id = ? ORDER BY c.sort_key, c.id",
        (group_id,),
    )
    return listing("contact", len(rows), [(r["id"], contact_record(r)) for r in rows])


def _add_members(
    ctx: Ctx, table: str, key: str, owner_id: str, contact_ids: list[str]
) -> dict[str, Any]:
    existing = _existing_ids(ctx, "contacts", list(dict.fromkeys(contact_ids)))
    added = 0
    skipped: list[str] = []
    with ctx.db.lock:
        for contact_id in contact_ids:
            if contact_id not in existing:
                skipped.append(contact_id)
                continue
            cur = ctx.db.conn.execute(
                f"INSERT OR IGNORE INTO {table} ({key}, contact_id) VALUES (?, ?)",
                (owner_id, contact_id),
            )
            if cur.rowcount == 1:
                added += 1
            else:
                skipped.append(contact_id)
    return {"added-count": str(added), "skipped": skipped}


@call("add-contacts-to-group", required=("group-id", "contact-ids"))
def add_contacts_to_group(ctx: Ctx, p: Params) -> dict[str, Any]:
    group_id = p.guid("group-id", required=True)
    contact_ids = p.guid_list("contact-ids")
    _group_row(ctx, group_id)
    return _add_members(ctx, "group_members", "group_id", group_id, contact_ids)


# ----------------------------------------------------------------------------- activities


@call(
    "get-activities",
    optional=(*PAGING, "user-id"),
)
def get_activities(ctx: Ctx, p: Params) -> dict[str, Any]:
    flt, offset, size = p.paging()
    user_id = p.guid("user-id") or ctx.me.user_id
    _user(user_id)
    needle = norm(flt)
    if needle:
        cond = (
            " AND (instr(snx_fold(a.regarding), ?) > 0 OR a.contact_id IN"
            " (SELECT id FROM contacts WHERE instr(search, ?) > 0))"
        )
        args: list[Any] = [user_id, needle, needle]
    else:
        cond, args = "", [user_id]
    total = ctx.db.scalar(f"SELECT count(*) FROM activities AS a WHERE a.user_id = ?{cond}", args)
    rows = ctx.db.all(
        f"SELECT a.* FROM activities AS a WHERE a.user_id = ?{cond}"
        " ORDER BY a.start, a.id LIMIT ? OFFSET ?",
        [*args, size, offset],
    )
    return listing("activity", int(total), [(r["id"], activity_record(r)) for r in rows])


@call("create-activity", optional=(*_ACTIVITY_PARAMS, "group-id"))
def create_activity(ctx: Ctx, p: Params) -> dict[str, Any]:
    return {
        "activity-id": _insert_activity(ctx, _activity_changes(ctx, p, None, empty_keeps=False))
    }


@call("update-activity", required=("activity-id",), optional=(*_ACTIVITY_PARAMS, "group-id"))
def update_activity(ctx: Ctx, p: Params) -> dict[str, Any]:
    activity_id = p.guid("activity-id", required=True)
    # formats first: parse a throw-away change set against a stand-in, then existence
    old = _activity_row(ctx, activity_id) if _formats_ok(ctx, p) else None
    assert old is not None
    _update_activity(ctx, activity_id, _activity_changes(ctx, p, old, empty_keeps=False))
    return {"activity-id": activity_id}


def _formats_ok(ctx: Ctx, p: Params) -> bool:
    """Raises INVALID_PARAMETER for a malformed activity parameter (before any lookup)."""
    for name in ("schedule-with", "schedule-for", "group-id"):
        if p.has(name):
            p.guid(name)
    if p.present("type") and p.text("type", limit=100).strip().lower() not in ACTIVITY_TYPES:
        raise invalid("type", "expected call, meeting or todo")
    if p.present("color"):
        color(p.text("color", limit=100), "color")
    if p.present("timeless"):
        p.boolean("timeless")
    for name in ("start-time", "end-time"):
        if p.present(name):
            parse_datetime(p.text(name, limit=100), name)
    for name, limit in (
        ("regarding", MAX_REGARDING),
        ("details", 1_000_000),
        ("result", 1_000_000),
    ):
        if p.has(name):
            p.text(name, limit=limit)
    return True


@call(
    "complete-activity",
    required=("activity-id",),
    optional=(*_ACTIVITY_PARAMS, "result"),
)
def complete_activity(ctx: Ctx, p: Params) -> dict[str, Any]:
    activity_id = p.guid("activity-id", required=True)
    old = _activity_row(ctx, activity_id) if _formats_ok(ctx, p) else None
    assert old is not None
    ch = _activity_changes(ctx, p, old, empty_keeps=True)
    ch["completed"] = 1
    _update_activity(ctx, activity_id, ch)
    row = _activity_row(ctx, activity_id)
    regarding, result = row["regarding"].strip(), row["result"].strip()
    details = "\n".join(x for x in (regarding, result) if x) or "Activity completed"
    note_id = _insert_note(
        ctx,
        row["contact_id"],
        "" if row["contact_id"] else row["group_id"],
        ctx.me.user_id,
        ACTIVITY_NOTE_TYPE.get(row["type"], 1),
        details,
    )
    return {"activity-id": activity_id, "note-id": note_id}


@call("get-activity-info", required=("activity-id",))
def get_activity_info(ctx: Ctx, p: Params) -> dict[str, Any]:
    activity_id = p.guid("activity-id", required=True)
    row = _activity_row(ctx, activity_id)
    return {"activity-id": activity_id, "activity-data": activity_record(row)}


# ----------------------------------------------------------------------------- campaigns


@call("get-campaigns", optional=PAGING)
def get_campaigns(ctx: Ctx, p: Params) -> dict[str, Any]:
    flt, offset, size = p.paging()
    if not any(p.has(n) for n in ("start-after", "page-size")):
        offset, size = 0, 1_000_000
    needle = norm(flt)
    rows = ctx.db.all(
        "SELECT c.id, c.name, (SELECT count(*) FROM campaign_members AS m"
        " WHERE m.campaign_id = c.id) AS members FROM campaigns AS c ORDER BY lower(c.name), c.id"
    )
    rows = [r for r in rows if needle in norm(r["name"])]
    page = rows[offset : offset + size]
    items = [
        (r["id"], {"campaign-id": r["id"], "name": r["name"], "member-count": str(r["members"])})
        for r in page
    ]
    return listing("campaign", len(rows), items)


@call("add-to-campaign", required=("campaign-id", "contact-ids"))
def add_to_campaign(ctx: Ctx, p: Params) -> dict[str, Any]:
    campaign_id = p.guid("campaign-id", required=True)
    contact_ids = p.guid_list("contact-ids")
    if ctx.db.one("SELECT 1 FROM campaigns WHERE id = ?", (campaign_id,)) is None:
        raise not_found("campaign", campaign_id)
    return _add_members(ctx, "campaign_members", "campaign_id", campaign_id, contact_ids)


# ----------------------------------------------------------------------------- sales


@call("get-sales", optional=PAGING)
def get_sales(ctx: Ctx, p: Params) -> dict[str, Any]:
    flt, offset, size = p.paging()
    needle = norm(flt)
    where, args = ("WHERE instr(search, ?) > 0", [needle]) if needle else ("", [])
    total = ctx.db.scalar(f"SELECT count(*) FROM sales {where}", args)
    rows = ctx.db.all(
        f"SELECT * FROM sales {where} ORDER BY rid LIMIT ? OFFSET ?",
        [*args, size, offset],
    )
    return listing("sales", int(total), [(r["id"], sales_record(r)) for r in rows])


@call("create-sales-opp", required=("sales-field-data",))
def create_sales_opp(ctx: Ctx, p: Params) -> dict[str, Any]:
    raw = p.object("sales-field-data")
    assert raw is not None
    values = _normalise_values(
        "sales-field-data", field_map("sales-field-data", raw, cat.SALES, writing=True)
    )
    status = values.get(cat.S_STATUS, "") or "0"
    if status not in ("0", "1", "2"):
        raise invalid("sales-field-data/222", "status is 0 open, 1 won or 2 lost")
    values[cat.S_STATUS] = status
    prob = values.get(cat.S_PROBABILITY, "")
    if prob and not 0 <= float(prob) <= 100:
        raise invalid("sales-field-data/227", "a percentage between 0 and 100")
    contact_id = values.get(cat.S_CONTACT, "")
    group_id = values.get(cat.S_GROUP, "")
    if contact_id:
        _contact_row(ctx, contact_id)
    if group_id:
        _group_row(ctx, group_id)
    _check_owner(values, cat.S_OWNER)
    if not values.get(cat.S_OWNER):
        values[cat.S_OWNER] = ctx.me.user_id
    sales_id = new_id()
    ctx.db.execute(
        "INSERT INTO sales (id, contact_id, group_id, data, search, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (sales_id, contact_id, group_id, encode_data(values), sales_search(values), now_text()),
    )
    return {"sales-id": sales_id}


# ----------------------------------------------------------------------------- notes


@call("create-note", required=("contact-id", "details"), optional=("user-id", "type"))
def create_note(ctx: Ctx, p: Params) -> dict[str, Any]:
    contact_id = p.guid("contact-id", required=True)
    details = p.text("details", required=True)
    user_id = p.guid("user-id")
    ntype = _note_type(p)
    _contact_row(ctx, contact_id)
    user = _user(user_id) if user_id else ctx.me
    check_acting_as(ctx.me, user.user_id, "note")
    return {"note-id": _insert_note(ctx, contact_id, "", user.user_id, ntype, details)}
