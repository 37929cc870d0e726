"""The wire client on a qasync loop, run in a process of its own by test_api_qasync.py.

Qt state (the QApplication, socket notifiers, timers) then never outlives the check inside
the pytest process, where the following plain-asyncio tests would trip over it. Prints one
JSON object with what it saw.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support.*

import httpx
import qasync
from PySide6.QtWidgets import QApplication  # Qt before qasync
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import S_CONTACT

from snx_desktop.api import SalesNexusClient
from snx_desktop.sandbox import start_in_thread


class Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def run(base_url: str) -> dict[str, Any]:
    out: dict[str, Any] = {"loop": type(asyncio.get_running_loop()).__module__}
    counting = Counting()
    async with SalesNexusClient(base_url, transport=counting) as client:
        await client.login(DEMO_EMAIL, DEMO_PASSWORD)
        cid = (await client.get_contacts(page_size=1)).ids[0]
        before = counting.requests
        info, notes, sales, docs, greeting = await asyncio.gather(
            client.get_contact_info(cid),
            client.get_notes_for_contact(cid),
            client.get_sales_for_contact(cid),
            client.get_docs_for_contact(cid),
            client.greet(),
        )
        out["gather_requests"] = counting.requests - before
        out["info_ok"] = info.contact_id == cid and bool(greeting.message)
        out["lists_ok"] = all(n.contact_id == cid for n in notes) and docs.total >= 0
        out["sales_ok"] = all(s.field_data.get(S_CONTACT) == cid for s in sales)

        before = counting.requests
        async with client.batch() as batch:
            first = batch.add(client.get_contact_info(cid))
            await asyncio.sleep(0.01)  # time passes inside the block: still nothing sent
            second = batch.add(client.echo("later"))
        out["batch_requests"] = counting.requests - before
        out["batch_ok"] = first.result().contact_id == cid and second.result().data == "later"

        data = os.urandom(700_000)
        doc = await client.add_doc_to_contact(cid, "q.bin", io.BytesIO(data))
        url = (await client.get_docs_for_contact(cid)).by_id()[doc.id].url
        buf = io.BytesIO()
        await client.download_document(url or "", buf)
        out["roundtrip_ok"] = buf.getvalue() == data
    return out


def main() -> int:
    server = start_in_thread(contacts=20, seed=5)
    try:
        app = QApplication.instance() or QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            result = loop.run_until_complete(run(server.base_url))
    finally:
        server.stop()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
