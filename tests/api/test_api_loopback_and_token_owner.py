"""Plain http only to this machine, and asking whose a login token is without adopting it.

* ``http://`` is accepted for ``localhost`` itself and literal loopback addresses only;
  other names (``*.localhost`` and the fully qualified ``localhost.`` among them: a resolver
  need not map them to loopback) are refused with a text that says how to go on.
* ``token_owner`` asks the sandbox (over HTTP on 127.0.0.1) whose a token is, with that
  token alone; the client's own token is untouched until ``use_token``.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from support.accounts import ALEX_EMAIL, ALEX_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.scripted import base_url_of

from snx_desktop.api import InsecureURLError, SalesNexusClient, SessionExpiredError, _wire

OTHER_EMAIL = ALEX_EMAIL  # another user of the sandbox's demo data
OTHER_PASSWORD = ALEX_PASSWORD


# --- plain http -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1", "[::1]"],
)
def test_loopback_hosts(host: str) -> None:
    assert _wire.is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "localhost.",
        "LOCALHOST.",
        "127.0.0.1.",
        "app.localhost",
        "x.y.localhost",
        "localhost.localhost",
        "crm.localhost.",
        "localhost.example.com",
        "127.0.0.1.example.com",
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "10.0.0.5",
        "0.0.0.0",
        "",
    ],
)
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not _wire.is_loopback_host(host)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8765",
        "http://127.0.0.1:8765",
        "http://127.0.0.2",
        "http://[::1]:8765",
        "https://crm.localhost:8443",  # https is fine for any name
    ],
)
def test_plain_http_to_this_machine_is_accepted(url: str) -> None:
    SalesNexusClient(url)


@pytest.mark.parametrize(
    "url",
    ["http://crm.localhost:8765", "http://a.b.localhost", "http://localhost.localhost:1"],
)
def test_plain_http_to_a_localhost_subdomain_is_refused_with_a_way_forward(url: str) -> None:
    with pytest.raises(InsecureURLError) as caught:
        SalesNexusClient(url)
    text = str(caught.value)
    host = url.split("://", 1)[1].split(":", 1)[0]
    port = f":{url.rsplit(':', 1)[1]}" if url.count(":") == 2 else ""
    assert f"https://{host}{port}" in text
    assert f"http://127.0.0.1{port}" in text


@pytest.mark.parametrize(
    "url", ["http://localhost.:8765", "http://LOCALHOST.", "http://127.0.0.1."]
)
def test_plain_http_to_a_fully_qualified_localhost_is_refused(url: str) -> None:
    # "localhost." is looked up by the resolver as it is, not taken from the hosts file
    with pytest.raises(InsecureURLError) as caught:
        SalesNexusClient(url)
    assert "http://127.0.0.1" in str(caught.value)
    SalesNexusClient(url, allow_insecure_http=True)  # the explicit switch still works
    SalesNexusClient(url.replace("http://", "https://"))


@pytest.mark.asyncio
async def test_a_download_link_to_a_fully_qualified_localhost_is_refused(sandbox: Any) -> None:
    async with SalesNexusClient(base_url_of(sandbox)) as client:
        port = base_url_of(sandbox).rsplit(":", 1)[1]
        with pytest.raises(InsecureURLError):
            await client.download_document(f"http://localhost.:{port}/documents/x", io.BytesIO())


def test_the_refusal_of_an_ipv6_address_names_valid_addresses() -> None:
    with pytest.raises(InsecureURLError) as caught:
        SalesNexusClient("http://[fe80::1]:8080")
    assert "https://[fe80::1]:8080" in str(caught.value)
    assert "http://127.0.0.1:8080" in str(caught.value)


@pytest.mark.asyncio
async def test_a_download_link_to_a_localhost_subdomain_is_refused(sandbox: Any) -> None:
    async with SalesNexusClient(base_url_of(sandbox)) as client:
        with pytest.raises(InsecureURLError):
            await client.download_document("http://files.localhost/doc.pdf", io.BytesIO())


@pytest.mark.asyncio
async def test_the_sandbox_on_127_0_0_1_is_reached_over_plain_http(sandbox: Any) -> None:
    url = base_url_of(sandbox)
    assert url.startswith("http://127.0.0.1:")
    async with SalesNexusClient(url) as client:
        assert (await client.greet()).message
        assert await client.login(DEMO_EMAIL, DEMO_PASSWORD)


# --- whose token ------------------------------------------------------------------------------


async def _user_ids(url: str) -> dict[str, str]:
    async with SalesNexusClient(url) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        return {u.email_address: u.user_id.lower() for u in (await client.get_users()).items}


async def _token(url: str, email: str, password: str) -> str:
    async with SalesNexusClient(url) as client:
        return await client.login(email, password)


@pytest.mark.asyncio
async def test_token_owner_names_the_tokens_user_and_leaves_the_client_alone(
    sandbox: Any,
) -> None:
    url = base_url_of(sandbox)
    ids = await _user_ids(url)
    other_token = await _token(url, OTHER_EMAIL, OTHER_PASSWORD)
    async with SalesNexusClient(url) as client:
        mine = await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        assert await client.token_owner(mine) == ids[DEMO_EMAIL]
        assert await client.token_owner(other_token) == ids[OTHER_EMAIL]
        assert client.token == mine  # not adopted
        owners = {lay.user_id for lay in (await client.get_user_layouts()).items}
        assert owners == {ids[DEMO_EMAIL]}  # its calls still go out as the demo user


@pytest.mark.asyncio
async def test_token_owner_of_a_refused_token_raises_without_signing_in_again(
    fresh_sandbox: Any,
) -> None:
    url = base_url_of(fresh_sandbox)
    expired = await _token(url, DEMO_EMAIL, DEMO_PASSWORD)
    fresh_sandbox.expire_tokens()
    asked: list[None] = []

    async def credentials() -> tuple[str, str] | None:
        asked.append(None)
        return DEMO_EMAIL, DEMO_PASSWORD

    async with SalesNexusClient(url, credentials=credentials) as client:
        with pytest.raises(SessionExpiredError) as caught:
            await client.token_owner(expired)
        assert expired not in str(caught.value)
        assert expired not in str(caught.value.detail or "")
        with pytest.raises(SessionExpiredError):
            await client.token_owner("   ")
        assert asked == []  # a token of its own is never "renewed" with the credentials
        assert client.token is None


@pytest.mark.asyncio
async def test_use_token_switches_the_session_and_tells_the_listener(sandbox: Any) -> None:
    url = base_url_of(sandbox)
    ids = await _user_ids(url)
    other_token = await _token(url, OTHER_EMAIL, OTHER_PASSWORD)
    told: list[str | None] = []
    async with SalesNexusClient(url, on_token_change=told.append) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        client.use_token(other_token)
        assert client.token == other_token
        assert told[-1] == other_token
        owners = {lay.user_id for lay in (await client.get_user_layouts()).items}
        assert owners == {ids[OTHER_EMAIL]}
