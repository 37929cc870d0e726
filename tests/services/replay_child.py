"""Child process for the crash test: open the account's store online and replay the queue.

Usage: python replay_child.py PROFILE_DIR BASE_URL EMAIL PASSWORD
Exits 0 once the queue is empty (the test kills it with SIGKILL before that, the first time).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support.*, when run by path
from support.replay import replay_to_the_end

from snx_desktop.services import AppServices


async def main(profile: Path, base_url: str, email: str, password: str) -> int:
    services = await AppServices.open(
        base_url,
        account=email,
        password=password,
        profile_dir=profile,
        probe_interval=(0.05, 0.5),
    )
    try:
        if (await replay_to_the_end(services.writes)).pending:
            logging.error("queue stuck: %s", services.writes.pending()[:3])
            return 2
        return 0
    finally:
        await services.aclose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])))
