"""Groups: list, info, update/create, delete cascade, notes, activities, members."""

from __future__ import annotations

from support.fields import C_NAME, G_DESCRIPTION, G_NAME, G_RECORD_ID, S_CONTACT, S_GROUP
from support.sandboxapi import Api

MISSING_ID = "12345678-1234-4234-8234-123456789abc"


def test_groups_list_filter_and_pages(api: Api) -> None:
    groups = api.call("get-groups", **{"page-size": "1000"})["group-list"]
    total = int(groups["total-record-count"])
    assert total == len(groups["group-ids"]) >= 5
    names = [groups["group-info"][g][G_NAME].casefold() for g in groups["group-ids"]]
    assert names == sorted(names)
    a = api.call("get-groups", **{"page-size": "2"})["group-list"]["group-ids"]
    b = api.call("get-groups", **{"page-size": "2", "start-after": "2"})["group-list"]["group-ids"]
    assert a + b == groups["group-ids"][:4]
    word = names[0].split()[0]
    hits = api.call("get-groups", **{"filter-value": word.upper()})["group-list"]
    assert all(word in g[G_NAME].casefold() for g in hits["group-info"].values())
    assert int(hits["total-record-count"]) >= 1


def test_group_info(api: Api) -> None:
    gid = api.first_group()
    info = api.call("get-group-info", **{"group-id": gid.upper()})
    assert info["group-id"] == gid
    assert info["field-data"][G_RECORD_ID] == gid
    assert info["field-data"][G_NAME]
    assert api.error("get-group-info", **{"group-id": MISSING_ID}) == "NOT_FOUND"


def test_update_group_and_create(fresh_api: Api) -> None:
    api = fresh_api
    result = api.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: "Brand New Group"},
            "group-field-data": {G_DESCRIPTION: "made here"},
            "create-if-not-updated": True,
        },
    )
    assert result["created"] == "true"
    assert result["updated-count"] == "0"
    gid = result["group-ids"][0]
    data = api.call("get-group-info", **{"group-id": gid})["field-data"]
    assert data[G_NAME] == "Brand New Group"
    assert data[G_DESCRIPTION] == "made here"
    again = api.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: " brand new GROUP"},
            "group-field-data": {G_DESCRIPTION: "changed"},
            "create-if-not-updated": False,
        },
    )
    assert again == {
        "success": "true",
        "updated-count": "1",
        "group-ids": [gid],
        "created": "false",
    }
    by_id = api.call(
        "update-group",
        **{"match-by-field-data": {G_RECORD_ID: gid}, "group-field-data": {G_NAME: "Renamed"}},
    )
    assert by_id["group-ids"] == [gid]
    nothing = api.call(
        "update-group",
        **{"match-by-field-data": {G_NAME: "nope nope"}, "group-field-data": {G_DESCRIPTION: "x"}},
    )
    assert nothing["updated-count"] == "0"
    assert nothing["group-ids"] == []
    assert (
        api.error(
            "update-group", **{"match-by-field-data": {}, "group-field-data": {G_DESCRIPTION: "x"}}
        )
        == "INVALID_PARAMETER"
    )
    assert (
        api.error(
            "update-group",
            **{"match-by-field-data": {G_RECORD_ID: gid}, "group-field-data": {G_RECORD_ID: "x"}},
        )
        == "INVALID_PARAMETER"
    )
    assert (
        api.error(
            "update-group",
            **{"match-by-field-data": {G_RECORD_ID: gid}, "group-field-data": {C_NAME: "x"}},
        )
        == "INVALID_PARAMETER"
    )
    assert (
        api.error("update-group", **{"match-by-field-data": {G_RECORD_ID: gid}})
        == "MISSING_PARAMETER"
    )


def test_group_members(fresh_api: Api) -> None:
    api = fresh_api
    gid = api.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: "Members Test"},
            "group-field-data": {},
            "create-if-not-updated": "true",
        },
    )["group-ids"][0]
    ids = api.contacts(**{"page-size": "3"})["contact-ids"]
    result = api.call(
        "add-contacts-to-group", **{"group-id": gid, "contact-ids": [ids[0], ids[1].upper()]}
    )
    assert result == {"success": "true", "added-count": "2", "skipped": []}
    result = api.call(
        "add-contacts-to-group", **{"group-id": gid, "contact-ids": [ids[1], ids[2], MISSING_ID]}
    )
    assert result["added-count"] == "1"
    assert result["skipped"] == [ids[1], MISSING_ID]
    members = api.call("get-contacts-for-group", **{"group-id": gid})["contact-list"]
    assert sorted(members["contact-ids"]) == sorted(ids)
    assert members["total-record-count"] == "3"
    assert api.error("add-contacts-to-group", **{"group-id": gid, "contact-ids": ["bad"]}) == (
        "INVALID_PARAMETER"
    )
    assert (
        api.error("add-contacts-to-group", **{"group-id": MISSING_ID, "contact-ids": ids})
        == "NOT_FOUND"
    )
    assert api.error("add-contacts-to-group", **{"group-id": "bad", "contact-ids": ids}) == (
        "INVALID_PARAMETER"
    )


def test_group_notes_and_activities(fresh_api: Api) -> None:
    api = fresh_api
    gid = api.first_group()
    note = api.call(
        "create-note-for-group", **{"group-id": gid, "details": "group note", "type": "3"}
    )["note-id"]
    notes = api.call("get-notes-for-group", **{"group-id": gid})["note-list"]
    assert notes["note-ids"][0] == note  # newest first
    info = notes["note-info"][note]
    assert info["group-id"] == gid
    assert info["contact-id"] == ""
    assert info["type"] == "3"
    assert info["user-id"] == api.user_id()
    act = api.call(
        "create-activity-for-group",
        **{
            "group-id": gid,
            "type": "meeting",
            "regarding": "kick-off",
            "start-time": "2030-01-02 10:00",
        },
    )["activity-id"]
    acts = api.call("get-activities-for-group", **{"group-id": gid, "page-size": "1000"})[
        "activity-list"
    ]
    assert act in acts["activity-ids"]
    assert acts["activity-info"][act]["group-id"] == gid
    starts = [acts["activity-info"][a]["start-time"] for a in acts["activity-ids"]]
    assert starts == sorted(starts)
    first = api.call("get-activities-for-group", **{"group-id": gid, "page-size": "1"})[
        "activity-list"
    ]
    assert first["total-record-count"] == acts["total-record-count"]
    assert first["activity-ids"] == acts["activity-ids"][:1]
    assert (
        api.error("create-note-for-group", **{"group-id": gid, "details": "x", "type": "9"})
        == "INVALID_PARAMETER"
    )
    assert api.error("create-note-for-group", **{"group-id": MISSING_ID, "details": "x"}) == (
        "NOT_FOUND"
    )


def test_delete_groups_keeps_what_belongs_to_a_contact(fresh_api: Api) -> None:
    api = fresh_api
    gid = api.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: "Short Lived"},
            "group-field-data": {},
            "create-if-not-updated": "true",
        },
    )["group-ids"][0]
    cid = api.first_contact()
    own_note = api.call("create-note-for-group", **{"group-id": gid, "details": "own"})["note-id"]
    own_act = api.call("create-activity-for-group", **{"group-id": gid})["activity-id"]
    shared_act = api.call("create-activity-for-group", **{"group-id": gid, "schedule-with": cid})[
        "activity-id"
    ]
    own_sale = api.call("create-sales-opp", **{"sales-field-data": {S_GROUP: gid}})["sales-id"]
    shared_sale = api.call(
        "create-sales-opp", **{"sales-field-data": {S_GROUP: gid, S_CONTACT: cid}}
    )["sales-id"]
    result = api.call("delete-groups", **{"group-ids-to-delete": [gid, MISSING_ID]})
    assert result == {"success": "true", "deleted-count": "1", "not-found": [MISSING_ID]}
    assert api.error("get-group-info", **{"group-id": gid}) == "NOT_FOUND"
    assert api.error("get-activity-info", **{"activity-id": own_act}) == "NOT_FOUND"
    kept = api.call("get-activity-info", **{"activity-id": shared_act})["activity-data"]
    assert kept["schedule-with"] == cid
    assert kept["group-id"] == ""
    sales = api.call("get-sales-for-contact", **{"contact-id": cid})["sales-list"]
    assert shared_sale in sales["sales-ids"]
    assert sales["sales-info"][shared_sale][S_GROUP] == ""
    all_sales = api.call("get-sales", **{"page-size": "1000"})["sales-list"]["sales-ids"]
    assert own_sale not in all_sales
    notes = api.call("get-notes-for-contact", **{"contact-id": cid})["note-list"]["note-ids"]
    assert own_note not in notes
    assert api.error("delete-groups", **{"group-ids-to-delete": [gid]}) == "NOT_FOUND"
    assert api.error("delete-groups", **{"group-ids-to-delete": ["nope"]}) == "INVALID_PARAMETER"
