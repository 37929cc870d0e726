"""Help ▸ Copy diagnostics: what support needs to know about this installation, as text, with
secrets taken out.

The text names the app's version, the platform, the Qt, PySide6 and Python versions, the
server's host (kept: support needs it), the network set-up, the offline store's size, the
unsent changes by state and the last 200 lines of the log file. :func:`redact` takes out what
must not leave the computer even if some code logged it by mistake: passwords and tokens
(``token=…``, ``"password": "…"``, ``Bearer …``), long base64 runs (file contents, tokens) and
the name part of e-mail addresses (the rep's contacts' as well as their own; the domain is
kept). No Qt widgets here; the versions are read from the Qt library.
"""

from __future__ import annotations

import re
import sys
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from snx_desktop import __version__

if TYPE_CHECKING:
    from snx_desktop.logfile import LogFile
    from snx_desktop.services.ports import AccountServices

__all__ = ["LOG_LINES", "REDACTED", "collect", "note", "redact"]

LOG_LINES = 200
REDACTED = "[redacted]"

_notes: dict[str, str] = {}

_SECRET_NAMES = r"(?:password|passwd|pwd|token|login[-_]?token|secret|api[-_]?key|authorization)"
# name=value, name: value, "name": "value" (JSON), with the name anywhere in a longer key
_NAMED_SECRET = re.compile(
    r"""(?P<name>["']?[\w-]*"""
    + _SECRET_NAMES
    + r"""[\w-]*["']?\s*[:=]\s*)(?:(?P<quote>["'])[^"'\n]*["']|[^\s"',;&}\]]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
# a password in a URL's user part: scheme://user:password@host
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# long runs of base64 or hex (tokens, file contents); UUIDs (record ids), lower-case words,
# paths and version strings are kept
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` without secrets (see the module docstring)."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{REDACTED}@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _NAMED_SECRET.sub(
        lambda m: f"{m.group('name')}{m.group('quote') or ''}{REDACTED}{m.group('quote') or ''}",
        text,
    )
    text = _EMAIL.sub(lambda m: f"…@{m.group('domain')}", text)
    return _BASE64_RUN.sub(_redact_run, text)


def _redact_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _UUID.fullmatch(run):
        return run  # a record's id
    letters = run.replace("-", "").replace("_", "")
    if re.fullmatch(r"[0-9a-fA-F]{32,}", letters):
        return REDACTED  # a hex token or digest
    mixed = any(c.isupper() for c in run) and any(c.islower() for c in run)
    if mixed and any(c.isdigit() for c in run):
        return REDACTED  # base64: tokens, file contents
    return run  # words, paths and version strings


def note(name: str, value: str) -> None:
    """Add a line ``name: value`` to every diagnostics text of this process (the app notes
    its network set-up at start)."""
    _notes[name] = value


def collect(services: AccountServices | None, log_file: LogFile | None) -> str:
    """The diagnostics text, redacted: ``services`` are the open account's (None when
    signed out), ``log_file`` the log this process writes (None when there is none)."""
    import platform  # only here: the app's start need not load it

    lines = [
        f"SalesNexus Desktop {__version__}" + (" (installed bundle)" if _frozen() else ""),
        f"Platform: {platform.platform()} ({platform.machine()})",
        f"Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"Qt: {_qt_versions()}",
    ]
    lines += [f"{name}: {value}" for name, value in _notes.items()]
    lines += _account_lines(services)
    if log_file is None:
        lines += ["Log file: none (the log folder could not be written)"]
    else:
        tail = log_file.tail(LOG_LINES)
        lines += [
            f"Log folder: {log_file.folder}",
            "",
            f"Last {len(tail)} lines of the log:",
            *tail,
        ]
    return redact("\n".join(lines) + "\n")


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def _qt_versions() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        return f"{qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError:  # pragma: no cover - the app does not run without it
        return "not loaded"


def _account_lines(services: AccountServices | None) -> list[str]:
    if services is None:
        return ["Server: not signed in"]
    store = services.store
    parts = urllib.parse.urlsplit(store.base_url)
    host = parts.hostname or "?"
    server = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    try:
        counts = store.outbox.counts()
        queue = (
            f"{counts.total} in all: {counts.queued} waiting, {counts.sending} sending, "
            f"{counts.unknown} sent without an answer, {counts.failed} failed, "
            f"{counts.conflict} in conflict"
        )
    except Exception as exc:  # a store whose disk fails: the rest is still worth having
        queue = f"could not be read ({type(exc).__name__})"
    return [
        f"Server: {server}",
        f"Connection: {'online' if services.connectivity.is_online else 'offline'}",
        f"Offline store: {_size(store.dir)} in {store.dir}",
        f"Unsent changes: {queue}",
    ]


def _size(folder: Path) -> str:
    total = 0
    try:
        for path in folder.rglob("*"):
            try:
                if path.is_file():
                    total += path.stat().st_size
            except OSError:
                continue
    except OSError:
        return "unknown size"
    if total >= 1024 * 1024:
        return f"{total / (1024 * 1024):.1f} MB"
    return f"{total / 1024:.0f} KB"
