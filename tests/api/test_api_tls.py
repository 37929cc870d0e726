"""TLS and company networks: certificates are always verified (the system's trust store);
``ca_bundle`` adds a trusted CA, ``proxy`` carries the requests; the command line's
``--ca-bundle`` and ``--proxy`` and the settings do the same, and bad values get a clear
message. The servers are real ones on 127.0.0.1: a sandbox behind a TLS front end signed by a
private CA, and an HTTP proxy."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.scripted import base_url_of
from support.tlsnet import PrivateCA, http_proxy, private_ca, tls_front

from snx_desktop.api import ConnectionFailedError, SalesNexusClient
from snx_desktop.network import (
    CA_BUNDLE_SETTING,
    PROXY_SETTING,
    NetworkOptions,
    NetworkSetupError,
    check_ca_bundle,
    check_proxy,
    resolve,
)

ANSWER = b'[{"result": {"success": "true", "message": "Hello over TLS"}}]'


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(ANSWER)}\r\n\r\n".encode()
            + ANSWER
        )
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


@pytest_asyncio.fixture
async def tls_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    cert, key = certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server = await asyncio.start_server(_serve, "127.0.0.1", 0, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.asyncio
async def test_unknown_certificate_is_refused(tls_url: str) -> None:
    async with SalesNexusClient(tls_url, retries=3, backoff=5.0) as client:
        with pytest.raises(ConnectionFailedError) as info:
            await client.greet()  # not retried: a certificate does not fix itself
    assert info.value.code == "CERTIFICATE"
    assert not info.value.offline
    assert "certificate" in str(info.value)


@pytest.mark.asyncio
async def test_ca_bundle_adds_trust(tls_url: str, certificate: tuple[Path, Path]) -> None:
    async with SalesNexusClient(tls_url, ca_bundle=certificate[0]) as client:
        assert (await client.greet()).message == "Hello over TLS"


# --- a private CA, as a company's TLS-inspecting proxy or internal server has ----------------


@pytest.fixture(scope="module")
def company_ca(tmp_path_factory: pytest.TempPathFactory) -> PrivateCA:
    return private_ca(tmp_path_factory.mktemp("company-ca"))


@pytest_asyncio.fixture
async def company_url(sandbox: Any, company_ca: PrivateCA) -> AsyncIterator[str]:
    """The shared sandbox behind a TLS front end whose certificate the private CA signed."""
    async with tls_front(base_url_of(sandbox), company_ca.server_context()) as url:
        yield url


@pytest.mark.asyncio
async def test_a_server_signed_by_a_private_ca_is_refused_without_it(company_url: str) -> None:
    async with SalesNexusClient(company_url, retries=2, backoff=5.0) as client:
        with pytest.raises(ConnectionFailedError) as info:
            await client.login(DEMO_EMAIL, DEMO_PASSWORD)
    assert info.value.code == "CERTIFICATE"
    assert client.token is None


@pytest.mark.asyncio
async def test_the_private_ca_as_extra_bundle_is_trusted(
    company_url: str, company_ca: PrivateCA
) -> None:
    async with SalesNexusClient(company_url, ca_bundle=company_ca.pem) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        page = await client.get_contacts(page_size=3)
    assert len(page.items) == 3


def test_the_system_trust_store_is_what_checks_certificates() -> None:
    import truststore

    from snx_desktop.api.tls import build_ssl_context, ssl_context

    assert isinstance(ssl_context(None), truststore.SSLContext)
    ctx = build_ssl_context(None)
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname


@pytest.mark.asyncio
async def test_requests_go_through_the_given_proxy(company_url: str, company_ca: PrivateCA) -> None:
    async with http_proxy() as proxy:
        options = NetworkOptions(company_ca.pem, check_proxy(proxy.url)).client_options()
        async with SalesNexusClient(company_url, **options) as client:
            await client.login(DEMO_EMAIL, DEMO_PASSWORD)
            await client.get_contacts(page_size=3)
    port = company_url.rsplit(":", 1)[1]
    assert proxy.seen
    assert set(proxy.seen) == {f"CONNECT 127.0.0.1:{port} HTTP/1.1"}


@pytest.mark.asyncio
async def test_plain_http_goes_through_the_proxy_too(sandbox: Any) -> None:
    async with (
        http_proxy() as proxy,
        SalesNexusClient(base_url_of(sandbox), proxy=proxy.url, retries=0) as client,
    ):
        assert (await client.greet()).message
    assert proxy.seen == [f"POST {base_url_of(sandbox)}/api/call-v1 HTTP/1.1"]


@pytest.mark.asyncio
async def test_the_proxy_of_the_environment_is_used_by_default(
    company_url: str, company_ca: PrivateCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with http_proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with SalesNexusClient(company_url, ca_bundle=company_ca.pem) as client:
            assert (await client.greet()).message
    assert len(proxy.seen) == 1
    assert proxy.seen[0].startswith("CONNECT 127.0.0.1:")


def test_the_demo_server_on_this_machine_is_reached_without_the_proxy(tmp_path: Path) -> None:
    network = NetworkOptions(None, "http://proxy.example.com:3128")
    assert network.client_options("http://127.0.0.1:8765") == {}
    assert network.client_options("https://localhost:8443") == {}
    assert network.client_options("https://crm.example.com") == {
        "proxy": "http://proxy.example.com:3128"
    }


@pytest.mark.asyncio
async def test_the_settings_give_the_ca_bundle_and_proxy(
    company_url: str, company_ca: PrivateCA, tmp_path: Path
) -> None:
    from snx_desktop.settingsfile import open_settings

    async with http_proxy() as proxy:
        settings = open_settings(tmp_path, "SalesNexus", "SalesNexus Desktop")
        settings.setValue(CA_BUNDLE_SETTING, str(company_ca.pem))
        settings.setValue(PROXY_SETTING, proxy.url)
        settings.sync()
        again = open_settings(tmp_path, "SalesNexus", "SalesNexus Desktop")
        network, problems = resolve(
            None,
            None,
            saved_ca_bundle=again.value(CA_BUNDLE_SETTING),
            saved_proxy=again.value(PROXY_SETTING),
        )
        assert problems == []
        assert network == NetworkOptions(company_ca.pem, proxy.url)
        async with SalesNexusClient(company_url, **network.client_options()) as client:
            assert (await client.greet()).message
    assert len(proxy.seen) == 1


def test_a_bad_saved_setting_is_left_out_with_a_message(tmp_path: Path) -> None:
    network, problems = resolve(
        None,
        None,
        saved_ca_bundle=str(tmp_path / "gone.pem"),
        saved_proxy="http://proxy example:80",
    )
    assert network == NetworkOptions()
    assert problems == [
        f"The CA certificate file {tmp_path / 'gone.pem'} does not exist. The setting is not used.",
        'The proxy address "http://proxy example:80" is not valid: give it like '
        "http://proxy.example.com:8080. The setting is not used.",
    ]
    # the command line wins over the settings
    flagged, _ = resolve(None, "proxy.example.com:3128", saved_proxy="http://other:1")
    assert flagged.proxy == "http://proxy.example.com:3128"


def _bad_bundles(folder: Path) -> dict[str, tuple[Path, str]]:
    not_pem = folder / "not-a-certificate.pem"
    not_pem.write_text("this is not a certificate\n", encoding="utf-8")
    binary = folder / "binary.der"
    binary.write_bytes(bytes(range(256)))
    return {
        "missing": (folder / "missing.pem", "does not exist"),
        "a folder": (folder, "is a folder, not a file"),
        "not PEM": (not_pem, "holds no certificate in PEM format"),
        "binary": (binary, "holds no certificate in PEM format"),
    }


def test_a_bad_ca_bundle_says_what_is_wrong(tmp_path: Path) -> None:
    for name, (path, reason) in _bad_bundles(tmp_path).items():
        with pytest.raises(NetworkSetupError) as info:
            check_ca_bundle(path)
        assert reason in str(info.value), name
        assert str(path) in str(info.value), name


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_ca_bundle_says_so(tmp_path: Path, company_ca: PrivateCA) -> None:
    locked = tmp_path / "locked.pem"
    locked.write_bytes(company_ca.pem.read_bytes())
    locked.chmod(0)
    with pytest.raises(NetworkSetupError, match="cannot be read"):
        check_ca_bundle(locked)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://proxy.example.com:3128", "http://proxy.example.com:3128"),
        ("proxy.example.com:3128", "http://proxy.example.com:3128"),
        ("https://user:pw@proxy.example.com", "https://user:pw@proxy.example.com"),
    ],
)
def test_proxy_addresses_that_work(given: str, expected: str) -> None:
    assert check_proxy(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "http://",
        "http://proxy.example.com:port",
        "http://proxy.example.com:99999",
        "http://proxy example.com:80",
        "ftp://proxy.example.com:21",
        "http://proxy.example.com:3128/some/path",
        "socks5://proxy.example.com:1080",
    ],
)
def test_malformed_proxy_addresses_are_refused(given: str) -> None:
    with pytest.raises(NetworkSetupError) as info:
        check_proxy(given)
    assert "http://proxy.example.com:8080" in str(info.value)


def test_a_proxy_password_stays_out_of_the_messages() -> None:
    with pytest.raises(NetworkSetupError) as info:
        check_proxy("ftp://bob:Hunter2-secret@proxy.example.com:21")
    assert "Hunter2-secret" not in str(info.value)
    assert "bob:***@proxy.example.com" in str(info.value)
    described = NetworkOptions(None, "http://bob:Hunter2-secret@proxy:3128").describe()
    assert "Hunter2-secret" not in described


# --- the command line ----------------------------------------------------------------------


def _run_app(
    *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snx_desktop", *arguments],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.asyncio
async def test_check_server_trusts_the_ca_bundle_of_the_command_line(
    company_url: str, company_ca: PrivateCA
) -> None:
    secret = {"SNX_PASSWORD": DEMO_PASSWORD}
    check = ("--check-server", company_url, "--email", DEMO_EMAIL)
    refused = await asyncio.to_thread(_run_app, *check, env=secret)
    trusted = await asyncio.to_thread(
        _run_app, *check, "--ca-bundle", str(company_ca.pem), env=secret
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "The security certificate of 127.0.0.1 could not be verified" in refused.stdout
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert "Traceback" not in refused.stderr + trusted.stderr


def test_bad_network_flags_give_a_message_not_a_traceback(tmp_path: Path) -> None:
    runs = [
        (("--ca-bundle", str(path)), reason) for path, reason in _bad_bundles(tmp_path).values()
    ]
    runs.append((("--proxy", "http://proxy example.com:80"), "is not valid"))
    runs.append((("--proxy", "socks5://proxy:1080"), "SOCKS proxies are not supported"))
    for flags, reason in runs:
        done = _run_app(*flags, "--smoke-test", "--profile", str(tmp_path / "profile"))
        assert done.returncode == 2, flags
        assert reason in done.stderr, (flags, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "profile").exists()  # nothing started
