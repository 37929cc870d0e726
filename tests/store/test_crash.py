"""Crash safety: a process killed with SIGKILL mid-way never leaves the outbox half-applied."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.records import BASE_URL, EMAIL

from snx_desktop.store import OpState, Store

from .crash_child import DEPENDENTS, append_cycle, real_id

CHILD = Path(__file__).with_name("crash_child.py")


def _run_child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _check_cycles(store: Store) -> dict[str, int]:
    """Every cycle is either not yet completed (temp id everywhere) or fully remapped."""
    assert store.integrity_check() == []
    ops = store.outbox.ops()
    assert all(op.state is not OpState.SENDING for op in ops)
    by_cycle: dict[int, list[object]] = {}
    for op in ops:
        by_cycle.setdefault(int(op.params["cycle"]), []).append(op)
    outcome = {"pending": 0, "remapped": 0}
    for cycle, cycle_ops in sorted(by_cycle.items()):
        creates = [o for o in ops if o.function == "create-contact" and o.params["cycle"] == cycle]
        notes = [o for o in ops if o.function == "create-note" and o.params["cycle"] == cycle]
        assert len(notes) == DEPENDENTS, (cycle, len(cycle_ops))
        text = json.dumps([(o.params, o.target_id) for o in notes])
        if creates:
            [create] = creates
            assert create.state in (OpState.QUEUED, OpState.UNKNOWN)
            temp = create.temp_ids[0]
            assert text.count(temp) == 3 * DEPENDENTS
            assert real_id(cycle) not in text
            assert store.cache.get_record("contact", temp) is not None
            assert store.cache.resolve_id(temp) == temp
            outcome["pending"] += 1
        else:
            assert "tmp-" not in text
            assert text.count(real_id(cycle)) == 3 * DEPENDENTS
            assert store.cache.get_record("contact", real_id(cycle)) is not None
            outcome["remapped"] += 1
    return outcome


@pytest.mark.parametrize("kill_after", [1, 8, 20, 40, 60, 72, 10**9])
def test_sigkill_inside_a_remap_leaves_all_or_nothing(profile: Path, kill_after: int) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        append_cycle(store, 0)
    result = _run_child("remap", str(profile), BASE_URL, EMAIL, str(kill_after))
    assert result.returncode == -signal.SIGKILL, result.stderr
    completed = "completed" in result.stdout
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        outcome = _check_cycles(store)
        if completed:
            assert outcome == {"pending": 0, "remapped": 1}  # the create went, notes remain
            notes = store.outbox.ops()
            assert len(notes) == DEPENDENTS
            assert all(real_id(0) in json.dumps(o.params) for o in notes)
        else:
            assert outcome == {"pending": 1, "remapped": 0}
            create = store.outbox.first()
            assert create is not None
            assert create.state is OpState.UNKNOWN  # it was sending when the process died
    if kill_after == 10**9:
        assert completed
    if kill_after == 1:
        assert not completed


def test_sigkill_at_a_random_moment_of_a_replay_loop(profile: Path) -> None:
    rng = random.Random(20261130)
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), "loop", str(profile), BASE_URL, EMAIL],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            for _ in range(rng.randint(2, 40)):
                line = proc.stdout.readline()
                assert line, proc.stderr.read() if proc.stderr else ""
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
            if proc.stderr is not None:
                proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        with Store.open(BASE_URL, EMAIL, profile) as store:
            _check_cycles(store)
            # finish what the dead process left, as the replay would after a restart
            for op in store.outbox.ops():
                if op.function == "create-contact":
                    store.outbox.mark_sending(op.op_id)
                    cycle = int(op.params["cycle"])
                    store.outbox.mark_done(op.op_id, {op.temp_ids[0]: f"late-{cycle}"})
            assert "tmp-" not in json.dumps([o.params for o in store.outbox.ops()])
            for op in store.outbox.ops():
                store.outbox.mark_done(op.op_id)
            assert store.outbox.counts().total == 0
