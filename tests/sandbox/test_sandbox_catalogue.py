"""Fields, layouts and users."""

from __future__ import annotations

import json

from support.accounts import ALEX_EMAIL, DEMO_EMAIL
from support.fields import (
    C_COMPANY,
    C_EMAIL,
    C_EMAIL2,
    C_FIRST,
    C_LAST,
    C_NAME,
    C_PHONE,
    C_TITLE,
    S_CONTACT,
    S_DETAILS,
    S_GROUP,
    S_STATE,
    S_STATUS,
)
from support.sandboxapi import Api

REFERENCE_IDS = {
    C_COMPANY: "company",
    C_NAME: "name",
    C_EMAIL: "email",
    C_PHONE: "phone",
    C_FIRST: "first-name",
    C_LAST: "last-name",
}


def test_fields(api: Api) -> None:
    fields = api.call("get-all-fields")["field-list"]
    info = fields["field-info"]
    assert fields["total-record-count"] == str(len(fields["field-ids"])) == str(len(info))
    for fid, field in info.items():
        assert field["unique-id"] == fid
        assert field["table-name"] in ("Contact", "Group", "Sales", "Activity", "Note")
        assert field["label"]
        assert field["type"] in {str(n) for n in range(9)}
        assert field["read-only"] in ("true", "false")
        assert isinstance(field["role"], str)
    for fid, role in REFERENCE_IDS.items():
        assert info[fid]["table-name"] == "Contact"
        assert info[fid]["role"] == role
    for fid in (C_TITLE, C_EMAIL2):
        assert info[fid]["table-name"] == "Contact"
    for table in ("Contact", "Group"):
        record_ids = [
            f for f in info.values() if f["table-name"] == table and f["role"] == "record-id"
        ]
        assert len(record_ids) == 1
        assert record_ids[0]["read-only"] == "true"
    group_names = [f for f in info.values() if f["table-name"] == "Group" and f["role"] == "name"]
    assert len(group_names) == 1
    sales = {fid: f for fid, f in info.items() if f["table-name"] == "Sales"}
    assert sales[S_CONTACT]["role"] == "contact-id"
    assert sales[S_GROUP]["role"] == "group-id"
    for fid in (S_STATUS, S_DETAILS, S_STATE):
        assert fid in sales
    assert any(f["type"] == "1" for f in sales.values())  # amount
    assert any(f["type"] == "2" for f in sales.values())  # close date
    assert any(f["table-name"] == "Activity" for f in info.values())
    assert any(f["table-name"] == "Note" for f in info.values())


def test_layouts_one_default_per_table(api: Api) -> None:
    layouts = api.call("get-user-layouts")["layout-list"]
    info = layouts["layout-info"]
    fields = api.call("get-all-fields")["field-list"]["field-info"]
    me = api.user_id()
    defaults: dict[str, int] = {}
    for lid, layout in info.items():
        assert layout["layout-id"] == lid
        assert layout["user-id"] == me
        assert layout["is-default"] in ("true", "false")
        assert layout["is-standard"] in ("true", "false")
        assert layout["field-ids"]
        for fid in layout["field-ids"]:
            assert fields[fid]["table-name"] == layout["table-name"]
        if layout["is-default"] == "true":
            defaults[layout["table-name"]] = defaults.get(layout["table-name"], 0) + 1
    assert defaults == {"Contact": 1, "Group": 1, "Sales": 1, "Activity": 1, "Note": 1}
    other = api.user_id(ALEX_EMAIL)
    theirs = api.call("get-user-layouts", **{"user-id": other.upper()})["layout-list"]
    assert all(layout["user-id"] == other for layout in theirs["layout-info"].values())
    assert set(theirs["layout-ids"]).isdisjoint(layouts["layout-ids"])


def test_users(api: Api) -> None:
    users = api.call("get-users")["user-list"]
    info = users["user-info"]
    assert int(users["total-record-count"]) >= 3
    emails = {u["email-address"]: u for u in info.values()}
    assert DEMO_EMAIL in emails
    assert emails[ALEX_EMAIL]["security-level"] == "user"
    assert any(u["security-level"] == "admin" for u in info.values())
    for uid, user in info.items():
        assert user["user-id"] == uid == uid.lower()
        assert len(uid) == 36
        assert user["name"]


def test_field_keys_are_written_in_the_contracts_order(api: Api) -> None:
    # live clients slice the answer text, so the order of the keys is part of the contract
    body = [{"function": "get-all-fields", "parameters": {"login-token": api.token}}]
    text = api.client.post(api.url, json=body).text
    assert text.startswith('[\n  {\n    "result": {\n')  # pretty-printed like the service
    answer = json.loads(text, object_pairs_hook=lambda pairs: pairs)
    [[(_, result)]] = answer
    [fields] = [value for key, value in result if key == "field-list"]
    [info] = [value for key, value in fields if key == "field-info"]
    assert info
    for fid, field in info:
        keys = [key for key, _ in field]
        assert keys[:3] == ["table-name", "label", "unique-id"], (fid, keys)
        assert set(keys[3:]) >= {"type", "read-only", "role"}
    first = dict(dict(info)[C_NAME])
    assert (
        f'"table-name": "Contact",\n            "label": "{first["label"]}",\n'
        f'            "unique-id": "{C_NAME}",' in text
    )
