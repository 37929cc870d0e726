"""``snx-sandbox``: run the SalesNexus-compatible sandbox server in the foreground.

With ``--print-url`` it writes its base URL as one line on standard output once it serves
(``--port 0`` picks a free port); with ``--exit-with-stdin`` it stops when its standard input
closes, so a parent process that reads its URL and holds that pipe never leaves it behind.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .catalogue import DEMO_USER, USERS
from .config import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DOCUMENT_BYTES, SandboxConfig
from .server import bind_socket, url_for, uvicorn_config, warn_if_exposed

log = logging.getLogger("snx_desktop.sandbox")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snx-sandbox",
        description="A local SalesNexus-compatible call-v1 server with demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: a free one)")
    parser.add_argument("--db", default=":memory:", help="SQLite file, or :memory:")
    parser.add_argument("--contacts", type=int, default=5000, help="demo contacts to create")
    parser.add_argument("--seed", type=int, default=1, help="seed of the demo data")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    parser.add_argument(
        "--token-idle-s",
        type=float,
        default=8 * 3600,
        help="idle time after which a temporary token expires",
    )
    parser.add_argument(
        "--permanent-token",
        action="append",
        default=[],
        metavar="TOKEN",
        help="a login token that never expires (repeatable)",
    )
    parser.add_argument("--max-document-bytes", type=int, default=DEFAULT_MAX_DOCUMENT_BYTES)
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument(
        "--drop-rate", type=float, default=0.0, help="share of requests whose connection is dropped"
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="share of requests answered with HTTP 500"
    )
    parser.add_argument(
        "--garbage-rate",
        type=float,
        default=0.0,
        help="share of requests answered with a body that is not JSON",
    )
    parser.add_argument(
        "--garbage-after-rate",
        type=float,
        default=0.0,
        help="share of requests run and then answered with an undecodable body (not JSON, "
        "cut off, nested 100,000 deep, invalid UTF-8, in turn)",
    )
    parser.add_argument(
        "--stall-rate",
        type=float,
        default=0.0,
        help="share of requests answered only after --stall-s seconds",
    )
    parser.add_argument("--stall-s", type=float, default=30.0)
    parser.add_argument(
        "--log-level", default="info", choices=("debug", "info", "warning", "error")
    )
    parser.add_argument(
        "--print-url",
        action="store_true",
        help="write the base URL as one line on standard output once serving",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (the parent process ended)",
    )
    return parser


def _print_url_when_started(server: uvicorn.Server, base_url: str) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.01)
    if server.started:
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()


def _exit_when_stdin_closes(server: uvicorn.Server) -> None:
    stream = sys.stdin.buffer if sys.stdin is not None else None
    while stream is not None and stream.read(4096):
        pass
    log.info("standard input closed: stopping")
    server.should_exit = True


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in ("drop_rate", "error_rate", "garbage_rate", "garbage_after_rate", "stall_rate"):
        if not 0 <= getattr(args, name) <= 1:
            log.error("--%s must be between 0 and 1", name.replace("_", "-"))
            return 2
    config = SandboxConfig(
        db=args.db,
        contacts=max(0, args.contacts),
        seed=args.seed,
        latency_ms=args.latency_ms,
        token_idle_s=args.token_idle_s,
        permanent_tokens=tuple(args.permanent_token),
        max_document_bytes=args.max_document_bytes,
        max_body_bytes=args.max_body_bytes,
        drop_rate=args.drop_rate,
        error_rate=args.error_rate,
        garbage_rate=args.garbage_rate,
        garbage_after_rate=args.garbage_after_rate,
        stall_rate=args.stall_rate,
        stall_s=args.stall_s,
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, exc.strerror or exc)
        return 1
    warn_if_exposed(sock)
    app = create_app(config)
    base_url = url_for(args.host, sock.getsockname()[1])
    log.info("SalesNexus sandbox at %s/api/call-v1", base_url)
    log.info("demo sign-in: %s / %s", DEMO_USER.email, DEMO_USER.password)
    log.info(
        "other users: %s",
        ", ".join(f"{u.email} / {u.password} ({u.security_level})" for u in USERS[1:]),
    )
    if config.permanent_tokens:
        log.info("%d permanent token(s) configured", len(config.permanent_tokens))
    server = uvicorn.Server(uvicorn_config(app, "warning" if args.log_level != "debug" else "info"))
    if args.print_url:
        threading.Thread(
            target=_print_url_when_started, args=(server, base_url), daemon=True
        ).start()
    if args.exit_with_stdin:
        threading.Thread(target=_exit_when_stdin_closes, args=(server,), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        log.info("sandbox stopped")
        sock.close()
        app.state.sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
