"""The TLS context of the client's connections: system CAs plus certifi's (plus an extra
bundle), verification always on; the shared one is built once, in advance, off the loop."""

from __future__ import annotations

import logging
import os
import ssl
import threading

log = logging.getLogger("snx_desktop.api")

_default_ssl: ssl.SSLContext | None = None
_default_ssl_lock = threading.Lock()
_prewarm_started = False


def ssl_context(ca_bundle: str | os.PathLike[str] | None) -> ssl.SSLContext:
    """System CAs plus certifi's, plus ``ca_bundle``; verification is always on.

    The context without an extra bundle is built once and shared (it is read-only after)."""
    global _default_ssl
    if ca_bundle is not None:
        return build_ssl_context(ca_bundle)
    with _default_ssl_lock:
        if _default_ssl is None:
            _default_ssl = build_ssl_context(None)
        return _default_ssl


def prewarm_ssl_context() -> None:
    """Build the shared context in a worker thread (loading the CA files takes ~50-70 ms, most
    of it outside the GIL), so that the first request rarely waits for it."""
    global _prewarm_started
    if _default_ssl is not None or _prewarm_started:
        return
    _prewarm_started = True

    def build() -> None:
        try:
            ssl_context(None)
        except Exception:  # pragma: no cover - the first request builds it again and reports
            log.debug("building the TLS context in advance failed", exc_info=True)

    threading.Thread(target=build, name="snx-tls-context", daemon=True).start()


def build_ssl_context(ca_bundle: str | os.PathLike[str] | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    try:
        import certifi

        ctx.load_verify_locations(certifi.where())
    except (ImportError, OSError, ssl.SSLError):  # pragma: no cover - depends on the machine
        log.debug("certifi bundle not loaded; using the system's certificates")
    if ca_bundle is not None:
        ctx.load_verify_locations(os.fspath(ca_bundle))
    return ctx
