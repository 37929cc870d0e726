"""The TLS context of the client's connections: the operating system's trust store (through
``truststore``: the Windows and macOS certificate stores, the system's CA files on Linux), plus
certifi's CAs, plus an optional extra CA bundle (a company's own CA, e.g. of a TLS-inspecting
proxy); verification always on. The shared one is built once, in advance, off the loop."""

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
    """The system's trust store plus certifi's CAs, plus ``ca_bundle``; verification is
    always on.

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


def _system_context() -> ssl.SSLContext:
    """A client context that verifies against the operating system's trust store; the
    standard library's default context where ``truststore`` is not installed."""
    try:
        import truststore
    except ImportError:  # pragma: no cover - a declared dependency; kept for odd installs
        log.debug("truststore is not installed; using the CA files OpenSSL knows")
        return ssl.create_default_context()
    ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ctx


def build_ssl_context(ca_bundle: str | os.PathLike[str] | None) -> ssl.SSLContext:
    """A new context (see :func:`ssl_context`); a missing or unreadable ``ca_bundle`` raises
    ``OSError``, one without a certificate ``ssl.SSLError``."""
    ctx = _system_context()
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    try:
        import certifi

        ctx.load_verify_locations(certifi.where())
    except (ImportError, OSError, ssl.SSLError):  # pragma: no cover - depends on the machine
        log.debug("certifi bundle not loaded; using the system's certificates")
    if ca_bundle is not None:
        ctx.load_verify_locations(os.fspath(ca_bundle))
    return ctx
