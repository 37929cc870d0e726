"""Who may change what: the sandbox's reading of ``security-level``.

An ``admin`` may do everything. A ``user`` reads everything and adds freely (new contacts,
groups, sales, notes, activities, documents, group and campaign members), but:

* changes (``update-contact``, ``update-group``, rows of ``import-contacts``) and deletes only
  contacts and groups whose record manager is the user or that have none;
* writes notes only in the user's own name (``user-id``) and schedules activities only for
  the user (``schedule-for``);
* updates and completes only activities scheduled for the user.

A refused call fails whole with ``PERMISSION_DENIED`` and changes nothing; a refused row of
``import-contacts`` is listed in ``failed`` and the other rows still run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from . import catalogue as cat
from .errors import PERMISSION_DENIED, CallError
from .storage import contact_display_name, decode_data

_OWNER_FIELD = {"contact": cat.C_OWNER, "group": cat.G_OWNER}
_VERB = {"delete": ("delete", "Nothing was deleted."), "change": ("change", "Nothing was changed.")}


def is_admin(user: cat.User) -> bool:
    return user.security_level == "admin"


def _name_of(user_id: str) -> str:
    user = cat.USERS_BY_ID.get(user_id)
    return user.name if user is not None else "another user"


def _record_name(kind: str, data: dict[int, str]) -> str:
    name = contact_display_name(data) if kind == "contact" else data.get(cat.G_NAME, "").strip()
    return f"'{name[:60]}'" if name else f"a {kind} without a name"


def check_records(
    me: cat.User, kind: str, action: str, rows: Iterable[sqlite3.Row], *, whole_call: bool = True
) -> None:
    """PERMISSION_DENIED when ``me`` (not an admin) would ``action`` ("change" or "delete")
    a contact or group (``kind``) managed by another user; ``rows`` have a ``data`` column."""
    if is_admin(me):
        return
    field = _OWNER_FIELD[kind]
    theirs: list[tuple[str, str]] = []
    for row in rows:
        data = decode_data(row["data"])
        owner = data.get(field, "").strip().lower()
        if owner and owner != me.user_id:
            theirs.append((_record_name(kind, data), owner))
    if not theirs:
        return
    verb, nothing = _VERB[action]
    name, owner = theirs[0]
    if len(theirs) == 1:
        whose = f"{name} is managed by {_name_of(owner)}"
    else:
        whose = f"{name} and {len(theirs) - 1} more are managed by other users"
    ask = "Ask the record manager or an administrator."
    tail = f" {nothing} {ask}" if whole_call else f" {ask}"
    raise CallError(PERMISSION_DENIED, f"You can {verb} only {kind}s you manage: {whose}.{tail}")


def check_acting_as(me: cat.User, user_id: str, what: str) -> None:
    """PERMISSION_DENIED when ``me`` (not an admin) writes a note (``what`` "note") or
    schedules an activity (``what`` "activity") in the name of another user."""
    if is_admin(me) or not user_id or user_id == me.user_id:
        return
    other = _name_of(user_id)
    if what == "note":
        message = f"You can write notes only in your own name, not as {other}."
    else:
        message = f"You can schedule activities only for yourself, not for {other}."
    raise CallError(PERMISSION_DENIED, message)


def check_activity(me: cat.User, row: sqlite3.Row) -> None:
    """PERMISSION_DENIED when ``me`` (not an admin) changes an activity scheduled for
    another user."""
    owner = str(row["user_id"])
    if is_admin(me) or not owner or owner == me.user_id:
        return
    raise CallError(
        PERMISSION_DENIED,
        "You can change only your own activities: this one is scheduled for "
        f"{_name_of(owner)}. Nothing was changed.",
    )
