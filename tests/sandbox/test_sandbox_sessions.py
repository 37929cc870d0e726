"""Sign-in, token checks, idle expiry, forced expiry and permanent tokens."""

from __future__ import annotations

import time
from typing import Any

import httpx
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.sandboxapi import Api


def test_login_gives_a_token_and_wrong_password_is_invalid_login(api: Api) -> None:
    token = api.login()
    assert isinstance(token, str)
    assert len(token) >= 16
    assert (
        api.error("get-login-token", False, **{"email-address": DEMO_EMAIL, "password": "wrong"})
        == "INVALID_LOGIN"
    )
    assert (
        api.error(
            "get-login-token",
            False,
            **{"email-address": "nobody@example.com", "password": DEMO_PASSWORD},
        )
        == "INVALID_LOGIN"
    )
    assert api.error("get-login-token", False, **{"email-address": DEMO_EMAIL}) == (
        "MISSING_PARAMETER"
    )
    # e-mail is case-insensitive, other users exist
    assert api.login("DEMO@Example.com", DEMO_PASSWORD)
    assert api.login(ALEX_EMAIL, ALEX_PASSWORD)


def test_new_sign_in_keeps_older_tokens(api: Api) -> None:
    first = api.login()
    second = api.login()
    assert first != second
    api.token = first
    assert api.call("get-users")


def test_data_functions_need_a_valid_token(api: Api) -> None:
    assert api.error("get-users", False) == "MISSING_PARAMETER"
    api_token = api.token
    for bad in ("", "nonsense", 12, None, ["x"]):
        api.token = bad  # type: ignore[assignment]
        assert api.error("get-users") == "INVALID_TOKEN", bad
    api.token = api_token
    assert api.call("get-users")


def test_token_is_checked_before_parameters(api: Api) -> None:
    token = api.token
    api.token = "expired-or-unknown"
    # missing and malformed parameters, unknown contact: still INVALID_TOKEN first
    assert api.error("get-contact-info") == "INVALID_TOKEN"
    assert api.error("get-contact-info", **{"contact-id": "bad"}) == "INVALID_TOKEN"
    api.token = token
    assert api.error("get-contact-info") == "MISSING_PARAMETER"
    assert api.error("get-contact-info", **{"contact-id": "bad"}) == "INVALID_PARAMETER"
    assert (
        api.error("get-contact-info", **{"contact-id": "00000000-0000-4000-8000-000000000000"})
        == "NOT_FOUND"
    )


def test_greet_and_echo_need_no_token(api: Api) -> None:
    assert api.call("greet", False)["message"]
    assert api.call("echo", False, data="x")["data"] == "x"


def test_expire_tokens_ends_temporary_tokens(fresh_sandbox: Any, fresh_api: Api) -> None:
    assert fresh_api.call("get-users")
    assert fresh_sandbox.expire_tokens() >= 1
    assert fresh_api.error("get-users") == "INVALID_TOKEN"
    fresh_api.login()
    assert fresh_api.call("get-users")


def test_idle_expiry(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=3, token_idle_s=0.3)
    with httpx.Client() as client:
        api = Api(handle, client)
        api.login()
        for _ in range(3):  # use keeps the token alive
            time.sleep(0.1)  # time passes, under the idle limit
            assert api.call("get-users")
        time.sleep(0.6)  # time passes, over the idle limit: the expiry under test
        assert api.error("get-users") == "INVALID_TOKEN"


def test_permanent_tokens_survive_expiry(sandbox_factory: Any) -> None:
    handle = sandbox_factory(contacts=3, token_idle_s=0.2, permanent_tokens=("perm-1", "perm-2"))
    with httpx.Client() as client:
        api = Api(handle, client)
        api.token = "perm-1"
        assert api.call("get-users")
        handle.expire_tokens()
        time.sleep(0.4)  # past the idle limit: permanent tokens must outlive it
        assert api.call("get-contacts")
        api.token = "perm-2"
        assert api.call("get-all-fields")
        api.token = "perm-3"
        assert api.error("get-users") == "INVALID_TOKEN"


def test_admin_endpoint_expires_tokens(fresh_sandbox: Any, fresh_api: Api) -> None:
    response = httpx.post(fresh_sandbox.base_url + "/_sandbox/faults", json={"expire-tokens": True})
    assert response.status_code == 200
    assert response.json()["expired-tokens"] >= 1
    assert fresh_api.error("get-users") == "INVALID_TOKEN"
