"""Fault injection (in-process handle and admin endpoint) and the handle's life cycle."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.fields import C_CREATED, C_MODIFIED, C_NAME
from support.sandboxapi import Api


def test_drop_closes_without_answer(fresh_sandbox: Any, fresh_api: Api) -> None:
    fresh_sandbox.faults.drop_rate = 1.0
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        fresh_api.post([{"function": "greet"}])
    fresh_sandbox.faults.reset()
    assert fresh_api.call("greet", False)


def test_drop_is_not_executed_but_drop_after_is(fresh_sandbox: Any, fresh_api: Api) -> None:
    body = [
        {
            "function": "create-contact",
            "parameters": {
                "login-token": fresh_api.token,
                "contact-field-data": {C_NAME: "Ghost Writer"},
            },
        }
    ]
    fresh_sandbox.faults.drop_rate = 1.0
    with pytest.raises(httpx.TransportError):
        fresh_api.post(body)
    fresh_sandbox.faults.reset()
    assert fresh_api.contacts(**{"filter-value": "ghost writer"})["total-record-count"] == "0"
    fresh_sandbox.faults.drop_after_rate = 1.0
    with pytest.raises(httpx.TransportError):
        fresh_api.post(body)
    fresh_sandbox.faults.reset()
    assert fresh_api.contacts(**{"filter-value": "ghost writer"})["total-record-count"] == "1"


def test_error_and_garbage(fresh_sandbox: Any, fresh_api: Api) -> None:
    fresh_sandbox.faults.error_rate = 1.0
    response = fresh_api.post([{"function": "greet"}])
    assert response.status_code == 500
    fresh_sandbox.faults.reset()
    fresh_sandbox.faults.garbage_rate = 1.0
    response = fresh_api.post([{"function": "greet"}])
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    # faults touch only the API: documents and admin still answer
    assert httpx.get(fresh_sandbox.base_url + "/_sandbox/health").json()["status"] == "ok"
    fresh_sandbox.faults.reset()
    assert fresh_api.call("greet", False)


def test_stall_and_latency_delay_the_answer(fresh_sandbox: Any, fresh_api: Api) -> None:
    fresh_sandbox.faults.stall_rate = 1.0
    fresh_sandbox.faults.stall_s = 5.0
    with pytest.raises(httpx.ReadTimeout):
        fresh_api.client.post(fresh_api.url, json=[{"function": "greet"}], timeout=0.3)
    fresh_sandbox.faults.reset()
    fresh_sandbox.faults.latency_ms = 2000
    with pytest.raises(httpx.ReadTimeout):
        fresh_api.client.post(fresh_api.url, json=[{"function": "greet"}], timeout=0.3)
    fresh_sandbox.faults.reset()
    assert fresh_api.call("greet", False)


def test_share_of_faults(fresh_sandbox: Any, fresh_api: Api) -> None:
    fresh_sandbox.faults.error_rate = 0.5
    codes = [fresh_api.post([{"function": "greet"}]).status_code for _ in range(60)]
    assert 200 in codes
    assert 500 in codes
    fresh_sandbox.faults.reset()


def test_admin_endpoint(fresh_sandbox: Any) -> None:
    url = fresh_sandbox.base_url + "/_sandbox/faults"
    answer = httpx.post(url, json={"error-rate": 1, "latency_ms": 5}).json()
    assert answer["error_rate"] == 1.0
    assert answer["latency_ms"] == 5.0
    assert fresh_sandbox.faults.error_rate == 1.0
    assert httpx.post(fresh_sandbox.base_url + "/api/call-v1", json=[]).status_code == 500
    assert httpx.get(url).json()["error_rate"] == 1.0
    assert httpx.post(url, json={"reset": True}).json()["error_rate"] == 0.0
    for bad in ({"nonsense": 1}, {"drop_rate": 2}, {"drop_rate": "x"}, {"stall_s": -1}):
        response = httpx.post(url, json=bad)
        assert response.status_code == 400
        assert response.json()["error-code"] == "INVALID_PARAMETER"
    for bad_text in ('{"stall_s": "Infinity"}', '{"latency_ms": "nan"}'):
        response = httpx.post(url, content=bad_text.encode())
        assert response.status_code == 400
        assert response.json()["error-code"] == "INVALID_PARAMETER"
    assert httpx.post(url, content=b'{"stall_s": Infinity}').status_code == 400
    assert fresh_sandbox.faults.stall_s != float("inf")
    assert httpx.post(url, content=b"[").status_code == 400
    assert httpx.post(url, json=[1]).status_code == 400
    health = httpx.get(fresh_sandbox.base_url + "/_sandbox/health").json()
    assert health == {"status": "ok", "contacts": "60"}


def test_start_faults_and_reset(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=2, error_rate=1.0)
    assert httpx.post(handle.api_url, json=[]).status_code == 500
    handle.faults.error_rate = 0
    assert httpx.post(handle.api_url, json=[]).status_code == 200
    handle.faults.reset()  # back to the start values
    assert handle.faults.error_rate == 1.0


def test_stop_is_idempotent_and_frees_the_port(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=2)
    assert handle.base_url.startswith("http://127.0.0.1:")
    handle.stop()
    handle.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.post(handle.api_url, json=[], timeout=2)


def test_stop_with_a_stalled_request(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=2, stall_rate=1.0, stall_s=60)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(handle.api_url, json=[], timeout=0.2)
    handle.stop()  # does not wait for the stall


def test_file_database_keeps_data(tmp_path: Any, sandbox_factory: Any) -> None:
    path = str(tmp_path / "sandbox.db")
    first = sandbox_factory(db=path, contacts=20, seed=3)
    with httpx.Client() as client:
        api = Api(first, client)
        api.login()
        cid = api.call("create-contact", **{"contact-field-data": {C_NAME: "Persisted"}})[
            "contact-id"
        ]
    first.stop()
    second = sandbox_factory(db=path, contacts=20, seed=3)
    with httpx.Client() as client:
        api = Api(second, client)
        api.login()
        assert api.contact(cid)[C_NAME] == "Persisted"
        assert api.contacts()["total-record-count"] == "21"


def test_demo_data_is_deterministic(sandbox_factory: Any) -> None:
    def snapshot(handle: Any) -> tuple[Any, ...]:
        with httpx.Client() as client:
            api = Api(handle, client)
            api.login()
            contacts = api.contacts(**{"page-size": "1000"})
            groups = api.call("get-groups")["group-list"]
            for record in contacts["contact-info"].values():
                record.pop(C_CREATED), record.pop(C_MODIFIED)
            return contacts["contact-ids"], contacts["contact-info"], groups["group-ids"]

    a = snapshot(sandbox_factory(contacts=40, seed=5))
    b = snapshot(sandbox_factory(contacts=40, seed=5))
    c = snapshot(sandbox_factory(contacts=40, seed=6))
    assert a == b
    assert a != c
