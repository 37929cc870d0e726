"""Every example request of the vendor reference, sent verbatim once a real token and real
ids (and real values for the reference's placeholders) are put in."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.contract import VENDOR_FUNCTIONS
from support.fields import (
    C_CITY,
    C_COUNTRY,
    C_NAME,
    C_STATE,
    C_ZIP,
    G_DESCRIPTION,
    G_NAME,
    S_CONTACT,
    S_STATUS,
)
from support.sandboxapi import Api

EXAMPLES = json.loads((Path(__file__).parent / "reference_examples.json").read_text("utf-8"))[
    "examples"
]
ALL_FUNCTIONS = set(VENDOR_FUNCTIONS)


def _sub(text: str, key: str, old: str, new: str) -> str:
    """Replace the value ``old`` of ``key`` (any spacing around the colon)."""
    pattern = re.compile(r'("' + re.escape(key) + r'"\s*:\s*)' + re.escape(old))
    return pattern.sub(lambda m: m.group(1) + new, text)


def _real_ids(api: Api) -> dict[str, str]:
    contact = api.first_contact()
    doomed = api.call("create-contact", **{"contact-field-data": {C_NAME: "Doomed"}})["contact-id"]
    group = api.first_group()
    doomed_group = api.call(
        "update-group",
        **{
            "match-by-field-data": {G_NAME: "Doomed Group"},
            "group-field-data": {},
            "create-if-not-updated": "true",
        },
    )["group-ids"][0]
    activity = api.call("create-activity", **{"schedule-with": contact, "type": "call"})[
        "activity-id"
    ]
    campaign = api.call("get-campaigns")["campaign-list"]["campaign-ids"][0]
    return {
        "TOKEN": api.token,
        "CONTACT": contact,
        "DOOMED": doomed,
        "GROUP": group,
        "DOOMED_GROUP": doomed_group,
        "ACTIVITY": activity,
        "CAMPAIGN": campaign,
        "USER": api.user_id(),
    }


def _fill(function: str, body: str, ids: dict[str, str]) -> str:
    q = '"{}"'.format
    body = _sub(body, "login-token", '"token"', q(ids["TOKEN"]))
    body = _sub(body, "email-address", '"user@example.com"', q(DEMO_EMAIL))
    body = _sub(body, "password", '"p4ssw0rd"', q(DEMO_PASSWORD))
    for key in ("contact-id", "schedule-with", S_CONTACT):
        body = _sub(body, key, '""', q(ids["CONTACT"]))
        body = _sub(body, key, '"contact-id"', q(ids["CONTACT"]))
    body = _sub(body, "group-id", '""', q(ids["GROUP"]))
    body = _sub(body, "group-id", '"group-id"', q(ids["GROUP"]))
    body = _sub(body, "user-id", '"user-id"', q(ids["USER"]))
    body = _sub(body, "schedule-for", '""', q(ids["USER"]))
    body = _sub(body, "activity-id", '""', q(ids["ACTIVITY"]))
    body = _sub(body, "campaign-id", '"campaign-id"', q(ids["CAMPAIGN"]))
    body = _sub(body, "contact-ids", '[""]', f"[{q(ids['CONTACT'])}]")
    body = _sub(body, "contact-ids", '["contact-id list"]', f"[{q(ids['CONTACT'])}]")
    body = _sub(body, "contact-ids-to-delete", '[""]', f"[{q(ids['DOOMED'])}]")
    body = _sub(body, "group-ids-to-delete", '[""]', f"[{q(ids['DOOMED_GROUP'])}]")
    body = _sub(body, "file-name", '""', q("example.txt"))
    body = _sub(body, "base64-data", '""', q("aGVsbG8gd29ybGQ="))
    body = _sub(body, "type", '"type"', q("1"))
    body = _sub(body, "start-after", '"start-after"', q("0"))
    body = _sub(body, "page-size", '"page-size"', q("50"))
    body = _sub(body, S_STATUS, '"status"', q("0"))
    if function == "update-group":  # field ids of the example are contact-table ids here
        for old, new in (
            (C_CITY, G_NAME),
            (C_STATE, G_DESCRIPTION),
            (C_ZIP, G_NAME),
            (C_COUNTRY, G_DESCRIPTION),
        ):
            body = body.replace(f'"{old}":', f'"{new}":')
    return body


def test_examples_cover_all_37_functions() -> None:
    seen = {f for example in EXAMPLES for f in example["functions"]}
    assert seen == ALL_FUNCTIONS
    assert len(ALL_FUNCTIONS) == 37


def test_every_reference_example_is_accepted(fresh_api: Api) -> None:
    api = fresh_api
    ids = _real_ids(api)
    for example in EXAMPLES:
        body = _fill(example["functions"][0], example["body"], ids)
        sent = json.loads(body)
        response = api.client.post(
            api.url, content=body.encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200, body
        answer = response.json()
        assert len(answer) == len(sent)
        for call, element in zip(sent, answer, strict=True):
            assert "result" in element, (call["function"], element)
            assert element["result"]["success"] == "true"
            assert element["request-id"] == call["request-id"]
    # the examples did what they say
    assert api.error("get-contact-info", **{"contact-id": ids["DOOMED"]}) == "NOT_FOUND"
    assert api.error("get-group-info", **{"group-id": ids["DOOMED_GROUP"]}) == "NOT_FOUND"
    names = [
        c[C_NAME] for c in api.contacts(**{"filter-value": "full name"})["contact-info"].values()
    ]
    assert "full name" in names
    assert api.contacts(**{"filter-value": "barn cal"})["total-record-count"] == "1"
    assert api.contacts(**{"filter-value": "gordon freeman"})["total-record-count"] == "1"


def test_curl_style_hello_world(sandbox: Any) -> None:
    example = next(e for e in EXAMPLES if e["functions"] == ["greet"])
    response = httpx.post(sandbox.base_url + "/api/call-v1", content=example["body"])
    assert response.json()[0]["request-id"] == "simple hello world request"
