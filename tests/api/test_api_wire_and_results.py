"""Value forms, URL rules, redaction and liberal parsing of results (no network)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from support.fields import C_NAME, C_PHONE, C_RECORD_ID, S_STATUS

from snx_desktop.api import (
    Activity,
    Contact,
    Document,
    InsecureURLError,
    SalesNexusClient,
    _wire,
    as_bool,
    as_int,
    parse_datetime,
    redact,
)
from snx_desktop.api.errors import error_for_code, infer_code
from snx_desktop.api.results import (
    FieldDef,
    ImportResult,
    ResultShapeError,
    SalesOpp,
    UpdateResult,
    parse_record_list,
)


def test_wire_values() -> None:
    assert _wire.params(page_size=50, start_after=0, filter_value="", user_id=None) == {
        "page-size": "50",
        "start-after": "0",
        "filter-value": "",
    }
    assert _wire.wire_value(True) == "true"
    assert _wire.wire_value(False) == "false"
    assert _wire.wire_value(2.0) == "2"
    assert _wire.wire_value(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05"
    assert _wire.wire_value({int(C_NAME): "a", C_PHONE: 5, C_RECORD_ID: None}) == {
        C_NAME: "a",
        C_PHONE: "5",
        C_RECORD_ID: "",
    }
    assert _wire.wire_value(("a", "b")) == ["a", "b"]


def test_redaction() -> None:
    body = [
        {"function": "x", "parameters": {"login-token": "T", "password": "P", "data": "ok"}},
        {"parameters": {"base64-data": "QUJD", "nested": [{"Password": "q"}]}},
    ]
    text = json.dumps(redact(body))
    for secret in ('"T"', '"P"', "QUJD", '"q"'):
        assert secret not in text
    assert '"ok"' in text
    scrubbed = _wire.scrub_text("token abc123xyz and " + "A" * 60, ["abc123xyz"])
    assert "abc123xyz" not in scrubbed
    assert "A" * 60 not in scrubbed


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://localhost:1",
        "http://[::1]:80",
        "https://logon.salesnexus.com",
    ],
)
def test_urls_allowed(url: str) -> None:
    client = SalesNexusClient(url)
    assert client.base_url.endswith("/api/call-v1")


@pytest.mark.parametrize(
    "url",
    ["http://logon.salesnexus.com", "http://10.0.0.5:8000", "ftp://x", "logon.salesnexus.com"],
)
def test_insecure_urls_refused(url: str) -> None:
    with pytest.raises(InsecureURLError):
        SalesNexusClient(url)


def test_insecure_http_explicit_switch() -> None:
    client = SalesNexusClient("http://10.0.0.5:8000/api/call-v1", allow_insecure_http=True)
    assert client.base_url == "http://10.0.0.5:8000/api/call-v1"


def test_endpoint_url_forms() -> None:
    assert _wire.endpoint_url("https://h/") == "https://h/api/call-v1"
    assert _wire.endpoint_url("https://h/api") == "https://h/api/call-v1"
    assert _wire.endpoint_url("https://h/api/call-v1") == "https://h/api/call-v1"


def test_retry_after_forms() -> None:
    assert _wire.retry_after_seconds("3") == 3.0
    assert _wire.retry_after_seconds("-2") == 0.0
    assert _wire.retry_after_seconds("garbage") is None
    assert _wire.retry_after_seconds(None) is None
    when = _wire.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
    assert when == pytest.approx(10.0)


def test_backoff_is_capped_jittered_and_honours_retry_after() -> None:
    client = SalesNexusClient("http://127.0.0.1:9", backoff=0.5, backoff_max=4.0)
    for attempt in range(1, 10):
        delay = client._delay(attempt, None)
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert client._delay(1, 7.0) == 7.0
    assert client._delay(1, 1e6) == 60.0  # a silly Retry-After is capped


def test_error_inference() -> None:
    assert infer_code("Login token expired") == "INVALID_TOKEN"
    assert infer_code("Wrong password") == "INVALID_LOGIN"
    assert infer_code(None, 404) == "NOT_FOUND"
    assert infer_code("Contact abc does not exist") == "NOT_FOUND"
    assert infer_code("Unknown contact id") == "NOT_FOUND"
    assert infer_code("No contact with id 1b2c exists.") == "NOT_FOUND"
    assert infer_code("Unknown function frob") == "UNKNOWN_FUNCTION"
    assert infer_code("The parameter 'page-size' is required.") == "MISSING_PARAMETER"
    assert infer_code("", 502) == "SERVER_ERROR"
    assert error_for_code("not_found").__name__ == "NotFoundError"


def test_liberal_scalars() -> None:
    assert all(as_bool(v) for v in ("true", True, "1", 1, " TRUE "))
    assert not any(as_bool(v) for v in ("false", False, "", None, 0, "no"))
    assert as_int("12") == 12
    assert as_int(12.0) == 12
    assert as_int("1e3") == 1000
    assert as_int("x", -1) == -1
    assert as_int(float("nan")) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04T05:06:07", datetime(2026, 3, 4, 5, 6, 7)),
        ("2026-03-04 05:06", datetime(2026, 3, 4, 5, 6)),
        ("2026-03-04 05:06:07", datetime(2026, 3, 4, 5, 6, 7)),
        ("03/04/2026 5:06 PM", datetime(2026, 3, 4, 17, 6)),
        ("", None),
        ("soon", None),
    ],
)
def test_datetimes(text: str, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_contact_info_field_data_as_object_or_string() -> None:
    cid = "AAAAAAAA-0000-0000-0000-000000000000"
    a = Contact.parse_info({"contact-id": cid, "field-data": {C_NAME: "Ann", C_PHONE: 5}})
    b = Contact.parse_info(
        {"contact-id": cid, "field-data": json.dumps({C_NAME: "Ann", C_PHONE: 5})}
    )
    assert a.field_data == b.field_data == {C_NAME: "Ann", C_PHONE: "5"}
    assert a.contact_id == cid.lower()
    with pytest.raises(ResultShapeError):
        Contact.parse_info({"field-data": {}})


def test_record_list_contract_shape_and_alternatives() -> None:
    raw = {
        "success": "true",
        "contact-list": {
            "total-record-count": 7,
            "contact-ids": ["B", "a"],
            "contact-info": {
                "a": {C_NAME: "Ann", "contact-id": "a"},
                "b": {C_NAME: "Bob", "extra": {"x": 1}},
            },
        },
    }
    page = parse_record_list(raw, "contact", Contact.parse, 5)
    assert page.ids == ["b", "a"]
    assert [c.field_data.get(C_NAME) for c in page] == ["Bob", "Ann"]
    assert "contact-id" not in page.items[1].field_data
    assert page.total == 7
    assert page.end == 7
    assert not page.has_more
    # info as a list, ids missing, listing as a JSON string
    raw2 = {
        "sales-list": json.dumps(
            {"sales-info": [{"sales-id": "s1", S_STATUS: 1}, {"sales-id": "s2", S_STATUS: "2"}]}
        )
    }
    sales = parse_record_list(raw2, "sales", SalesOpp.parse)
    assert sales.ids == ["s1", "s2"]
    assert sales.items[0].field_data == {S_STATUS: "1"}
    assert sales.total == 2
    with pytest.raises(ResultShapeError):
        parse_record_list({"success": "true"}, "contact", Contact.parse)
    with pytest.raises(ResultShapeError):
        parse_record_list(
            {"contact-list": {"contact-ids": ["x"], "contact-info": {}}}, "contact", Contact.parse
        )


def test_other_records_parse_liberally() -> None:
    act = Activity.parse(
        {"activity-id": "A1", "timeless": True, "completed": "false", "start-time": "2026-01-01"}
    )
    assert (act.activity_id, act.timeless, act.completed) == ("a1", True, False)
    assert act.start == datetime(2026, 1, 1)
    info = Activity.parse_info({"activity-id": "A2", "activity-data": json.dumps({"type": "call"})})
    assert (info.activity_id, info.type) == ("a2", "call")
    doc = Document.parse({"document-id": "D", "size": "12", "url": ""})
    assert (doc.size, doc.url) == (12, None)
    fld = FieldDef.parse({"unique-id": 48, "read-only": "true", "type": "0"})
    assert (fld.unique_id, fld.read_only, fld.role) == (C_NAME, True, "")
    upd = UpdateResult.parser("contact-ids")({"updated-count": "2", "contact-ids": '["X","Y"]'})
    assert (upd.updated_count, upd.ids, upd.created) == (2, ["x", "y"], False)
    imp = ImportResult.parse({"failed": [{"row": "2", "error": "bad"}, "junk"]})
    assert imp.failed[0].row == 2
    assert len(imp.failed) == 1


REFERENCE_FUNCTIONS = [
    "add-contacts-to-group",
    "add-doc-to-contact",
    "add-to-campaign",
    "complete-activity",
    "create-activity",
    "create-activity-for-group",
    "create-contact",
    "create-note",
    "create-note-for-group",
    "create-sales-opp",
    "delete-contacts",
    "delete-groups",
    "echo",
    "get-activities",
    "get-activities-for-group",
    "get-activity-info",
    "get-all-fields",
    "get-campaigns",
    "get-contact-info",
    "get-contacts",
    "get-contacts-for-group",
    "get-docs-for-contact",
    "get-group-info",
    "get-groups",
    "get-login-token",
    "get-notes-for-contact",
    "get-notes-for-group",
    "get-sales",
    "get-sales-for-contact",
    "get-sales-for-group",
    "get-user-layouts",
    "get-users",
    "greet",
    "import-contacts",
    "update-activity",
    "update-contact",
    "update-group",
]


def test_every_reference_function_has_a_method() -> None:
    import inspect

    assert len(REFERENCE_FUNCTIONS) == 37
    for function in REFERENCE_FUNCTIONS:
        if function == "get-login-token":
            method = SalesNexusClient.login
        else:
            method = getattr(SalesNexusClient, function.replace("-", "_"))
        assert inspect.iscoroutinefunction(method), function
