"""``security-level`` enforced: a ``user`` changes and deletes only the contacts and groups
they manage, writes notes and schedules activities only as themself and changes only their
own activities; an ``admin`` may do everything. Refusals are ``PERMISSION_DENIED`` with a
sentence a person understands, and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, SAM_EMAIL
from support.fields import (
    C_EMAIL,
    C_NAME,
    C_OWNER,
    C_RECORD_ID,
    C_TITLE,
    G_DESCRIPTION,
    G_NAME,
    G_OWNER,
    G_RECORD_ID,
)
from support.sandboxapi import Api

OWNER = C_OWNER
GROUP_OWNER = G_OWNER


@pytest.fixture
def two(fresh_sandbox: Any) -> Iterator[tuple[Api, Api]]:
    """``(admin, user)``: the demo user (an admin) and Alex (a user) on a private sandbox."""
    with httpx.Client(timeout=20) as client:
        admin = Api(fresh_sandbox, client)
        admin.login()
        user = Api(fresh_sandbox, client)
        user.login(ALEX_EMAIL, ALEX_PASSWORD)
        yield admin, user


def _contacts_managed_by(api: Api, user_id: str) -> list[str]:
    info = api.contacts(**{"page-size": "1000"})["contact-info"]
    return [cid for cid, fields in info.items() if fields[OWNER] == user_id]


def _refused(api: Api, function: str, **params: Any) -> str:
    element = api.raw(function, **params)
    assert element.get("error-code") == "PERMISSION_DENIED", element
    message = element["error"]
    assert isinstance(message, str)
    assert "Traceback" not in message
    return message


def test_a_user_deletes_only_contacts_they_manage(two: tuple[Api, Api]) -> None:
    admin, user = two
    users = admin.call("get-users")["user-list"]["user-info"]
    levels = {u["email-address"]: u["security-level"] for u in users.values()}
    assert (levels[DEMO_EMAIL], levels[ALEX_EMAIL]) == ("admin", "user")
    demo_id, alex_id = admin.user_id(), admin.user_id(ALEX_EMAIL)
    theirs = _contacts_managed_by(admin, demo_id)[0]
    mine = user.call("create-contact", **{"contact-field-data": {C_NAME: "Alex Own"}})["contact-id"]
    assert user.contact(mine)[OWNER] == alex_id
    message = _refused(user, "delete-contacts", **{"contact-ids-to-delete": [mine, theirs]})
    assert "Dana Demo" in message
    assert "Nothing was deleted" in message
    assert user.contact(mine)[OWNER] == alex_id  # both still there
    assert user.contact(theirs)[OWNER] == demo_id
    assert user.call("delete-contacts", **{"contact-ids-to-delete": [mine]})["deleted-count"] == "1"
    # an admin deletes what another user manages
    alexs = user.call("create-contact", **{"contact-field-data": {C_NAME: "Alex Doomed"}})
    deleted = admin.call("delete-contacts", **{"contact-ids-to-delete": [alexs["contact-id"]]})
    assert deleted["deleted-count"] == "1"
    # a contact without a record manager belongs to nobody: anyone may delete it
    admin.call(
        "update-contact",
        **{"match-by-field-data": {C_RECORD_ID: theirs}, "contact-field-data": {OWNER: ""}},
    )
    assert user.call("delete-contacts", **{"contact-ids-to-delete": [theirs]})["deleted-count"]


def test_a_user_changes_only_contacts_they_manage(two: tuple[Api, Api]) -> None:
    admin, user = two
    demo_id = admin.user_id()
    theirs = _contacts_managed_by(admin, demo_id)[0]
    before = admin.contact(theirs)
    message = _refused(
        user,
        "update-contact",
        **{
            "match-by-field-data": {C_RECORD_ID: theirs},
            "contact-field-data": {C_TITLE: "Hijacked"},
        },
    )
    assert "You can change only contacts you manage" in message
    assert admin.contact(theirs) == before
    # the admin may, and may hand it over; then it is Alex's to change
    alex_id = admin.user_id(ALEX_EMAIL)
    admin.call(
        "update-contact",
        **{"match-by-field-data": {C_RECORD_ID: theirs}, "contact-field-data": {OWNER: alex_id}},
    )
    user.call(
        "update-contact",
        **{
            "match-by-field-data": {C_RECORD_ID: theirs},
            "contact-field-data": {C_TITLE: "Now Mine"},
        },
    )
    assert admin.contact(theirs)[C_TITLE] == "Now Mine"


def test_an_import_row_that_would_change_another_users_contact_fails_alone(
    two: tuple[Api, Api],
) -> None:
    admin, user = two
    theirs = _contacts_managed_by(admin, admin.user_id())[0]
    mine = user.call(
        "create-contact",
        **{"contact-field-data": {C_NAME: "Alex Import", C_EMAIL: "ai@example.org"}},
    )["contact-id"]
    rows = [
        {"_toMatch": [C_RECORD_ID], C_RECORD_ID: theirs, C_TITLE: "Imported Over"},
        {"_toMatch": [C_EMAIL], C_EMAIL: "ai@example.org", C_TITLE: "Imported Mine"},
    ]
    result = user.call("import-contacts", contacts=json.dumps(rows))
    assert [f["row"] for f in result["failed"]] == ["0"]
    assert "manage" in result["failed"][0]["error"]
    assert result["updated-count"] == "1"
    assert admin.contact(mine)[C_TITLE] == "Imported Mine"
    assert admin.contact(theirs)[C_TITLE] != "Imported Over"


def test_a_user_changes_and_deletes_only_groups_they_manage(two: tuple[Api, Api]) -> None:
    admin, user = two
    demo_id = admin.user_id()
    groups = admin.call("get-groups", **{"page-size": "1000"})["group-list"]["group-info"]
    theirs = next(gid for gid, g in groups.items() if g[GROUP_OWNER] == demo_id)
    message = _refused(
        user,
        "update-group",
        **{
            "match-by-field-data": {G_RECORD_ID: theirs},
            "group-field-data": {G_DESCRIPTION: "hijacked"},
        },
    )
    assert "groups you manage" in message
    message = _refused(user, "delete-groups", **{"group-ids-to-delete": [theirs]})
    assert "Dana Demo" in message
    assert (
        admin.call("get-group-info", **{"group-id": theirs})["field-data"][G_DESCRIPTION]
        != "hijacked"
    )
    made = user.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: "Alex's Accounts"},
            "group-field-data": {G_DESCRIPTION: "mine"},
            "create-if-not-updated": "true",
        },
    )["group-ids"][0]
    user.call(
        "update-group",
        **{
            "match-by-field-data": {G_RECORD_ID: made},
            "group-field-data": {G_DESCRIPTION: "still mine"},
        },
    )
    # adding members to another user's group is adding, not changing: allowed
    cid = user.first_contact()
    assert user.call("add-contacts-to-group", **{"group-id": theirs, "contact-ids": [cid]})
    assert user.call("delete-groups", **{"group-ids-to-delete": [made]})["deleted-count"] == "1"


def test_a_user_writes_notes_only_in_their_own_name(two: tuple[Api, Api]) -> None:
    admin, user = two
    sam, alex = admin.user_id(SAM_EMAIL), admin.user_id(ALEX_EMAIL)
    cid, gid = user.first_contact(), user.first_group()
    message = _refused(user, "create-note", **{"contact-id": cid, "details": "x", "user-id": sam})
    assert message == "You can write notes only in your own name, not as Sam Okafor."
    _refused(user, "create-note-for-group", **{"group-id": gid, "details": "x", "user-id": sam})
    notes = admin.call("get-notes-for-contact", **{"contact-id": cid})["note-list"]["note-info"]
    assert all(n["user-id"] != sam or n["details"] != "x" for n in notes.values())
    # as themself, with or without user-id, on anyone's contact
    user.call("create-note", **{"contact-id": cid, "details": "by alex", "user-id": alex})
    user.call("create-note-for-group", **{"group-id": gid, "details": "by alex"})
    # an admin writes in anyone's name
    note = admin.call("create-note", **{"contact-id": cid, "details": "for sam", "user-id": sam})
    notes = admin.call("get-notes-for-contact", **{"contact-id": cid})["note-list"]["note-info"]
    assert notes[note["note-id"]]["user-id"] == sam


def test_a_user_schedules_and_changes_only_their_own_activities(two: tuple[Api, Api]) -> None:
    admin, user = two
    sam = admin.user_id(SAM_EMAIL)
    cid, gid = user.first_contact(), user.first_group()
    message = _refused(user, "create-activity", **{"schedule-with": cid, "schedule-for": sam})
    assert message == "You can schedule activities only for yourself, not for Sam Okafor."
    _refused(user, "create-activity-for-group", **{"group-id": gid, "schedule-for": sam})
    demo_activity = admin.call("get-activities", **{"page-size": "1"})["activity-list"][
        "activity-ids"
    ][0]
    before = admin.call("get-activity-info", **{"activity-id": demo_activity})["activity-data"]
    message = _refused(
        user, "update-activity", **{"activity-id": demo_activity, "regarding": "hijacked"}
    )
    assert "scheduled for Dana Demo" in message
    _refused(user, "complete-activity", **{"activity-id": demo_activity, "result": "x"})
    after = admin.call("get-activity-info", **{"activity-id": demo_activity})["activity-data"]
    assert after == before
    own = user.call("create-activity", **{"schedule-with": cid, "type": "call"})["activity-id"]
    _refused(user, "update-activity", **{"activity-id": own, "schedule-for": sam})
    user.call("update-activity", **{"activity-id": own, "regarding": "mine"})
    user.call("complete-activity", **{"activity-id": own, "result": "done"})
    # the admin schedules for others and changes anyone's activity
    admin.call("update-activity", **{"activity-id": own, "schedule-for": sam})
    assert (
        admin.call("get-activity-info", **{"activity-id": own})["activity-data"]["schedule-for"]
        == sam
    )
