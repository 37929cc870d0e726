"""Child process for the crash tests: works on a store until it is killed with SIGKILL.

Modes:
  remap PROFILE BASE_URL EMAIL KILL_AFTER
      completes the first op (a create) with a temp-id remap and kills itself from inside
      SQLite after KILL_AFTER progress callbacks, i.e. in the middle of the remap transaction
      (or right after it, when the remap needs fewer steps).
  loop PROFILE BASE_URL EMAIL
      appends creates with dependents and completes them, cycle after cycle, printing each
      step, until the parent kills it.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support.*, when run by path
from support.fields import C_NAME

from snx_desktop.store import Store, new_temp_id

DEPENDENTS = 20


def real_id(cycle: int) -> str:
    return f"{cycle:08d}-0000-4000-8000-000000000000"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def remap(store: Store, kill_after: int) -> None:
    create = store.outbox.first()
    assert create is not None
    store.outbox.mark_sending(create.op_id)
    calls = 0

    def progress() -> int:
        nonlocal calls
        calls += 1
        if calls >= kill_after:
            die()
        return 0

    store._db.conn.set_progress_handler(progress, 20)
    store.outbox.mark_done(create.op_id, {create.temp_ids[0]: real_id(0)})
    store._db.conn.set_progress_handler(None, 0)
    sys.stdout.write(f"completed after {calls}\n")
    sys.stdout.flush()
    die()


def append_cycle(store: Store, cycle: int) -> int:
    temp = new_temp_id()
    with store.transaction():
        create = store.outbox.append(
            "create-contact",
            {"contact-field-data": {C_NAME: f"Person {cycle}"}, "cycle": cycle},
            description=f"Create {cycle}",
            target=("contact", temp),
            temp_ids=[temp],
        )
        store.cache.put_record("contact", temp, {C_NAME: f"Person {cycle}"})
        for i in range(DEPENDENTS):
            store.outbox.append(
                "create-note",
                {"contact-id": temp, "cycle": cycle, "n": i, "nested": {"ids": [temp, "x"]}},
                description=f"Note {cycle}.{i}",
                target=("contact", temp),
            )
    return create.op_id


def loop(store: Store) -> None:
    cycle = 0
    while True:
        op_id = append_cycle(store, cycle)
        sys.stdout.write(f"appended {cycle}\n")
        sys.stdout.flush()
        op = store.outbox.mark_sending(op_id)
        sys.stdout.write(f"sending {cycle}\n")
        sys.stdout.flush()
        store.outbox.mark_done(op_id, {op.temp_ids[0]: real_id(cycle)})
        sys.stdout.write(f"done {cycle}\n")
        sys.stdout.flush()
        cycle += 1


def main() -> None:
    mode, profile, base_url, email = sys.argv[1:5]
    store = Store.open(base_url, email, Path(profile))
    if mode == "remap":
        remap(store, int(sys.argv[5]))
    elif mode == "loop":
        loop(store)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
