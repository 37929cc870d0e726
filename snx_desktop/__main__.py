"""Command line of SalesNexus Desktop: ``snx-desktop`` and ``python -m snx_desktop``.

``--check-server URL`` runs the server check (:mod:`snx_desktop.services.servercheck`) without
a window and prints its report: signed in with ``--email`` and a password from the
``SNX_PASSWORD`` environment variable or a prompt that does not echo, else with a login token
from ``SNX_TOKEN`` or such a prompt. ``--call NUMBER`` and a ``tel:`` link open the caller's
contact (:mod:`snx_desktop.ui.caller`), in the app already running if there is one.
Passwords and tokens are never taken from the command line (other users of the computer can
read it), never printed, logged or stored.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from snx_desktop import __version__

if TYPE_CHECKING:
    from snx_desktop.network import NetworkOptions

__all__ = ["build_parser", "main"]

LIVE_SERVER = "https://logon.salesnexus.com"
PASSWORD_VARIABLE = "SNX_PASSWORD"
TOKEN_VARIABLE = "SNX_TOKEN"


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
        "--ca-bundle",
        metavar="FILE",
        help="also trust the CA certificates in FILE (PEM), e.g. your company's; certificates "
        "are always checked against the system's trust store too",
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="send every request through this HTTP proxy (default: the system's proxy from "
        "HTTPS_PROXY/HTTP_PROXY/NO_PROXY)",
    )
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
    parser.add_argument(
        "--check-server",
        metavar="URL",
        help="sign in to URL, make read-only calls, print how the answers differ from what this "
        "app expects, then quit (exit status 0 no differences, 1 differences, 2 no connection "
        f"or sign-in); the password comes from {PASSWORD_VARIABLE} or a prompt",
    )
    parser.add_argument(
        "--email",
        metavar="ADDRESS",
        help=f"with --check-server: the e-mail address to sign in with (without it, a login "
        f"token from {TOKEN_VARIABLE} or a prompt)",
    )
    parser.add_argument(
        "--call",
        metavar="NUMBER",
        help="open the contact with this phone or mobile number (offline too); when the app "
        "is running already, that app opens it",
    )
    parser.add_argument(
        "link",
        nargs="?",
        metavar="tel:NUMBER",
        help="a tel: link: the same as --call NUMBER (the desktop opens the app with it)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--run-sandbox"]:
        # the demo mode's server, in a child process of the app (snx_desktop.demoserver)
        from snx_desktop.demoserver import run_sandbox_command

        return run_sandbox_command(arguments[1:])
    # no cyclic garbage collection while the app starts: it only builds what it keeps, and
    # the first rows are painted sooner; once the window is up, the GUI collects from a
    # timer in its own thread (snx_desktop.models.gccontrol)
    gc.disable()
    parser = build_parser()
    args = parser.parse_args(arguments)
    if args.email and not args.check_server:
        parser.error("--email goes with --check-server")
    if args.demo:
        from snx_desktop.demoserver import sandbox_missing

        problem = sandbox_missing()
        if problem is not None:
            _refuse(parser, problem)
    from snx_desktop.network import NetworkOptions, NetworkSetupError, check_ca_bundle, check_proxy

    try:
        args.ca_bundle = check_ca_bundle(args.ca_bundle) if args.ca_bundle else None
        args.proxy = check_proxy(args.proxy) if args.proxy else None
    except NetworkSetupError as exc:
        _refuse(parser, str(exc))
    level = logging.DEBUG if args.verbose else getattr(logging, args.log_level)
    from snx_desktop.logfile import console_handler

    # the console gets `level`; the log file, set up by the app, INFO and up (or DEBUG)
    logging.basicConfig(level=level, handlers=[console_handler(level)])
    if args.check_server:
        gc.enable()  # no window to paint: nothing to gain from holding the collector back
        network = NetworkOptions(args.ca_bundle, args.proxy)
        return check_server(args.check_server, args.email or "", network)
    from snx_desktop.app import run

    return run(args)


def _refuse(parser: argparse.ArgumentParser, problem: str) -> None:
    """End with exit status 2 and ``problem``: on the console, or, in the windowed program
    (no console: ``sys.stderr`` is None), in a message box."""
    if sys.stderr is None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.warning(None, "SalesNexus Desktop", problem)
        del app
        raise SystemExit(2)
    parser.error(problem)


def _secret(variable: str, prompt: str) -> str:
    """A secret from the environment, else from a prompt that does not echo (on a terminal
    only); "" when there is neither."""
    value = os.environ.get(variable, "")
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            return ""
    return ""


def check_server(url: str, email: str, network: NetworkOptions | None = None) -> int:
    """``--check-server``: the report on stdout; returns its exit status."""
    import asyncio

    from snx_desktop.services.servercheck import check_server as run_check

    if email:
        password = _secret(PASSWORD_VARIABLE, f"Password for {email}: ")
        token = ""
        missing = f"No password: set {PASSWORD_VARIABLE} or run this in a terminal."
    else:
        password = ""
        token = _secret(TOKEN_VARIABLE, "Login token: ").strip()
        missing = (
            f"No login token: set {TOKEN_VARIABLE} or run this in a terminal "
            "(or give --email to sign in with a password)."
        )
    if not password and not token:
        sys.stderr.write(missing + "\n")
        return 2
    from snx_desktop.network import NetworkOptions

    options = (network or NetworkOptions()).client_options()
    report = asyncio.run(
        run_check(url, email=email, password=password, token=token, client_options=options)
    )
    sys.stdout.write(report.text())
    sys.stdout.flush()
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
