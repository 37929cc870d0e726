"""Document downloads from real servers on 127.0.0.1 (``support/hostile.py``): the size cap, the
file left behind (none), and where the login token goes (a header, to the API's origin only).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from support.hostile import HostileServer, send_endless, whole

from snx_desktop.api import AnswerTooLargeError, SalesNexusClient

pytestmark = pytest.mark.asyncio

TOKEN = "tok-download-0123456789abcdef"
MB = 1024 * 1024


@pytest.mark.parametrize("declare_length", [True, False], ids=["with length", "without length"])
async def test_a_download_over_its_cap_fails_and_leaves_no_file(
    tmp_path: Path, declare_length: bool
) -> None:
    dest = tmp_path / "offer.pdf"
    async with (
        HostileServer(send_endless(3 * MB, declare_length=declare_length)) as server,
        SalesNexusClient(server.url, token=TOKEN, max_download_bytes=MB, backoff=0.0) as client,
    ):
        with pytest.raises(AnswerTooLargeError) as caught:
            await client.download_document("/documents/1", dest)
    assert "1 MB" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a partial one
    assert len(server.requests) == 1  # not retried: the document would not shrink


async def test_a_download_within_its_cap_is_written_whole(tmp_path: Path) -> None:
    dest = tmp_path / "offer.pdf"
    async with (
        HostileServer(send_endless(MB, declare_length=False)) as server,
        SalesNexusClient(server.url, token=TOKEN, max_download_bytes=MB) as client,
    ):
        assert await client.download_document("/documents/1", dest) == MB
    assert dest.stat().st_size == MB
    assert [p.name for p in tmp_path.iterdir()] == ["offer.pdf"]


async def test_the_token_goes_in_a_header_and_only_to_the_api_origin() -> None:
    async with (
        HostileServer(whole(b"same origin")) as api,
        HostileServer(whole(b"other origin")) as other,
        SalesNexusClient(api.url, token=TOKEN) as client,
    ):
        out = io.BytesIO()
        await client.download_document(f"{api.url}/documents/1", out)
        await client.download_document("/documents/2", out)
        # the same host on another port is another origin
        await client.download_document(f"{other.url}/documents/3", out)
    assert out.getvalue() == b"same origin" * 2 + b"other origin"
    for request in api.requests:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in request.target
        assert "login-token" not in request.target
    [foreign] = other.requests
    assert "authorization" not in foreign.headers
    assert TOKEN not in foreign.target
    assert TOKEN not in str(foreign.headers)
