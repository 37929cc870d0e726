"""Benchmark of the sandbox server: get-contacts pages of 100 over real HTTP, with and without
a filter, against a ``greet`` round trip measured in the same run.

    .venv/bin/python bench/sandbox_bench.py            # 20,000 contacts, about a minute
    .venv/bin/python bench/sandbox_bench.py --full     # 100,000 contacts (the goal's size)

The server runs in its own process (``python -m snx_desktop.sandbox``) so that the client's
work does not compete with it for the GIL; ``--in-process`` measures the embedded server of
``snx-desktop --demo`` instead (``start_in_thread``).

Prints one ``name: value unit`` line per figure.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import percentile, start_sandbox

from snx_desktop.sandbox import start_in_thread

FILTERS = ("smith", "garcia", "john", "atlas", "lee", "mar", "ortiz", "health", "wil", "kim")


def measure(fn: Callable[[int], Any], runs: int, warmup: int = 5) -> list[float]:
    for i in range(warmup):
        fn(i)
    out: list[float] = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


@contextmanager
def server_process(contacts: int, token: str) -> Iterator[str]:
    """``snx-sandbox`` in a child process; yields its API URL."""
    with start_sandbox(wait_s=900, contacts=contacts, permanent_token=token) as server:
        yield server.api_url


@contextmanager
def server_thread(contacts: int, token: str) -> Iterator[str]:
    handle = start_in_thread(contacts=contacts, seed=1, permanent_tokens=(token,))
    try:
        yield handle.api_url
    finally:
        handle.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 contacts")
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="serve from a thread of this process (as snx-desktop --demo)",
    )
    args = parser.parse_args()
    contacts = args.contacts or (100_000 if args.full else 20_000)

    started = time.perf_counter()
    token = secrets.token_urlsafe(16)
    serve = server_thread if args.in_process else server_process
    with serve(contacts, token) as url, httpx.Client(timeout=30) as client:
        start_s = time.perf_counter() - started

        def post(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
            response = client.post(url, json=calls)
            response.raise_for_status()
            answer: list[dict[str, Any]] = response.json()
            if "result" not in answer[0]:
                raise RuntimeError(str(answer[0]))
            return answer

        post(
            [
                {
                    "function": "get-login-token",
                    "parameters": {"email-address": "demo@example.com", "password": "demo"},
                }
            ]
        )
        total = int(
            post(
                [
                    {
                        "function": "get-contacts",
                        "parameters": {"login-token": token, "page-size": "1"},
                    }
                ]
            )[0]["result"]["contact-list"]["total-record-count"]
        )
        rng = random.Random(7)
        offsets = [rng.randrange(0, max(1, total - 100)) for _ in range(args.runs + 10)]

        def greet(_: int) -> None:
            post([{"function": "greet"}])

        def page(i: int) -> None:
            post(
                [
                    {
                        "function": "get-contacts",
                        "parameters": {
                            "login-token": token,
                            "start-after": str(offsets[i]),
                            "page-size": "100",
                        },
                    }
                ]
            )

        def filtered(i: int) -> None:
            post(
                [
                    {
                        "function": "get-contacts",
                        "parameters": {
                            "login-token": token,
                            "filter-value": FILTERS[i % len(FILTERS)],
                            "start-after": "0",
                            "page-size": "100",
                        },
                    }
                ]
            )

        base = measure(greet, args.runs)
        plain = measure(page, args.runs)
        filt = measure(filtered, args.runs)

    base_p50 = statistics.median(base)
    print(f"contacts: {contacts} contacts")
    print(f"server_in_process: {int(args.in_process)} flag")
    print(f"sandbox_start: {start_s:.1f} s")
    print(f"greet_p50: {base_p50:.2f} ms")
    print(f"greet_p95: {percentile(base, 0.95):.2f} ms")
    for name, samples in (("get_contacts_page100", plain), ("get_contacts_filter_page100", filt)):
        p50 = statistics.median(samples)
        print(f"{name}_p50: {p50:.2f} ms")
        print(f"{name}_p95: {percentile(samples, 0.95):.2f} ms")
        print(f"{name}_p50_vs_greet: {p50 / base_p50:.1f} x")


if __name__ == "__main__":
    main()
