"""Fault soak: mixed writes through the real write queue while the sandbox drops 10% of
connections, answers 10% with HTTP 500 and 5% with garbage, stalls 2 s now and then, and runs
5% of requests only to lose the answer and 5% only to answer an undecodable body.
Every write lands exactly once, or (only the ones the server must refuse) stays failed with
its reason and was shown to the user; nothing crashed; the store is intact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.soak import CrashWatch, run_soak

pytestmark = [pytest.mark.asyncio, pytest.mark.qt_log_ignore("This plugin does not support")]

WRITES = 120


@pytest.mark.timeout(240)
async def test_fault_soak_every_write_once_and_failures_shown(
    sandbox_factory: Any, tmp_path: Path, crash_watch: CrashWatch
) -> None:
    server = sandbox_factory(contacts=60, seed=21)
    files = tmp_path / "files"
    files.mkdir()
    report = await run_soak(
        server,
        tmp_path / "profile",
        files,
        writes=WRITES,
        seed=9,
        settle_timeout=60,
        watch=crash_watch,
    )
    details = "\n".join(report.problems[:20])
    assert report.writes_sent == WRITES
    assert report.crashes == 0, details
    assert report.lost == 0, details
    assert report.duplicated == 0, details
    assert report.queue_left_not_failed == 0, details
    assert report.unexpected_failures == 0, details
    assert report.failed_not_shown == 0, details
    assert report.expected_failures > 0  # the script has writes the server refuses
    assert sum(report.undecodable_answers.values()) > 0  # the run met undecodable answers
    assert report.failed_and_shown == report.queue_left
    assert report.landed + report.expected_failures == WRITES, details
    # the store after the soak
    assert report.integrity == []
    assert report.journal_mode == "wal"
    assert report.foreign_keys == 1
