"""Contacts: create, list, filter, page, info, update, import, delete and its cascade."""

from __future__ import annotations

import json
import re
from typing import Any

from support.fields import (
    C_COMPANY,
    C_CREATED,
    C_EMAIL,
    C_EMAIL2,
    C_FIRST,
    C_LAST,
    C_NAME,
    C_OWNER,
    C_PHONE,
    C_RECORD_ID,
    C_TITLE,
    G_NAME,
    S_CONTACT,
    S_DETAILS,
)
from support.sandboxapi import Api

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_create_and_read_back(api: Api) -> None:
    cid = api.call(
        "create-contact",
        **{
            "contact-field-data": {
                C_NAME: "Ada Lovelace",
                C_COMPANY: "Engines Ltd",
                C_EMAIL: "ada@x.org",
                C_PHONE: 5551234,
            }
        },
    )["contact-id"]
    assert GUID.match(cid)
    data = api.contact(cid.upper())
    assert data[C_NAME] == "Ada Lovelace"
    assert data[C_COMPANY] == "Engines Ltd"
    assert data[C_PHONE] == "5551234"
    assert data[C_RECORD_ID] == cid
    assert data[C_OWNER] == api.user_id()  # record manager defaults to the session user
    assert data[C_TITLE] == ""  # every field, empty as ""
    assert all(isinstance(v, str) for v in data.values())


def test_create_contact_checks(api: Api) -> None:
    assert api.error("create-contact") == "MISSING_PARAMETER"
    assert api.error("create-contact", **{"contact-field-data": "nope"}) == "INVALID_PARAMETER"
    assert (
        api.error("create-contact", **{"contact-field-data": {"abc": "x"}}) == "INVALID_PARAMETER"
    )
    assert api.error("create-contact", **{"contact-field-data": {G_NAME: "x"}}) == (
        "INVALID_PARAMETER"  # a Group field
    )
    assert api.error("create-contact", **{"contact-field-data": {C_RECORD_ID: "x"}}) == (
        "INVALID_PARAMETER"  # read-only record id
    )
    assert api.error("create-contact", **{"contact-field-data": {C_NAME: {"a": 1}}}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("create-contact", **{"contact-field-data": {C_NAME: "x"}, "extra": "1"}) == (
        "INVALID_PARAMETER"
    )
    # contact-field-data as a JSON string is accepted
    assert api.call("create-contact", **{"contact-field-data": json.dumps({C_NAME: "Str Ing"})})


def test_first_and_last_name_fill_full_name(api: Api) -> None:
    cid = api.call(
        "create-contact", **{"contact-field-data": {C_FIRST: "Grace", C_LAST: "Hopper"}}
    )["contact-id"]
    assert api.contact(cid)[C_NAME] == "Grace Hopper"
    api.call(
        "update-contact",
        **{"match-by-field-data": {C_RECORD_ID: cid}, "contact-field-data": {C_LAST: "Murray"}},
    )
    assert api.contact(cid)[C_NAME] == "Grace Murray"


def test_pages_concatenate_and_total_is_full_count(api: Api) -> None:
    both = api.contacts(**{"start-after": "0", "page-size": "100"})
    first = api.contacts(**{"start-after": "0", "page-size": "50"})
    second = api.contacts(**{"start-after": "50", "page-size": "50"})
    assert first["contact-ids"] + second["contact-ids"] == both["contact-ids"]
    assert both["total-record-count"] == first["total-record-count"]
    assert int(both["total-record-count"]) >= 300
    assert set(both["contact-info"]) == set(both["contact-ids"])
    names = [both["contact-info"][c][C_NAME].casefold() for c in both["contact-ids"]]
    assert names == sorted(names)


def test_paging_defaults_and_limits(api: Api) -> None:
    assert len(api.contacts()["contact-ids"]) == 50
    assert len(api.contacts(**{"page-size": 5000})["contact-ids"]) <= 1000
    total = int(api.contacts()["total-record-count"])
    assert api.contacts(**{"start-after": str(total + 10)})["contact-ids"] == []
    assert api.contacts(**{"page-size": "0"})["contact-ids"] == []
    for bad in ("x", "-1", "1.5", True):
        assert api.error("get-contacts", **{"page-size": bad}) == "INVALID_PARAMETER"
        assert api.error("get-contacts", **{"start-after": bad}) == "INVALID_PARAMETER"
    assert len(api.contacts(**{"page-size": 7, "start-after": 3})["contact-ids"]) == 7


def test_filter_matches_name_company_email_case_insensitive(api: Api) -> None:
    api.call(
        "create-contact",
        **{
            "contact-field-data": {
                C_NAME: "Quentin Zebulon",
                C_COMPANY: "Xylophone Works",
                C_EMAIL: "qz@unusualdomain.test",
            }
        },
    )
    for needle in ("zebulon", "QUENTIN Z", "xylophone", "UNUSUALDOMAIN", "qz@", "ze"):
        found = api.contacts(**{"filter-value": needle})
        names = [c[C_NAME] for c in found["contact-info"].values()]
        assert "Quentin Zebulon" in names, needle
        for record in found["contact-info"].values():
            hay = " ".join(
                (
                    record[C_NAME],
                    record[C_FIRST] + " " + record[C_LAST],
                    record[C_COMPANY],
                    record[C_EMAIL],
                )
            ).casefold()
            assert needle.casefold() in hay
    assert api.contacts(**{"filter-value": "no such text anywhere"})["total-record-count"] == "0"


def test_filtered_pages_concatenate(api: Api) -> None:
    everyone = api.contacts(**{"page-size": "1000"})
    some_name = next(iter(everyone["contact-info"].values()))[C_LAST][:3]
    full = api.contacts(**{"filter-value": some_name, "page-size": "1000"})
    total = int(full["total-record-count"])
    assert total == len(full["contact-ids"]) >= 1
    pieces: list[str] = []
    for start in range(0, total, 3):
        pieces += api.contacts(
            **{"filter-value": some_name, "start-after": str(start), "page-size": "3"}
        )["contact-ids"]
    assert pieces == full["contact-ids"]


def test_contact_info_not_found_and_malformed(api: Api) -> None:
    assert api.error("get-contact-info", **{"contact-id": "0" * 36}) == "INVALID_PARAMETER"
    assert api.error("get-contact-info", **{"contact-id": ""}) == "MISSING_PARAMETER"
    assert (
        api.error("get-contact-info", **{"contact-id": "12345678-1234-4234-8234-123456789abc"})
        == "NOT_FOUND"
    )


def test_update_contact_updates_every_match(fresh_api: Api) -> None:
    api = fresh_api
    ids = [
        api.call(
            "create-contact", **{"contact-field-data": {C_NAME: f"Twin {n}", C_COMPANY: "Same Co"}}
        )["contact-id"]
        for n in range(3)
    ]
    result = api.call(
        "update-contact",
        **{
            "match-by-field-data": {C_COMPANY: "  same co "},
            "contact-field-data": {C_TITLE: "Boss"},
        },
    )
    assert result["updated-count"] == "3"
    assert sorted(result["contact-ids"]) == sorted(ids)
    assert result["created"] == "false"
    assert all(api.contact(c)[C_TITLE] == "Boss" for c in ids)


def test_update_contact_by_record_id_and_create_rules(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    result = api.call(
        "update-contact",
        **{
            "match-by-field-data": {C_RECORD_ID: cid.upper()},
            "contact-field-data": {C_TITLE: "Chief"},
        },
    )
    assert result == {
        "success": "true",
        "updated-count": "1",
        "contact-ids": [cid],
        "created": "false",
    }
    no_match = {
        "match-by-field-data": {C_EMAIL: "nobody@nowhere.test"},
        "contact-field-data": {C_NAME: "New Person"},
    }
    result = api.call("update-contact", **no_match)
    assert result["updated-count"] == "0"
    assert result["contact-ids"] == []
    assert result["created"] == "false"
    result = api.call("update-contact", **no_match, **{"create-if-not-updated": "true"})
    assert result["created"] == "true"
    assert result["updated-count"] == "0"
    created = api.contact(result["contact-ids"][0])
    assert created[C_EMAIL] == "nobody@nowhere.test"
    assert created[C_NAME] == "New Person"
    # now it matches instead of creating again
    again = api.call("update-contact", **no_match, **{"create-if-not-updated": True})
    assert again["created"] == "false"
    assert again["updated-count"] == "1"


def test_update_contact_errors(api: Api) -> None:
    cid = api.first_contact()
    base = {"match-by-field-data": {C_RECORD_ID: cid}, "contact-field-data": {C_TITLE: "x"}}
    assert api.error("update-contact", **{**base, "match-by-field-data": {}}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("update-contact", **{**base, "contact-field-data": {C_RECORD_ID: "x"}}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("update-contact", **{**base, "contact-field-data": {C_CREATED: "x"}}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("update-contact", **{**base, "create-if-not-updated": "maybe"}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("update-contact", **{"contact-field-data": {C_TITLE: "x"}}) == (
        "MISSING_PARAMETER"
    )


def _import(api: Api, rows: list[Any], **params: Any) -> dict[str, Any]:
    return api.call("import-contacts", contacts=json.dumps(rows), **params)


def test_import_contacts_reference_rows(fresh_api: Api) -> None:
    api = fresh_api
    rows = [
        {
            "_toMatch": [int(C_EMAIL2)],
            C_EMAIL2: "barney@blackmesa.net",
            C_PHONE: "281-555-5554",
            C_FIRST: "Barn",
            C_LAST: "Cal",
            C_TITLE: "",
        },
        {"_toMatch": [int(C_LAST)], C_FIRST: "Gordon", C_LAST: "Freeman"},
    ]
    assert _import(api, rows) == {
        "success": "true",
        "updated-count": "0",
        "created-count": "0",
        "contact-ids": [],
        "failed": [],
    }
    created = _import(api, rows, **{"create-if-not-updated": "true"})
    assert created["created-count"] == "2"
    assert created["updated-count"] == "0"
    barney = api.contact(created["contact-ids"][0])
    assert barney[C_EMAIL2] == "barney@blackmesa.net"
    assert barney[C_NAME] == "Barn Cal"
    rows[0][C_PHONE] = "281-555-0000"
    updated = _import(api, rows, **{"create-if-not-updated": "true"})
    assert updated["updated-count"] == "2"
    assert updated["created-count"] == "0"
    assert api.contact(created["contact-ids"][0])[C_PHONE] == "281-555-0000"


def test_import_without_to_match(fresh_api: Api) -> None:
    api = fresh_api
    row = [{C_NAME: "No Match Person"}]
    assert _import(api, row)["created-count"] == "0"
    assert _import(api, row, **{"create-if-not-updated": "true"})["created-count"] == "1"
    assert (
        _import(api, [{"_toMatch": [], C_NAME: "X"}], **{"create-if-not-updated": "true"})[
            "created-count"
        ]
        == "1"
    )


def test_import_match_nulls(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.call(
        "create-contact",
        **{"contact-field-data": {C_NAME: "Null Matcher", C_EMAIL: "nm@nulls.test"}},
    )["contact-id"]  # no phone
    rows = [
        {
            "_toMatch": [int(C_EMAIL), int(C_PHONE)],
            C_EMAIL: "NM@nulls.test ",
            C_PHONE: "713-555-0101",
            C_TITLE: "A",
        }
    ]
    # phone empty in the stored contact: a match unless match-nulls is false
    result = _import(api, rows)
    assert result["updated-count"] == "1"
    assert result["contact-ids"] == [cid]
    result = _import(api, [{**rows[0], C_TITLE: "B"}], **{"match-nulls": "false"})
    # the first import stored the phone, so now both fields are equal
    assert result["updated-count"] == "1"
    other = api.call(
        "create-contact", **{"contact-field-data": {C_NAME: "Other", C_EMAIL: "other@nulls.test"}}
    )["contact-id"]
    rows = [
        {
            "_toMatch": [int(C_EMAIL), int(C_PHONE)],
            C_EMAIL: "other@nulls.test",
            C_PHONE: "999",
            C_TITLE: "C",
        }
    ]
    assert _import(api, rows, **{"match-nulls": False})["updated-count"] == "0"
    assert _import(api, rows)["contact-ids"] == [other]
    # different non-empty values never match
    rows = [{"_toMatch": [int(C_EMAIL), int(C_PHONE)], C_EMAIL: "other@nulls.test", C_PHONE: "111"}]
    assert _import(api, rows)["updated-count"] == "0"
    # a row whose match fields are all empty matches nothing
    assert (
        _import(api, [{"_toMatch": [int(C_EMAIL)], C_EMAIL: "", C_NAME: "Empty"}])["updated-count"]
        == "0"
    )


def test_import_failures_are_per_row(fresh_api: Api) -> None:
    api = fresh_api
    rows = [
        "not an object",
        {"_toMatch": [9999], C_NAME: "x"},
        {C_RECORD_ID: "read-only"},
        {C_NAME: "Fine Row"},
        {"_toMatch": C_EMAIL, C_EMAIL: "single@to.match"},
    ]
    result = _import(api, rows, **{"create-if-not-updated": "true"})
    assert [f["row"] for f in result["failed"]] == ["0", "1", "2"]
    assert all(f["error"] for f in result["failed"])
    assert result["created-count"] == "2"
    # contacts as a real array also works; a non-array is a parameter error
    assert (
        api.call(
            "import-contacts", contacts=[{C_NAME: "Arr"}], **{"create-if-not-updated": "true"}
        )["created-count"]
        == "1"
    )
    assert api.error("import-contacts", contacts="{not json") == "INVALID_PARAMETER"
    assert api.error("import-contacts", contacts=json.dumps({C_NAME: "x"})) == "INVALID_PARAMETER"
    assert api.error("import-contacts") == "MISSING_PARAMETER"


def test_delete_contacts_cascades(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.call("create-contact", **{"contact-field-data": {C_NAME: "Doomed"}})["contact-id"]
    gid = api.first_group()
    note = api.call("create-note", **{"contact-id": cid, "details": "n"})["note-id"]
    act = api.call("create-activity", **{"schedule-with": cid, "type": "call"})["activity-id"]
    api.call("create-sales-opp", **{"sales-field-data": {S_CONTACT: cid, S_DETAILS: "deal"}})
    api.call(
        "add-doc-to-contact", **{"contact-id": cid, "file-name": "a.txt", "base64-data": "aGVsbG8="}
    )
    api.call("add-contacts-to-group", **{"group-id": gid, "contact-ids": [cid]})
    missing = "12345678-1234-4234-8234-123456789abc"
    result = api.call("delete-contacts", **{"contact-ids-to-delete": [cid.upper(), missing]})
    assert result["deleted-count"] == "1"
    assert result["not-found"] == [missing]
    assert api.error("get-contact-info", **{"contact-id": cid}) == "NOT_FOUND"
    assert api.error("get-activity-info", **{"activity-id": act}) == "NOT_FOUND"
    sales = api.call("get-sales", **{"page-size": "1000"})["sales-list"]["sales-info"]
    assert all(s[S_CONTACT] != cid for s in sales.values())
    members = api.call("get-contacts-for-group", **{"group-id": gid})["contact-list"]
    assert cid not in members["contact-ids"]
    notes = api.call("get-notes-for-group", **{"group-id": gid})["note-list"]
    assert note not in notes["note-ids"]
    assert api.error("get-docs-for-contact", **{"contact-id": cid}) == "NOT_FOUND"


def test_delete_contacts_errors(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    missing = "12345678-1234-4234-8234-123456789abc"
    assert api.error("delete-contacts", **{"contact-ids-to-delete": [missing]}) == "NOT_FOUND"
    assert api.error("delete-contacts", **{"contact-ids-to-delete": [cid, "bad"]}) == (
        "INVALID_PARAMETER"
    )
    assert api.contact(cid)  # nothing deleted
    assert api.error("delete-contacts", **{"contact-ids-to-delete": [""]}) == "INVALID_PARAMETER"
    assert api.error("delete-contacts", **{"contact-ids-to-delete": "x"}) == "INVALID_PARAMETER"
    assert api.error("delete-contacts") == "MISSING_PARAMETER"


def test_odd_filters_never_break(api: Api) -> None:
    for needle in (
        '"',
        '" OR "',
        "NEAR(a b)",
        "***",
        "a*b",
        "\x00\x00\x00",
        'ab"c',
        "🎉🎉🎉",
        "%_%",
        "' or 1=1 --",
        "ǅungla",
        "STRASSE",
        "x" * 1000,
    ):
        listing = api.contacts(**{"filter-value": needle})
        assert int(listing["total-record-count"]) == len(listing["contact-ids"]) or (
            int(listing["total-record-count"]) > 50
        )
    assert api.error("get-contacts", **{"filter-value": "x" * 1001}) == "INVALID_PARAMETER"


def test_unicode_filter_is_case_insensitive(fresh_api: Api) -> None:
    api = fresh_api
    api.call("create-contact", **{"contact-field-data": {C_NAME: "Ærøskøbing Straße"}})
    for needle in ("ærøskøbing", "ÆRØSKØBING", "STRASSE", "straße", "røs"):
        names = [
            c[C_NAME] for c in api.contacts(**{"filter-value": needle})["contact-info"].values()
        ]
        assert "Ærøskøbing Straße" in names, needle


def test_huge_values_are_parameter_errors(api: Api) -> None:
    cid = api.first_contact()
    assert api.error("create-contact", **{"contact-field-data": {C_NAME: "x" * 200_000}}) == (
        "INVALID_PARAMETER"
    )
    assert api.error("create-note", **{"contact-id": cid, "details": "y" * 1_100_000}) == (
        "INVALID_PARAMETER"
    )


def test_concurrent_clients(fresh_sandbox: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def worker(n: int) -> int:
        with httpx.Client(timeout=30) as client:
            api = Api(fresh_sandbox, client)
            api.login()
            for k in range(10):
                api.call("create-contact", **{"contact-field-data": {C_NAME: f"Worker {n}-{k}"}})
                api.contacts(**{"filter-value": "worker", "page-size": "5"})
            return int(api.contacts(**{"filter-value": f"worker {n}-"})["total-record-count"])

    with ThreadPoolExecutor(6) as pool:
        counts = list(pool.map(worker, range(6)))
    assert counts == [10] * 6


def test_import_can_match_on_record_id(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    result = _import(api, [{"_toMatch": [1], C_RECORD_ID: cid.upper(), C_TITLE: "Matched By Id"}])
    assert result["contact-ids"] == [cid]
    assert result["failed"] == []
    assert api.contact(cid)[C_TITLE] == "Matched By Id"
    # writing the record id without matching on it is refused for that row
    failed = _import(api, [{"_toMatch": [int(C_EMAIL)], C_EMAIL: "x@y.z", C_RECORD_ID: cid}])[
        "failed"
    ]
    assert [f["row"] for f in failed] == ["0"]
