"""A small synchronous ``call-v1`` client for the sandbox tests (independent of
snx_desktop.api, so that the two readings of the contract test each other)."""

from __future__ import annotations

from typing import Any

import httpx

from support.accounts import DEMO_EMAIL, DEMO_PASSWORD


class Api:
    """Just enough of a client to exercise the sandbox (independent of snx_desktop.api)."""

    def __init__(self, handle: Any, client: httpx.Client) -> None:
        self.handle = handle
        self.client = client
        self.url = handle.base_url + "/api/call-v1"
        self.token = ""

    def post(self, body: Any) -> httpx.Response:
        return self.client.post(self.url, json=body)

    def batch(self, calls: list[Any]) -> list[dict[str, Any]]:
        response = self.post(calls)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert isinstance(answer, list)
        assert len(answer) == len(calls)
        return answer

    def raw(self, function: str, token: bool = True, /, **params: Any) -> dict[str, Any]:
        """One call; returns the answer element (success or error)."""
        parameters = {"login-token": self.token, **params} if token else params
        return self.batch([{"function": function, "parameters": parameters}])[0]

    def call(self, function: str, token: bool = True, /, **params: Any) -> dict[str, Any]:
        """One call that must succeed; returns its ``result``."""
        element = self.raw(function, token, **params)
        assert "result" in element, element
        assert element["result"]["success"] == "true"
        return element["result"]

    def error(self, function: str, token: bool = True, /, **params: Any) -> str:
        """One call that must fail; returns its error code."""
        element = self.raw(function, token, **params)
        assert "result" not in element, element
        assert isinstance(element["error"], str)
        assert element["error"]
        return element["error-code"]

    def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> str:
        result = self.call(
            "get-login-token", False, **{"email-address": email, "password": password}
        )
        self.token = result["login-token"]
        return self.token

    # shortcuts
    def contacts(self, **params: Any) -> dict[str, Any]:
        return self.call("get-contacts", **params)["contact-list"]

    def first_contact(self) -> str:
        return self.contacts(**{"page-size": "1"})["contact-ids"][0]

    def contact(self, contact_id: str) -> dict[str, str]:
        return self.call("get-contact-info", **{"contact-id": contact_id})["field-data"]

    def first_group(self) -> str:
        return self.call("get-groups", **{"page-size": "1"})["group-list"]["group-ids"][0]

    def user_id(self, email: str = DEMO_EMAIL) -> str:
        users = self.call("get-users")["user-list"]["user-info"]
        return next(u["user-id"] for u in users.values() if u["email-address"] == email)
