"""messages.py and its Qt bridge: any layer publishes, the GUI receives Qt signals."""

from __future__ import annotations

import asyncio
import threading

import pytest
from support.qtobjects import dispose

from snx_desktop import messages
from snx_desktop.models.bridge import MessageBridge


def test_functions_reach_listeners_and_a_failing_listener_is_isolated() -> None:
    got: list[messages.Message] = []

    def broken(_m: messages.Message) -> None:
        raise RuntimeError("listener bug")

    off1 = messages.subscribe(broken)
    off2 = messages.subscribe(got.append)
    try:
        messages.error("Could not reach the server.")
        messages.warning("Keyring locked.")
        messages.info("Saved.")
        messages.progress("prime", "Saving contacts", 3, 10)
    finally:
        off1()
        off2()
    assert [m.level for m in got] == [
        messages.Level.ERROR,
        messages.Level.WARNING,
        messages.Level.INFO,
        messages.Level.PROGRESS,
    ]
    assert got[3].done == 3
    assert got[3].total == 10
    messages.info("nobody listens")  # only logged


@pytest.mark.asyncio
async def test_bridge_delivers_messages_from_another_thread_in_the_gui_thread() -> None:
    bridge = MessageBridge()
    loop = asyncio.get_running_loop()
    received: asyncio.Future[tuple[str, str, bool]] = loop.create_future()

    def on_error(text: str, detail: str) -> None:
        if not received.done():
            is_main = threading.current_thread() is threading.main_thread()
            received.set_result((text, detail, is_main))

    bridge.error.connect(on_error)
    worker = threading.Thread(target=lambda: messages.error("Upload failed.", detail="x.pdf"))
    worker.start()
    worker.join()
    text, detail, in_main = await asyncio.wait_for(received, 5)
    assert (text, detail, in_main) == ("Upload failed.", "x.pdf", True)
    bridge.close()
    dispose(bridge)
