"""The fault soak shared by ``test_soak.py`` and ``bench/soak.py``.

A scripted session makes mixed writes (contacts created and updated, notes, activities, group
membership, small uploads, plus a few writes the server must refuse) through the real
``AppServices`` write queue, with the main window and the session binder attached so that
failures take the path they take in the app (``writes.op_done`` -> ``ServicesBridge.opDone``
-> ``SessionBinder._op_done`` -> ``messages.error`` -> the window's ``MessageBridge``).
Meanwhile the sandbox drops connections, answers HTTP 500 and garbage, stalls now and then,
and runs some requests only to lose their answer or replace it with an undecodable body.
Afterwards a separate client, with the faults off, checks on the server that every write is
there exactly once (each write carries a unique marker).

Needs a running qasync loop (the window is a real ``MainWindow``, offscreen in tests).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snx_desktop.api import SalesNexusClient
from snx_desktop.ui.texts import readable_error
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD
from support.fields import C_CITY, C_COUNTRY, C_EMAIL, C_NAME, C_STATE, C_TITLE
from support.qtobjects import dispose
from support.waiting import within

FAULTS = {
    "drop_rate": 0.10,
    "error_rate": 0.10,
    "garbage_rate": 0.05,
    "stall_rate": 0.02,
    "stall_s": 2.0,
    # 5% of requests run and then lose their answer, 5% more run and then answer an
    # undecodable body (not JSON, cut off, nested 100,000 deep, invalid UTF-8, in turn)
    "drop_after_rate": 0.05,
    "garbage_after_rate": 0.05,
}
# weights of the write kinds in the scripted session
MIX = (
    ("create", 15),
    ("update", 18),
    ("note", 25),
    ("activity", 15),
    ("member", 10),
    ("upload", 10),
    ("doomed", 4),  # a note on a contact that does not exist: refused for good by the server
)
UPDATE_FIELDS = (C_TITLE, C_CITY, C_STATE, C_COUNTRY)  # Title, City, State, Country
MISSING_CONTACT = "0badc0de-0000-4000-8000-{:012d}"  # never a contact of the sandbox

log = logging.getLogger("soak")


class CrashWatch(logging.Handler):
    """What would be a crash of the app: records logged with a traceback by the app, and
    exceptions no one handled in a task (the loop's exception handler)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.unhandled: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.CRITICAL:
            self.records.append(record)

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), asyncio.CancelledError):
            return
        self.unhandled.append(context)

    def attach_loop(self) -> None:
        asyncio.get_running_loop().set_exception_handler(self.loop_handler)

    @property
    def count(self) -> int:
        return len(self.records) + len(self.unhandled)

    def describe(self) -> list[str]:
        out = [f"{r.name}: {r.getMessage()}" for r in self.records]
        out += [f"{c.get('message')} {c.get('exception')!r}" for c in self.unhandled]
        return out


@dataclass
class Write:
    """One write of the script and what must be found on the server for it."""

    index: int
    kind: str
    marker: str
    target: str = ""  # contact id (maybe temporary) or group id
    field: str = ""
    op_id: int | None = None


@dataclass
class SoakReport:
    writes_sent: int = 0
    landed: int = 0
    lost: int = 0
    duplicated: int = 0
    failed_and_shown: int = 0
    failed_not_shown: int = 0
    crashes: int = 0
    expected_failures: int = 0
    unexpected_failures: int = 0
    queue_left: int = 0
    queue_left_not_failed: int = 0
    #: answers the sandbox replaced by an undecodable body after running the calls, by kind
    undecodable_answers: dict[str, int] = field(default_factory=dict)
    integrity: list[str] = field(default_factory=list)
    journal_mode: str = ""
    foreign_keys: int = -1
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"writes_sent: {self.writes_sent}",
            f"landed: {self.landed}",
            f"lost: {self.lost}",
            f"duplicated: {self.duplicated}",
            f"failed_and_shown: {self.failed_and_shown}",
            f"crashes: {self.crashes}",
        ]


async def run_soak(
    server: Any,
    profile: Path,
    files_dir: Path,
    *,
    writes: int,
    seed: int = 1,
    faults: dict[str, float] | None = None,
    settle_timeout: float = 600.0,
    watch: CrashWatch | None = None,
) -> SoakReport:
    """Run the scripted session against ``server`` (a sandbox handle) and check the server."""
    from PySide6.QtCore import QSettings

    from snx_desktop.services import AppServices
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.session import SessionBinder

    started = time.monotonic()
    watch = watch or CrashWatch()
    logging.getLogger("snx_desktop").addHandler(watch)
    watch.attach_loop()
    rng = random.Random(seed)
    run = secrets.token_hex(4)
    report = SoakReport()
    shown: list[str] = []

    services = await AppServices.open(
        server.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        # the app's defaults wait up to a minute between probes; a soak cannot
        client_options={"timeout": 10.0, "retries": 3, "backoff": 0.02, "backoff_max": 0.5},
        probe_interval=(0.05, 0.5),
        start=False,
    )
    services.writes.retry_base = 0.02
    services.writes.retry_max = 0.5
    window = MainWindow(
        settings=QSettings(str(profile / "settings.ini"), QSettings.Format.IniFormat)
    )
    binder = SessionBinder(window, services, DEMO_EMAIL)
    window.messages.error.connect(lambda text, _detail: shown.append(text))
    ledger: list[Write] = []
    try:
        await services.start()
        window.show()
        existing = (await services.browse.fetch_page("contact", "", 0, 60)).ids
        groups = (await services.browse.fetch_page("group", "", 0, 20)).ids
        created: list[str] = []
        used_pairs: set[tuple[str, str]] = set()
        server.faults.update(faults if faults is not None else FAULTS)

        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        for i in range(writes):
            kind = rng.choices(kinds, weights)[0]
            if kind in ("member", "update") and not created and rng.random() < 0.5:
                kind = "create"
            marker = f"soak-{run}-{i:04d}"
            pool = existing + created
            w = Write(i, kind, marker)
            if kind == "create":
                ch = await services.writes.create_contact(
                    {C_NAME: f"Soak {run} {i:04d}", C_EMAIL: f"{marker}@soak.example"}
                )
                created.append(ch.ids[0])
                w.target = ch.ids[0]
            elif kind == "update":
                for _ in range(20):
                    pair = (rng.choice(pool), rng.choice(UPDATE_FIELDS))
                    if pair not in used_pairs:
                        break
                used_pairs.add(pair)
                w.target, w.field = pair
                ch = await services.writes.update_contact(w.target, {w.field: marker})
            elif kind == "note":
                w.target = rng.choice(pool)
                ch = await services.writes.create_note(w.target, f"note {marker}")
            elif kind == "activity":
                w.target = rng.choice(pool)
                ch = await services.writes.create_activity(
                    w.target,
                    type=rng.choice(("call", "meeting", "todo")),
                    regarding=f"act {marker}",
                    start_time="2026-12-07T10:00:00",
                    end_time="2026-12-07T10:30:00",
                )
            elif kind == "member":
                w.target = rng.choice(groups)
                w.field = rng.choice(created or existing)
                ch = await services.writes.add_contacts_to_group(w.target, [w.field])
            elif kind == "upload":
                w.target = rng.choice(pool)
                path = files_dir / f"{marker}.txt"
                path.write_text(f"document {marker}\n" * rng.randint(1, 20), encoding="utf-8")
                ch = await services.writes.upload_document(w.target, path)
            else:  # doomed
                # each on its own missing contact: notes on one record are held behind the
                # first one that failed (see test_failed_write_holds_later_ones_visibly)
                w.target = MISSING_CONTACT.format(i)
                ch = await services.writes.create_note(w.target, f"note {marker}")
            w.op_id = ch.op_id
            ledger.append(w)
            report.writes_sent += 1
            await asyncio.sleep(0)  # the rep's next action comes after the loop's turn
            if i % 25 == 24:
                await asyncio.sleep(0.05)  # the rep pauses; the queue keeps going

        def settled() -> bool:
            st = services.writes.status
            return st.pending == st.failed and st.conflicts == 0 and not st.paused

        if not await within(settled, settle_timeout, step=0.05):
            report.problems.append(f"queue did not settle: {services.writes.status}")
            for p in services.writes.pending()[:10]:
                report.problems.append(
                    f"  left: op {p.op_id} {p.op} {p.state} {p.error!r} {p.summary}"
                )
            report.problems.append(f"  connectivity: {services.connectivity.state}")
        server.faults.clear()
        report.undecodable_answers = dict(Counter(server.faults.garbage_after_sent))

        def all_failures_shown() -> bool:
            return all(
                any(readable_error(p.error) in text for text in shown)
                for p in services.writes.pending()
                if p.state == "failed" and p.error
            )

        # the last failures' messages reach the window (those that never do are counted below)
        await within(all_failures_shown, 5.0, step=0.05)

        left = services.writes.pending()
        report.queue_left = len(left)
        failed_ops = {p.op_id: p for p in left if p.state == "failed"}
        report.queue_left_not_failed = len(left) - len(failed_ops)
        for p in failed_ops.values():
            if not p.error:
                report.problems.append(f"failed op {p.op_id} has no reason")
            if any(p.error and readable_error(p.error) in text for text in shown):
                report.failed_and_shown += 1
            else:
                report.failed_not_shown += 1
                report.problems.append(f"failure of op {p.op_id} not shown: {p.error}")
        doomed = {w.op_id for w in ledger if w.kind == "doomed"}
        report.expected_failures = len(doomed & set(failed_ops))
        report.unexpected_failures = len(set(failed_ops) - doomed)
        for op_id in set(failed_ops) - doomed:
            report.problems.append(f"op {op_id} failed: {failed_ops[op_id].error}")

        resolve = services.store.cache.resolve_id
        for w in ledger:
            if w.kind in ("create", "update", "note", "activity", "upload"):
                w.target = resolve(w.target)
            if w.kind == "member":
                w.field = resolve(w.field)
        report.integrity = services.store.integrity_check(full=True)
        report.journal_mode = str(services.store.pragma("journal_mode"))
        report.foreign_keys = int(services.store.pragma("foreign_keys"))
        await _verify(server, run, ledger, failed_ops, report)
    finally:
        binder.close()
        await services.aclose()
        dispose(window)
        logging.getLogger("snx_desktop").removeHandler(watch)
    report.crashes = watch.count
    report.problems += watch.describe()
    report.seconds = time.monotonic() - started
    return report


async def _verify(
    server: Any,
    run: str,
    ledger: list[Write],
    failed_ops: dict[int, Any],
    report: SoakReport,
) -> None:
    """Count each write's marker on the server with a clean client (faults are off)."""
    found: Counter[int] = Counter()
    async with SalesNexusClient(server.base_url) as c:
        await c.login(DEMO_EMAIL, DEMO_PASSWORD)
        by_kind: dict[str, list[Write]] = defaultdict(list)
        for w in ledger:
            by_kind[w.kind].append(w)

        contacts = [
            x
            async for x in c.iter_records("get-contacts", page_size=500, filter_value=f"soak-{run}")
        ]
        emails = Counter(x.field_data.get(C_EMAIL, "") for x in contacts)
        for w in by_kind["create"]:
            found[w.index] = emails[f"{w.marker}@soak.example"]

        targets = sorted({w.target for w in ledger if w.kind in ("update", "note", "upload")})
        infos, notes, docs = await asyncio.gather(
            asyncio.gather(*(c.get_contact_info(t) for t in targets), return_exceptions=True),
            asyncio.gather(*(c.get_notes_for_contact(t) for t in targets), return_exceptions=True),
            asyncio.gather(*(c.get_docs_for_contact(t) for t in targets), return_exceptions=True),
        )
        info = {
            t: r for t, r in zip(targets, infos, strict=True) if not isinstance(r, BaseException)
        }
        note_count: dict[str, Counter[str]] = {}
        doc_count: dict[str, Counter[str]] = {}
        for t, nl, dl in zip(targets, notes, docs, strict=True):
            if not isinstance(nl, BaseException):
                note_count[t] = Counter(n.details for n in nl.items)
            if not isinstance(dl, BaseException):
                doc_count[t] = Counter(d.file_name for d in dl.items)
        for w in by_kind["update"]:
            rec = info.get(w.target)
            found[w.index] = int(rec is not None and rec.field_data.get(w.field) == w.marker)
        for w in by_kind["note"]:
            found[w.index] = note_count.get(w.target, Counter())[f"note {w.marker}"]
        for w in by_kind["upload"]:
            found[w.index] = doc_count.get(w.target, Counter())[f"{w.marker}.txt"]

        acts = [
            a
            async for a in c.iter_records(
                "get-activities", page_size=1000, filter_value=f"act soak-{run}"
            )
        ]
        regarding = Counter(a.regarding for a in acts)
        for w in by_kind["activity"]:
            found[w.index] = regarding[f"act {w.marker}"]

        gids = sorted({w.target for w in by_kind["member"]})
        members = await asyncio.gather(*(c.get_contacts_for_group(g) for g in gids))
        member_ids = {
            g: Counter(m.contact_id for m in ml.items) for g, ml in zip(gids, members, strict=True)
        }
        for w in by_kind["member"]:
            found[w.index] = member_ids[w.target][w.field]

        for w in by_kind["doomed"]:
            found[w.index] = 0

    for w in ledger:
        n = found[w.index]
        if w.kind == "doomed":
            continue
        if n == 1:
            report.landed += 1
        elif n == 0:
            if w.op_id not in failed_ops:
                report.lost += 1
                report.problems.append(f"lost: {w.kind} {w.marker} (op {w.op_id}) on {w.target}")
        else:
            report.duplicated += 1
            report.problems.append(f"{n} copies: {w.kind} {w.marker} (op {w.op_id})")
