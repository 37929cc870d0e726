"""Command line of SalesNexus Desktop: ``snx-desktop`` and ``python -m snx_desktop``."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

LIVE_SERVER = "https://logon.salesnexus.com"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snx-desktop",
        description="SalesNexus Desktop: your SalesNexus contacts, online and offline.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a local demo server with sample data and sign in to it",
    )
    parser.add_argument(
        "--server", metavar="URL", help=f"SalesNexus server to use (default {LIVE_SERVER})"
    )
    parser.add_argument(
        "--profile", metavar="DIR", help="keep the offline store and settings in DIR"
    )
    parser.add_argument("--offline", action="store_true", help="start in offline mode (no network)")
    parser.add_argument(
        "--screenshot",
        metavar="PATH",
        help="save the window as PNG once the first contacts have loaded, then quit",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, open the offline store, and quit with status 0 (no network)",
    )
    parser.add_argument(
        "--demo-contacts", type=int, default=5000, metavar="N", help=argparse.SUPPRESS
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log debug messages (same as --log-level DEBUG)",
    )
    verbosity.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="log level (default WARNING)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # no cyclic garbage collection while the app starts: it only builds what it keeps, and
    # the first rows are painted sooner; once the window is up, the GUI collects from a
    # timer in its own thread (snx_desktop.models.gccontrol)
    gc.disable()
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    level = logging.DEBUG if args.verbose else getattr(logging, args.log_level)
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    from snx_desktop.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
