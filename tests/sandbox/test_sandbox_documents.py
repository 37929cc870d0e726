"""Documents: upload, list, download with a token, limits."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from support.sandboxapi import Api

MISSING_ID = "12345678-1234-4234-8234-123456789abc"


def test_upload_list_download(fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    content = bytes(range(256)) * 10
    result = api.call(
        "add-doc-to-contact",
        **{
            "contact-id": cid,
            "file-name": "C:\\reports\\Q1 résumé.pdf",
            "base64-data": base64.b64encode(content).decode(),
        },
    )
    doc_id = result["document-id"]
    docs = api.call("get-docs-for-contact", **{"contact-id": cid})["document-list"]
    info = docs["document-info"][doc_id]
    assert info["file-name"] == "Q1 résumé.pdf"
    assert info["size"] == str(len(content))
    assert info["contact-id"] == cid
    assert info["url"] == f"{api.handle.base_url}/documents/{doc_id}"
    got = api.client.get(info["url"], headers={"Authorization": f"Bearer {api.token}"})
    assert got.status_code == 200
    assert got.content == content
    assert got.headers["content-type"] == "application/pdf"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Q1%20r%C3%A9sum%C3%A9.pdf" in disposition
    by_query = api.client.get(info["url"], params={"login-token": api.token})
    assert by_query.status_code == 401  # a token in the address is refused


def test_download_needs_a_valid_token(fresh_sandbox: Any, fresh_api: Api) -> None:
    api = fresh_api
    cid = api.first_contact()
    doc = api.call(
        "add-doc-to-contact", **{"contact-id": cid, "file-name": "notes.txt", "base64-data": "aGk="}
    )["document-id"]
    url = f"{fresh_sandbox.base_url}/documents/{doc}"
    assert (
        api.client.get(url, headers={"Authorization": f"Bearer {api.token}"})
        .headers["content-type"]
        .startswith("text/plain")
    )
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        response = api.client.get(url, headers=headers)
        assert response.status_code in (401, 403)
        assert response.json()["error-code"] == "INVALID_TOKEN"
    fresh_sandbox.expire_tokens()
    response = api.client.get(url, headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code in (401, 403)
    api.login()
    missing = api.client.get(
        f"{fresh_sandbox.base_url}/documents/{MISSING_ID}",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert missing.status_code == 404
    assert missing.json()["error-code"] == "NOT_FOUND"
    # a trailing slash (an id ending in "/") is not found either, never a redirect
    slashed = api.client.get(
        f"{url}/", headers={"Authorization": f"Bearer {api.token}"}, follow_redirects=False
    )
    assert slashed.status_code == 404


def test_demo_documents_exist(api: Api) -> None:
    total = 0
    for cid in api.contacts(**{"page-size": "1000"})["contact-ids"]:
        docs = api.call("get-docs-for-contact", **{"contact-id": cid})["document-list"]
        total += int(docs["total-record-count"])
    assert total >= 3


def test_document_limits_and_errors(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=3, max_document_bytes=1000)
    with httpx.Client() as client:
        api = Api(handle, client)
        api.login()
        cid = api.first_contact()
        ok = base64.b64encode(b"x" * 1000).decode()
        assert api.call(
            "add-doc-to-contact", **{"contact-id": cid, "file-name": "a.bin", "base64-data": ok}
        )
        big = base64.b64encode(b"x" * 1001).decode()
        assert (
            api.error(
                "add-doc-to-contact",
                **{"contact-id": cid, "file-name": "a.bin", "base64-data": big},
            )
            == "PAYLOAD_TOO_LARGE"
        )
        huge = "A" * 100_000
        assert (
            api.error(
                "add-doc-to-contact",
                **{"contact-id": cid, "file-name": "a.bin", "base64-data": huge},
            )
            == "PAYLOAD_TOO_LARGE"
        )
        for bad in ("***", "abc!", 123):
            assert (
                api.error(
                    "add-doc-to-contact",
                    **{"contact-id": cid, "file-name": "a.bin", "base64-data": bad},
                )
                == "INVALID_PARAMETER"
            )
        # whitespace and missing padding are tolerated
        assert api.call(
            "add-doc-to-contact",
            **{"contact-id": cid, "file-name": "b.txt", "base64-data": "aGVs\nbG8"},
        )
        assert (
            api.error(
                "add-doc-to-contact", **{"contact-id": cid, "file-name": "/", "base64-data": "aGk="}
            )
            == "INVALID_PARAMETER"
        )
        assert (
            api.error(
                "add-doc-to-contact", **{"contact-id": cid, "file-name": "", "base64-data": "aGk="}
            )
            == "MISSING_PARAMETER"
        )
        assert (
            api.error(
                "add-doc-to-contact",
                **{"contact-id": MISSING_ID, "file-name": "a", "base64-data": "aGk="},
            )
            == "NOT_FOUND"
        )
