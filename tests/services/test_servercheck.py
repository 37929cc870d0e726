"""The server check against real servers on 127.0.0.1: the sandbox (no differences), variants of
it whose answers a middleware rewrites (numbers for strings, no error-code: tolerated; no
total-record-count: not tolerated), refused sign-ins and no server at all. The app's client
still browses the tolerated variant. Plus the shape checker on hand-made answers."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_NAME
from support.variants import (
    VariantServer,
    variant_sandbox,
    without_key,
)

from snx_desktop.api.client import SalesNexusClient
from snx_desktop.services import contractshapes as shapes
from snx_desktop.services.servercheck import BAD_CALL, check_server, check_session

ALL_CALLS = [
    "greet",
    "get-login-token",
    "get-all-fields",
    "get-user-layouts",
    "get-users",
    "get-contacts",
    "get-groups",
    "get-activities",
    "get-sales",
    "get-campaigns",
    "get-contact-info",
    "get-notes-for-contact",
    "get-sales-for-contact",
    "get-docs-for-contact",
    "get-group-info",
    "get-notes-for-group",
    "get-sales-for-group",
    "get-activities-for-group",
    "get-contacts-for-group",
    "get-contact-info for a contact that does not exist",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_the_sandbox_answers_as_the_contract_says(sandbox: Any) -> None:
    sandbox.reset_counters()
    report = await check_server(sandbox.base_url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    assert report.differences == []
    assert (report.problem, report.exit_code) == ("", 0)
    assert report.calls == ALL_CALLS
    assert "No differences from the contract." in report.text()
    # read calls only: nothing was written
    asked = {c.split(" ")[0] for c in ALL_CALLS}
    assert asked <= set(sandbox.calls)
    assert all(f == "greet" or f.startswith("get-") for f in sandbox.calls), sandbox.calls


@pytest.mark.asyncio
async def test_a_login_token_signs_in_too_and_a_refused_one_stops_the_check(sandbox: Any) -> None:
    async with SalesNexusClient(sandbox.base_url) as client:
        token = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    report = await check_server(sandbox.base_url, token=token)
    assert (report.exit_code, report.differences) == (0, [])
    assert report.sign_in == "a login token"
    assert "get-login-token" not in report.calls
    refused = await check_server(sandbox.base_url, token="not-a-token-of-this-server")
    assert refused.exit_code == 2
    assert refused.problem == "Could not sign in: the server refused the login token."
    wrong = await check_server(sandbox.base_url, email=DEMO_EMAIL, password="Wrong-Pw-91")
    assert wrong.exit_code == 2
    assert "e-mail address or password is not correct" in wrong.text()
    assert "Wrong-Pw-91" not in wrong.text()


@pytest.mark.asyncio
async def test_no_server_means_exit_status_2() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    report = await check_server(
        url, email=DEMO_EMAIL, password=DEMO_PASSWORD, client_options={"retries": 0}
    )
    assert report.exit_code == 2
    assert report.problem.startswith(f"Could not reach {url}")
    assert report.calls == []
    refused = await check_server("http://example.com", token="x" * 20)
    assert refused.exit_code == 2  # plain http to another computer is refused before any call
    assert "Plain http:// is refused" in refused.problem


@pytest.mark.asyncio
async def test_numbers_for_strings_and_no_error_code_are_listed_as_tolerated(
    lenient_variant: VariantServer,
) -> None:
    report = await check_server(lenient_variant.base_url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    assert report.problem == ""
    assert report.calls == ALL_CALLS  # the app's client got through every call
    assert report.exit_code == 1
    found = {(d.function, d.where): d for d in report.differences}
    count = found["get-contacts", "contact-list.total-record-count"]
    assert count.what == "a number where the contract has a whole number as a string"
    assert found["get-all-fields", "field-list.field-ids[]"].count > 1
    assert ("get-all-fields", "field-list.field-info.*.type") in found
    assert ("get-campaigns", "campaign-list.campaign-info.*.member-count") in found
    error_code = found[BAD_CALL, "error-code"]
    assert error_code.what.startswith("missing; the app took the error for ")
    assert all(d.tolerated for d in report.differences), [
        d.line() for d in report.differences if not d.tolerated
    ]
    text = report.text()
    assert f"{len(report.differences)} differences from the contract: " in text
    assert "0 not tolerated" in text
    assert "contact-list.total-record-count: a number where" in text
    assert "[tolerated by the app]" in text
    assert "NOT tolerated" not in text


@pytest.mark.asyncio
async def test_the_app_still_browses_the_lenient_variant(lenient_variant: VariantServer) -> None:
    async with SalesNexusClient(lenient_variant.base_url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        page = await client.get_contacts(page_size=5)
        assert page.total == 40
        assert len(page.items) == 5
        first = page.items[0]
        info = await client.get_contact_info(first.contact_id)
        assert info.contact_id == first.contact_id
        assert info.field_data[C_NAME] == first.field_data[C_NAME]
        assert all(isinstance(v, str) for v in info.field_data.values())
        numeric = [k for k, v in info.field_data.items() if v.isdigit()]
        assert numeric  # values the variant sent as numbers, read back as text


@pytest.mark.asyncio
async def test_a_missing_total_is_not_tolerated() -> None:
    with variant_sandbox(without_key("total-record-count")) as server:
        report = await check_server(server.base_url, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    missing = [d for d in report.differences if d.where.endswith("total-record-count")]
    assert {d.function for d in missing} >= {"get-contacts", "get-groups", "get-all-fields"}
    assert all(d.what == "missing" and not d.tolerated for d in missing)
    assert report.exit_code == 1
    assert "contact-list.total-record-count: missing [NOT tolerated by the app]" in report.text()


@pytest.mark.asyncio
async def test_the_session_check_uses_the_session_server_and_token(sandbox: Any) -> None:
    async with SalesNexusClient(sandbox.base_url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        token = client.token
        report = await check_session(client)
        assert (report.exit_code, report.sign_in) == (0, "this session's login token")
        assert client.token == token  # the session's own client is left as it was
        offline = await check_session(client, working_offline=True)
        assert offline.exit_code == 2
        assert "working offline" in offline.problem
        assert offline.calls == []


GUID = "0a1b2c3d-0000-4000-8000-00000000000a"


@pytest.mark.parametrize(
    ("result", "where", "what", "tolerated"),
    [
        (
            {"contact-id": GUID.upper(), "field-data": {C_NAME: "x"}},
            "contact-id",
            "a GUID not in lower case",
            True,
        ),
        (
            {"contact-id": "12345", "field-data": {C_NAME: "x"}},
            "contact-id",
            "a string that is not a GUID where the contract has a lower-case GUID",
            False,
        ),
        (
            {"contact-id": GUID, "field-data": json.dumps({C_NAME: "x"})},
            "field-data",
            "an object sent as a JSON string",
            True,
        ),
        (
            {"contact-id": GUID, "field-data": {C_NAME: {"nested": "x"}}},
            "field-data.48",
            "an object where the contract has a string",
            False,
        ),
        ({"contact-id": GUID}, "field-data", "missing", False),
        (
            {"contact-id": GUID, "field-data": {}, "etag": "x"},
            "etag",
            "a key the contract does not name",
            True,
        ),
    ],
)
def test_shape_checker_marks_what_the_app_tolerates(
    result: dict[str, Any], where: str, what: str, tolerated: bool
) -> None:
    findings = shapes.Findings("get-contact-info")
    shapes.check_result("get-contact-info", {"success": "true", **result}, findings)
    got = {(d.where, d.what): d.tolerated for d in findings.differences()}
    assert got.get((where, what)) is tolerated, got


def test_a_list_whose_ids_have_no_records_is_not_tolerated() -> None:
    answer = {
        "success": "true",
        "contact-list": {
            "total-record-count": "1",
            "contact-ids": [GUID, "0a1b2c3d-0000-4000-8000-00000000000b"],
            "contact-info": {GUID: {C_NAME: "x"}},
        },
    }
    findings = shapes.Findings("get-contacts")
    shapes.check_result("get-contacts", answer, findings)
    lines = sorted(d.line() for d in findings.differences())
    assert lines == [
        "contact-list.contact-info: an id of contact-ids has no record here"
        " [NOT tolerated by the app]",
        "contact-list.total-record-count: smaller than the ids in contact-ids"
        " [NOT tolerated by the app]",
        "the app cannot read this answer ('contact-info' lacks an entry for a listed id)"
        " [NOT tolerated by the app]",
    ]
    assert GUID not in "".join(lines)  # ids are values: never shown
