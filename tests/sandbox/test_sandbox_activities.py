"""Activities, notes, campaigns and sales opportunities."""

from __future__ import annotations

from support.accounts import ALEX_EMAIL
from support.fields import (
    C_NAME,
    S_AMOUNT,
    S_CLOSE_DATE,
    S_CONTACT,
    S_DETAILS,
    S_GROUP,
    S_STATE,
    S_STATUS,
)
from support.sandboxapi import Api

MISSING_ID = "12345678-1234-4234-8234-123456789abc"


def test_demo_activities_cover_types_past_future_and_completion(api: Api) -> None:
    acts = api.call("get-activities", **{"page-size": "1000"})["activity-list"]
    info = list(acts["activity-info"].values())
    assert int(acts["total-record-count"]) >= 20
    assert {a["type"] for a in info} == {"call", "meeting", "todo"}
    assert {a["completed"] for a in info} == {"true", "false"}
    me = api.user_id()
    assert all(a["schedule-for"] == me for a in info)
    keys = [
        (a["start-time"], a["activity-id"])
        for a in (acts["activity-info"][i] for i in acts["activity-ids"])
    ]
    assert keys == sorted(keys)
    for a in info:
        assert len(a["color"]) == 6
        assert int(a["color"], 16) >= 0
        assert a["timeless"] in ("true", "false")
    other = api.user_id(ALEX_EMAIL)
    theirs = api.call("get-activities", **{"user-id": other, "page-size": "5"})["activity-list"]
    assert all(a["schedule-for"] == other for a in theirs["activity-info"].values())


def test_activity_paging_and_filter(api: Api) -> None:
    full = api.call("get-activities", **{"page-size": "40"})["activity-list"]["activity-ids"]
    a = api.call("get-activities", **{"page-size": "20"})["activity-list"]["activity-ids"]
    b = api.call("get-activities", **{"page-size": "20", "start-after": "20"})["activity-list"][
        "activity-ids"
    ]
    assert a + b == full
    hits = api.call("get-activities", **{"filter-value": "CALL"})["activity-list"]
    assert all(
        "call" in x["regarding"].casefold() or x["schedule-with"]
        for x in hits["activity-info"].values()
    )


def test_create_update_complete_activity(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    alex = api.user_id(ALEX_EMAIL)
    aid = api.call(
        "create-activity",
        **{
            "schedule-with": cid,
            "regarding": "Call about renewal",
            "schedule-for": "",
            "details": "bring numbers",
            "color": "ff8800",
            "start-time": "03/04/2031 2:30 PM",
            "end-time": "2031-03-04T15:00:00",
            "type": "CALL",
            "timeless": "false",
        },
    )["activity-id"]
    data = api.call("get-activity-info", **{"activity-id": aid})["activity-data"]
    assert data == {
        "activity-id": aid,
        "schedule-with": cid,
        "schedule-for": api.user_id(),
        "group-id": "",
        "regarding": "Call about renewal",
        "details": "bring numbers",
        "color": "FF8800",
        "start-time": "2031-03-04T14:30:00",
        "end-time": "2031-03-04T15:00:00",
        "type": "call",
        "timeless": "false",
        "completed": "false",
        "result": "",
    }
    api.call(
        "update-activity",
        **{
            "activity-id": aid,
            "schedule-for": alex,
            "start-time": "2031-03-05 09:00",
            "details": "",
        },
    )
    data = api.call("get-activity-info", **{"activity-id": aid})["activity-data"]
    assert data["schedule-for"] == alex
    assert data["start-time"] == "2031-03-05T09:00:00"
    assert data["end-time"] == "2031-03-05T09:30:00"  # duration kept
    assert data["details"] == ""
    assert data["regarding"] == "Call about renewal"
    done = api.call(
        "complete-activity", **{"activity-id": aid, "result": "Signed up", "regarding": ""}
    )
    assert done["activity-id"] == aid
    assert done["note-id"]
    data = api.call("get-activity-info", **{"activity-id": aid})["activity-data"]
    assert data["completed"] == "true"
    assert data["result"] == "Signed up"
    notes = api.call("get-notes-for-contact", **{"contact-id": cid})["note-list"]
    note = notes["note-info"][done["note-id"]]
    assert note["type"] == "2"  # a call
    assert "Call about renewal" in note["details"]
    assert "Signed up" in note["details"]
    assert note["contact-id"] == cid


def test_activity_defaults_and_errors(fresh_api: Api) -> None:
    api = fresh_api
    aid = api.call("create-activity")["activity-id"]
    data = api.call("get-activity-info", **{"activity-id": aid})["activity-data"]
    assert data["type"] == "todo"
    assert data["schedule-for"] == api.user_id()
    assert data["start-time"] <= data["end-time"]
    timeless = api.call(
        "create-activity", **{"timeless": True, "start-time": "2031-01-01 13:45", "type": "todo"}
    )["activity-id"]
    t = api.call("get-activity-info", **{"activity-id": timeless})["activity-data"]
    assert t["timeless"] == "true"
    assert t["start-time"] == "2031-01-01T00:00:00"
    for params in (
        {"type": "lunch"},
        {"color": "red"},
        {"color": "12345"},
        {"start-time": "tomorrow"},
        {"schedule-with": "bad"},
        {"start-time": "2031-01-02 10:00", "end-time": "2031-01-01 10:00"},
        {"timeless": "perhaps"},
    ):
        assert api.error("create-activity", **params) == "INVALID_PARAMETER", params
    assert api.error("create-activity", **{"schedule-with": MISSING_ID}) == "NOT_FOUND"
    assert api.error("create-activity", **{"schedule-for": MISSING_ID}) == "NOT_FOUND"
    assert api.error("update-activity", **{"activity-id": MISSING_ID}) == "NOT_FOUND"
    assert api.error("update-activity", **{"activity-id": MISSING_ID, "type": "x"}) == (
        "INVALID_PARAMETER"  # malformed before not found
    )
    assert api.error("complete-activity") == "MISSING_PARAMETER"
    assert api.error("get-activity-info", **{"activity-id": "x"}) == "INVALID_PARAMETER"


def test_complete_group_activity_writes_group_note(fresh_api: Api) -> None:
    api = fresh_api
    gid = api.first_group()
    aid = api.call(
        "create-activity-for-group", **{"group-id": gid, "type": "meeting", "regarding": "Board"}
    )["activity-id"]
    note_id = api.call("complete-activity", **{"activity-id": aid, "result": "ok"})["note-id"]
    note = api.call("get-notes-for-group", **{"group-id": gid})["note-list"]["note-info"][note_id]
    assert note["type"] == "3"
    assert note["group-id"] == gid


def test_notes(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    alex = api.user_id(ALEX_EMAIL)
    n1 = api.call("create-note", **{"contact-id": cid, "details": "hello"})["note-id"]
    n2 = api.call(
        "create-note", **{"contact-id": cid, "details": "by alex", "user-id": alex, "type": "5"}
    )["note-id"]
    info = api.call("get-notes-for-contact", **{"contact-id": cid})["note-list"]["note-info"]
    assert info[n1]["type"] == "1"
    assert info[n1]["user-id"] == api.user_id()
    assert info[n2]["type"] == "5"
    assert info[n2]["user-id"] == alex
    assert info[n1]["created-date"][4] == "-"
    assert info[n1]["created-date"][10] == "T"
    assert api.error("create-note", **{"contact-id": cid, "details": "x", "type": "type"}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("create-note", **{"contact-id": cid}) == "MISSING_PARAMETER"
    assert api.error("create-note", **{"contact-id": MISSING_ID, "details": "x"}) == "NOT_FOUND"
    assert (
        api.error("create-note", **{"contact-id": cid, "details": "x", "user-id": MISSING_ID})
        == "NOT_FOUND"
    )


def test_campaigns(fresh_api: Api) -> None:
    api = fresh_api
    campaigns = api.call("get-campaigns")["campaign-list"]
    assert int(campaigns["total-record-count"]) == len(campaigns["campaign-ids"]) >= 3
    camp = campaigns["campaign-ids"][0]
    before = int(campaigns["campaign-info"][camp]["member-count"])
    ids = api.contacts(**{"page-size": "1000"})["contact-ids"]
    result = api.call("add-to-campaign", **{"campaign-id": camp, "contact-ids": [*ids, MISSING_ID]})
    added = int(result["added-count"])
    assert MISSING_ID in result["skipped"]
    assert added + len(result["skipped"]) == len(ids) + 1
    after = api.call("get-campaigns")["campaign-list"]["campaign-info"][camp]
    assert int(after["member-count"]) == before + added == len(ids)
    assert (
        api.error("add-to-campaign", **{"campaign-id": MISSING_ID, "contact-ids": ids[:1]})
        == "NOT_FOUND"
    )


def test_sales(fresh_api: Api) -> None:
    api = fresh_api
    sales = api.call("get-sales", **{"page-size": "1000"})["sales-list"]
    assert {s[S_STATUS] for s in sales["sales-info"].values()} == {"0", "1", "2"}
    a = api.call("get-sales", **{"page-size": "5"})["sales-list"]["sales-ids"]
    b = api.call("get-sales", **{"page-size": "5", "start-after": "5"})["sales-list"]["sales-ids"]
    assert a + b == sales["sales-ids"][:10]
    cid = api.first_contact()
    sid = api.call(
        "create-sales-opp",
        **{
            "sales-field-data": {
                S_CONTACT: cid,
                S_DETAILS: "Big deal",
                S_STATUS: 1,
                S_STATE: "Closed Won",
                S_AMOUNT: "1,250.50",
                S_CLOSE_DATE: "12/31/2031 5:00 PM",
            }
        },
    )["sales-id"]
    rec = api.call("get-sales-for-contact", **{"contact-id": cid})["sales-list"]["sales-info"][sid]
    assert rec[S_CONTACT] == cid
    assert rec[S_STATUS] == "1"
    assert rec[S_DETAILS] == "Big deal"
    assert rec[S_AMOUNT] == "1250.50"
    assert rec[S_CLOSE_DATE] == "2031-12-31T17:00:00"
    found = api.call("get-sales", **{"filter-value": "big DEAL"})["sales-list"]
    assert sid in found["sales-ids"]
    for bad in (
        {S_STATUS: "3"},
        {S_CONTACT: "bad"},
        {S_AMOUNT: "lots"},
        {C_NAME: "x"},
        {S_CLOSE_DATE: "soon"},
    ):
        assert api.error("create-sales-opp", **{"sales-field-data": bad}) == "INVALID_PARAMETER"
    assert api.error("create-sales-opp", **{"sales-field-data": {S_CONTACT: MISSING_ID}}) == (
        "NOT_FOUND"
    )
    gid = api.first_group()
    gsid = api.call("create-sales-opp", **{"sales-field-data": {S_GROUP: gid}})["sales-id"]
    gsales = api.call("get-sales-for-group", **{"group-id": gid})["sales-list"]
    assert gsid in gsales["sales-ids"]
    assert gsales["sales-info"][gsid][S_STATUS] == "0"
