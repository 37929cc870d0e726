"""Benchmark of the offline store: local search over cached contacts, priming, database size.

Prints one ``name: value unit`` line per figure. Baselines measured in the same run: a lookup
by primary key (the cheapest query there is) and a LIKE scan over the cached JSON (what a
search without the index would cost). Default size finishes in about a minute; ``--full``
runs the goal size of 100,000 contacts.

    .venv/bin/python bench/store_bench.py [--full] [--contacts N] [--repeat R]
"""

from __future__ import annotations

import argparse
import functools
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import percentile as p

from snx_desktop.store import Store, new_temp_id

ROLES = {
    "name": ["48"],
    "first-name": ["78"],
    "last-name": ["79"],
    "company": ["47"],
    "email": ["133"],
    "phone": ["35"],
}
FIRST = [
    "Alice",
    "Bob",
    "Carla",
    "Dmitri",
    "Élodie",
    "Fatima",
    "Günther",
    "Hiro",
    "Inès",
    "José",
    "Kwame",
    "Léa",
    "Mateo",
    "Noor",
    "Olga",
    "Pedro",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Ulla",
    "Vikram",
    "Wen",
    "Xavier",
    "Yasmin",
    "Zoë",
    "Ali",
    "Alison",
    "Aliyah",
    "Chloé",
    "Björn",
    "François",
    "Zoltán",
    "Åsa",
    "Renée",
    "Małgorzata",
]
LAST = [
    "Smith",
    "Müller",
    "García",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Dubois",
    "Johansson",
    "Tanaka",
    "Okafor",
    "Álvarez",
    "Fernández",
    "Novák",
    "Ivanova",
    "Schmidt",
    "Papadopoulos",
    "Jensen",
    "Haddad",
    "O'Brien",
    "Silva",
    "Kim",
    "Patel",
    "Lindqvist",
    "Moreau",
    "Brandt",
    "Costa",
    "Yılmaz",
    "Horváth",
    "Smithers",
    "Alistair",
]
COMPANY = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Massive",
    "Dynamic",
    "Aperture",
    "Gringotts",
    "Oscorp",
    "Monarch",
    "Nakatomi",
    "Alimentos",
]
SUFFIX = ("Ltd", "GmbH", "SA", "Inc", "AB", "Oy", "", "")
DOMAINS = ("example.com", "mail.example", "corp.example", "gmail.example", "web.example")
QUERIES = {
    "one_letter": "a",
    "prefix_ali": "ali",
    "name_full": "alice smith",
    "diacritics": "muller",
    "two_words": "jose alv",
    "company": "globex",
    "email_part": "gmail",
    "phone_digits": "555 12",
    "phone_tail": "4567",
    "no_match": "zzzqx",
}


def contacts(n: int, seed: int = 7) -> Iterator[tuple[str, dict[str, str]]]:
    rng = random.Random(seed)
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}".strip()
        email = f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}"
        phone = f"+{rng.randint(1, 49)} ({rng.randint(200, 999)}) {rng.randint(100, 999)}-"
        phone += f"{rng.randint(0, 9999):04d}"
        record = {
            "48": f"{first} {last}",
            "78": first,
            "79": last,
            "47": company,
            "133": email,
            "35": phone,
            "94": rng.choice(("CEO", "Buyer", "Engineer", "")),
            "200": "",
        }
        yield f"{i:08x}-0000-4000-8000-{rng.getrandbits(48):012x}", record


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def line(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:.3f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--full", action="store_true", help="100,000 contacts (the goal size)")
    ap.add_argument("--contacts", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--wal-only", action="store_true", help="only the commit-stall figures")
    args = ap.parse_args()
    n = args.contacts or (100_000 if args.full else 30_000)
    if args.wal_only:
        wal_section(n)
        return

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open("https://bench.example", "bench@example.com", Path(tmp))
        store.search.set_roles(ROLES, {"name": ["300"]})
        records = list(contacts(n))
        ids = [rid for rid, _ in records]

        t0 = time.perf_counter()
        chunk_ms: list[float] = []
        last = t0
        for _ in store.cache.put_records_chunked("contact", records, chunk_size=args.chunk):
            now = time.perf_counter()
            chunk_ms.append((now - last) * 1000.0)
            last = now
        prime_s = time.perf_counter() - t0
        line("contacts", n, "records")
        line("prime_time", prime_s, "s")
        line("prime_rate", n / prime_s, "contacts/s")
        line("prime_chunk_size", args.chunk, "records")
        line("prime_chunk_p50", p(chunk_ms, 0.5), "ms")
        line("prime_chunk_p95", p(chunk_ms, 0.95), "ms")
        line("prime_chunk_max", max(chunk_ms), "ms")
        t0 = time.perf_counter()
        for i in range(0, n, 100):
            store.cache.put_list_page("contact", "", i, ids[i : i + 100], n)
        line("list_pages_store_time", time.perf_counter() - t0, "s")

        store.close()
        size = sum(f.stat().st_size for f in store.dir.glob("store.sqlite3*"))
        line("db_size", size / 1e6, "MB")
        line("db_bytes_per_contact", float(size / n), "B")
        for check in ("none", "quick"):
            t0 = time.perf_counter()
            store = Store.open("https://bench.example", "bench@example.com", Path(tmp), check=check)
            line(f"open_check_{check}", (time.perf_counter() - t0) * 1000.0, "ms")
            store.close()
        store = Store.open("https://bench.example", "bench@example.com", Path(tmp), check="none")

        rng = random.Random(1)
        p50s = []
        worst_p95 = 0.0
        for name, text in QUERIES.items():
            ms = timed(
                functools.partial(store.search.search, "contact", text, limit=50), args.repeat
            )
            total = store.search.search("contact", text, limit=1).total
            line(f"search_{name}_p50", p(ms, 0.5), "ms")
            line(f"search_{name}_p95", p(ms, 0.95), "ms")
            line(f"search_{name}_matches", total, "records")
            p50s.append(p(ms, 0.5))
            worst_p95 = max(worst_p95, p(ms, 0.95))
        search_p50 = statistics.median(p50s)
        line("search_median_p50", search_p50, "ms")
        line("search_worst_p95", worst_p95, "ms")

        # page answers from the cache alone (list positions + records)
        page_ms = timed(
            lambda: store.cache.get_list_page("contact", "", rng.randrange(0, n - 50), 50),
            args.repeat,
        )
        line("cache_page50_p50", p(page_ms, 0.5), "ms")

        # baselines, same database, same run
        pk_ms = timed(lambda: store.cache.get_record("contact", rng.choice(ids)), args.repeat * 10)
        line("baseline_pk_lookup_p50", p(pk_ms, 0.5), "ms")
        conn = store._db.conn

        def like_scan(text: str = "ali") -> None:
            pattern = f"%{text}%"
            conn.execute(
                "SELECT count(*) FROM records WHERE kind = 'contact' AND data LIKE ?", (pattern,)
            ).fetchone()
            conn.execute(
                "SELECT id, data FROM records WHERE kind = 'contact' AND data LIKE ? LIMIT 50",
                (pattern,),
            ).fetchall()

        like_ms = timed(like_scan, max(5, args.repeat // 3))
        line("baseline_like_scan_p50", p(like_ms, 0.5), "ms")
        line("ratio_like_scan_over_search", p(like_ms, 0.5) / search_p50, "x")
        line("ratio_search_over_pk_lookup", search_p50 / p(pk_ms, 0.5), "x")

        # outbox: journal an offline create with a dependent note, then complete it (remap)
        append_ms: list[float] = []
        done_ms: list[float] = []
        for i in range(args.repeat * 2):
            temp = new_temp_id()
            t0 = time.perf_counter()
            with store.transaction():
                op = store.outbox.append(
                    "create-contact",
                    {"contact-field-data": {"48": f"Offline {i}"}},
                    description="create",
                    target=("contact", temp),
                    temp_ids=[temp],
                )
                store.cache.put_record("contact", temp, {"48": f"Offline {i}"})
                store.cache.list_insert("contact", "", 0, temp)
            store.outbox.append(
                "create-note", {"contact-id": temp}, description="note", target=("contact", temp)
            )
            append_ms.append((time.perf_counter() - t0) * 1000.0)
            store.outbox.mark_sending(op.op_id)
            t0 = time.perf_counter()
            store.outbox.mark_done(op.op_id, {temp: f"{i:08x}-1111-4000-8000-000000000000"})
            done_ms.append((time.perf_counter() - t0) * 1000.0)
        line("outbox_append_create_p50", p(append_ms, 0.5), "ms")
        line("outbox_done_with_remap_p50", p(done_ms, 0.5), "ms")
        line("outbox_done_with_remap_max", max(done_ms), "ms")
        store.close()

    # priming through the store writer's thread, a job per 2,000 records, while the main
    # thread keeps searching
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open("https://bench.example", "bench@example.com", Path(tmp))
        store.search.set_roles(ROLES, {"name": ["300"]})
        store.cache.put_records("contact", records[:1000])
        t0 = time.perf_counter()
        jobs = [
            store.writer.submit(_put_contacts, records[i : i + 2000], False)
            for i in range(1000, len(records), 2000)
        ]
        main_ms: list[float] = []
        while not jobs[-1].done():
            t1 = time.perf_counter()
            store.search.search("contact", "ali", limit=50)
            main_ms.append((time.perf_counter() - t1) * 1000.0)
            time.sleep(0.005)
        for job in jobs:
            job.result()
        line("prime_worker_time", time.perf_counter() - t0, "s")
        line("search_during_worker_prime_p50", p(main_ms, 0.5), "ms")
        line("search_during_worker_prime_p95", p(main_ms, 0.95), "ms")
        line("search_during_worker_prime_max", max(main_ms), "ms")
        store.close()
    wal_section(n)


def _put_contacts(cache: Any, rows: list[tuple[str, dict[str, str]]], merge: bool) -> int:
    return int(cache.put_records("contact", rows, merge=merge))


def commit_stalls(records: list[tuple[str, dict[str, str]]], background: bool) -> dict[str, float]:
    """Longest loop-thread commit while pages of contacts are stored (as browsing does), and
    the first commit after a large WAL built up behind a reader (as during priming)."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(
            "https://bench.example",
            "bench@example.com",
            Path(tmp),
            background_checkpoint=background,
        )
        store.search.set_roles(ROLES, {"name": ["300"]})
        half = len(records) // 2
        for _ in store.cache.put_records_chunked("contact", records[:half], chunk_size=2000):
            pass
        store.wait_checkpointed(30)
        ids = [rid for rid, _ in records]
        commit_ms: list[float] = []
        for start in range(half, len(records), 100):
            page = records[start : start + 100]
            t0 = time.perf_counter()
            with store.transaction():
                store.cache.put_records("contact", page, merge=True)
                store.cache.put_list_page("contact", "", start, ids[start : start + 100], len(ids))
            commit_ms.append((time.perf_counter() - t0) * 1000.0)
            time.sleep(0.01)  # the loop does other work between pages (painting, requests)
        out["page_commit_p50"] = p(commit_ms, 0.5)
        out["page_commit_p99"] = p(commit_ms, 0.99)
        out["page_commit_max"] = max(commit_ms)
        store.wait_checkpointed(30)
        # a reader holds an old snapshot while a worker writes: the WAL cannot be reused
        reader = sqlite3.connect(str(store.path))
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM records").fetchone()
        for i in range(0, half, 2000):
            end = min(i + 2000, half)
            store.writer.submit(_put_contacts, records[i:end], False).result()
        reader.execute("COMMIT")
        reader.close()
        wal = store.path.with_name(store.path.name + "-wal")
        out["large_wal_size"] = wal.stat().st_size / 1e6
        small: list[float] = []
        for i in range(20):
            t0 = time.perf_counter()
            store.cache.put_record("contact", ids[i], records[i][1])
            small.append((time.perf_counter() - t0) * 1000.0)
        out["commit_after_large_wal_max"] = max(small)
        store.close()
    return out


def wal_section(n: int) -> None:
    records = list(contacts(n, seed=11))
    # the bench's own data must not make the collector pause inside a measured commit
    gc.collect()
    gc.freeze()
    before = commit_stalls(records, background=False)
    after = commit_stalls(records, background=True)
    line("wal_contacts", n, "records")
    line("wal_large_size", after["large_wal_size"], "MB")
    for key in (
        "page_commit_p50",
        "page_commit_p99",
        "page_commit_max",
        "commit_after_large_wal_max",
    ):
        line(f"{key}_inline_checkpoint", before[key], "ms")
        line(f"{key}_background_checkpoint", after[key], "ms")
        line(f"ratio_{key}_inline_over_background", before[key] / max(after[key], 1e-3), "x")


if __name__ == "__main__":
    main()
