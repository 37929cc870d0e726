"""Benchmark of the SalesNexus wire client.

1. Opening a contact (info, notes, sales, documents) against the sandbox with 80 ms added
   latency: the four calls batched into one request, against the same calls one by one.
2. Uploading a file with add-doc-to-contact (streamed base64): peak RSS growth of this
   process (the sandbox runs in a subprocess so only the client is measured), and
   throughput against posting the same number of raw bytes to the same server in this run;
   the same pair against a server that discards the body (the client's own ceiling).

3. Start-up cost, each in a fresh interpreter (median of 7): ``import snx_desktop.services``
   (the client and httpx load lazily) against also importing the client module, as the
   import used to; constructing a ``SalesNexusClient`` (the TLS context and the httpx client
   are built on first use) against building them eagerly as the constructor used to.

Default run: 10 contacts each way, a 24 MB file (well under a minute). ``--full``: 100 MB.
Prints one ``name: value unit`` line per figure.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import (
    DEMO,
    MB,
    RssSampler,
    figure,
    file_chunks,
    make_file,
    rss_bytes,
    start_sandbox,
    start_script,
)

from snx_desktop.api import SalesNexusClient

# --- part 1: batching ---------------------------------------------------------------------------


async def open_contacts(base_url: str, contacts: int) -> None:
    async with SalesNexusClient(base_url) as client:
        await client.login(*DEMO)
        page = await client.get_contacts(page_size=contacts * 2)
        one_ids, batch_ids = page.ids[:contacts], page.ids[contacts : contacts * 2]

        start_requests = client.requests_sent
        t0 = time.perf_counter()
        for cid in one_ids:
            await client.get_contact_info(cid)
            await client.get_notes_for_contact(cid)
            await client.get_sales_for_contact(cid)
            await client.get_docs_for_contact(cid)
        one_time = time.perf_counter() - t0
        one_requests = client.requests_sent - start_requests

        start_requests = client.requests_sent
        t0 = time.perf_counter()
        for cid in batch_ids:
            await asyncio.gather(
                client.get_contact_info(cid),
                client.get_notes_for_contact(cid),
                client.get_sales_for_contact(cid),
                client.get_docs_for_contact(cid),
            )
        batch_time = time.perf_counter() - t0
        batch_requests = client.requests_sent - start_requests

    figure("open_contact_one_by_one_requests", one_requests / contacts, "requests/contact")
    figure("open_contact_one_by_one_time", one_time / contacts * 1000, "ms/contact")
    figure("open_contact_batched_requests", batch_requests / contacts, "requests/contact")
    figure("open_contact_batched_time", batch_time / contacts * 1000, "ms/contact")
    figure(
        "open_contact_time_ratio_batched_vs_one_by_one", batch_time / one_time, "x (goal <= 0.3)"
    )


# --- part 2: upload ------------------------------------------------------------------------------


# A server that reads and discards the body and answers one success element: it shows what
# the client can do when the server is not the bottleneck.
SINK = """
import sys
import uvicorn

ANSWER = b'[{"result": {"success": "true", "document-id": "d", "message": "hi"}}]'

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": ANSWER})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error")
"""


async def post_raw(client: SalesNexusClient, url: str, path: Path) -> float:
    """Seconds to POST the file's bytes as they are (no JSON, no base64)."""
    size = path.stat().st_size
    t0 = time.perf_counter()
    await client.http.post(
        url + "/api/call-v1",  # the sandbox reads it whole, then refuses it as not JSON
        content=file_chunks(path),
        headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
    )
    return time.perf_counter() - t0


async def upload(base_url: str, sink_url: str, path: Path) -> None:
    size = path.stat().st_size
    async with SalesNexusClient(base_url, timeout=300) as client:
        await client.login(*DEMO)
        cid = (await client.get_contacts(page_size=1)).ids[0]
        with path.open("rb") as head:
            await client.add_doc_to_contact(cid, "warm-up.bin", head, size=1024)

        sampler = RssSampler()
        base = rss_bytes()
        sampler.start()
        t0 = time.perf_counter()
        doc = await client.add_doc_to_contact(cid, path.name, path)
        up_time = time.perf_counter() - t0
        peak = sampler.stop()
        docs = await client.get_docs_for_contact(cid)
        stored = docs.by_id()[doc.id].size
        if stored != size:
            raise SystemExit(f"the server stored {stored} bytes of {size}")
        raw_time = await post_raw(client, base_url, path)

    async with SalesNexusClient(sink_url, token="sink", timeout=300) as client:
        t0 = time.perf_counter()
        await client.add_doc_to_contact("c", path.name, path)
        sink_up_time = time.perf_counter() - t0
        sink_raw_time = await post_raw(client, sink_url, path)

    figure("upload_file_size", size / MB, "MB")
    figure("upload_peak_rss_growth", (peak - base) / MB, "MB (goal < 32)")
    figure("upload_throughput_sandbox", size / MB / up_time, "MB/s")
    figure("raw_post_throughput_sandbox", size / MB / raw_time, "MB/s")
    figure("upload_vs_raw_ratio_sandbox", raw_time / up_time, "x")
    figure("upload_throughput_discard_server", size / MB / sink_up_time, "MB/s")
    figure("raw_post_throughput_discard_server", size / MB / sink_raw_time, "MB/s")
    figure("upload_vs_raw_ratio_discard_server", sink_raw_time / sink_up_time, "x")


_IMPORT_LAZY = "import snx_desktop.services"
_IMPORT_EAGER = "import snx_desktop.services, snx_desktop.api.client"
_CONSTRUCT = """
import time, httpx
from snx_desktop.api.client import SalesNexusClient
from snx_desktop.api.tls import build_ssl_context
t0 = time.perf_counter()
c = SalesNexusClient("https://crm.example")
t1 = time.perf_counter()
if {eager}:
    httpx.AsyncClient(verify=build_ssl_context(None), timeout=httpx.Timeout(30.0))
t2 = time.perf_counter()
print((t1 - t0 if not {eager} else t2 - t1) * 1000.0)
"""


def _subprocess_ms(code: str, runs: int = 7) -> float:
    """Median of ``runs`` fresh interpreters: the time the code prints, or its import time."""
    values = []
    for _ in range(runs):
        if code.startswith("import "):
            out = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", code],
                capture_output=True,
                text=True,
                check=True,
            ).stderr
            total = 0
            for text in out.splitlines():
                parts = text.split("|")
                # top-level modules only (nesting shows as leading spaces in the name)
                if len(parts) == 3 and not parts[2].startswith("  ") and parts[1].strip().isdigit():
                    total += int(parts[1])
            values.append(total / 1000.0)
        else:
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            values.append(float(out.strip().splitlines()[-1]))
    values.sort()
    return values[len(values) // 2]


def startup() -> None:
    lazy = _subprocess_ms(_IMPORT_LAZY)
    eager = _subprocess_ms(_IMPORT_EAGER)
    figure("import_services_lazy_client", lazy, "ms")
    figure("import_services_with_client_baseline", eager, "ms")
    figure("import_ratio_baseline_over_lazy", eager / lazy, "x")
    construct = _subprocess_ms(_CONSTRUCT.format(eager=False))
    eager_build = _subprocess_ms(_CONSTRUCT.format(eager=True))
    figure("client_construct", construct, "ms")
    figure("client_construct_eager_tls_baseline", eager_build, "ms")
    figure("construct_ratio_baseline_over_lazy", eager_build / max(construct, 1e-3), "x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of the SalesNexus wire client.")
    parser.add_argument("--full", action="store_true", help="upload 100 MB")
    parser.add_argument("--contacts", type=int, default=10, help="contacts opened each way")
    parser.add_argument("--upload-mb", type=int, default=None, help="file size in MB")
    parser.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    args = parser.parse_args(argv)
    size_mb = args.upload_mb or (100 if args.full else 24)
    startup()
    if args.startup_only:
        return 0

    from snx_desktop.sandbox import start_in_thread

    server = start_in_thread(contacts=200, seed=7, latency_ms=80)
    try:
        asyncio.run(open_contacts(server.base_url, args.contacts))
    finally:
        server.stop()

    limit = (size_mb + 8) * MB
    with (
        start_sandbox(
            contacts=20, max_document_bytes=limit, max_body_bytes=limit * 2, log_level="error"
        ) as sandbox,
        start_script(SINK) as sink,
        tempfile.TemporaryDirectory() as tmp,
    ):
        path = Path(tmp) / f"upload-{size_mb}mb.bin"
        make_file(path, size_mb * MB)
        asyncio.run(upload(sandbox.base_url, sink.base_url, path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
