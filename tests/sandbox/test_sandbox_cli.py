"""The ``snx-sandbox`` command: starts, logs its URL and the demo sign-in, serves, stops."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import httpx
from support.accounts import DEMO_EMAIL, DEMO_PASSWORD

from snx_desktop.sandbox.__main__ import build_parser


def test_parser_defaults_and_flags() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.db, args.contacts) == ("127.0.0.1", 8765, ":memory:", 5000)
    args = build_parser().parse_args(
        [
            "--permanent-token",
            "a",
            "--permanent-token",
            "b",
            "--drop-rate",
            "0.1",
            "--latency-ms",
            "20",
            "--token-idle-s",
            "5",
            "--seed",
            "9",
        ]
    )
    assert args.permanent_token == ["a", "b"]
    assert (args.drop_rate, args.latency_ms, args.token_idle_s, args.seed) == (0.1, 20, 5, 9)


def test_command_serves_the_reference_examples() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snx_desktop.sandbox",
            "--port",
            "0",
            "--contacts",
            "50",
            "--permanent-token",
            "cli-token",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        lines: list[str] = []
        url = ""
        deadline = time.monotonic() + 30
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+)/api/call-v1", line)
            if match:
                url = match.group(1)
        assert url, lines
        line = proc.stderr.readline()
        assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in line
        body = '[{\n "function":"greet",\n "request-id":"simple hello world request"\n}]'
        answer = httpx.post(url + "/api/call-v1", content=body, timeout=10).json()
        assert answer[0]["request-id"] == "simple hello world request"
        listing = httpx.post(
            url + "/api/call-v1",
            timeout=10,
            content=json.dumps(
                [
                    {
                        "function": "get-contacts",
                        "parameters": {
                            "login-token": "cli-token",
                            "filter-value": "",
                            "start-after": "0",
                            "page-size": "50",
                        },
                        "request-id": "Get a list of contacts",
                    }
                ]
            ),
        )
        result = listing.json()[0]["result"]
        assert result["contact-list"]["total-record-count"] == "50"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def test_command_refuses_bad_rates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "snx_desktop.sandbox", "--port", "0", "--error-rate", "2"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
