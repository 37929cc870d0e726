"""Wire-level helpers of the client: value forms, redaction, URL rules.

Kept apart from the client so that the rules (how values travel, what is secret) are
small, plain functions with their own tests.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import httpx

from .errors import InsecureURLError
from .results import format_datetime

#: parameter names whose values are never logged nor put in error texts
SECRET_KEYS = frozenset({"login-token", "password", "base64-data"})
REDACTED = "[redacted]"

_LONG_OPAQUE = re.compile(r"[A-Za-z0-9+/=_\-]{40,}")


def wire_value(value: Any) -> Any:
    """The form a parameter value travels in: scalars as strings, booleans as
    ``"true"``/``"false"``, date-times as ``YYYY-MM-DDTHH:MM:SS``; maps keep their shape with
    string keys; sequences become lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): wire_value(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        return [wire_value(v) for v in value]
    return str(value)


def params(**values: Any) -> dict[str, Any]:
    """Reference parameter names (snake_case -> kebab-case) with their wire values; ``None``
    values are left out so that the server's defaults apply."""
    return {k.replace("_", "-"): wire_value(v) for k, v in values.items() if v is not None}


def redact(obj: Any) -> Any:
    """A copy of a request or answer with secret values replaced (for logging)."""
    if isinstance(obj, Mapping):
        return {
            k: (REDACTED if str(k).lower() in SECRET_KEYS else redact(v)) for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [redact(v) for v in obj]
    return obj


def scrub_text(text: str, secrets: Sequence[str | None] = ()) -> str:
    """Remove known secrets and long opaque runs (tokens, base64) from a text."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _LONG_OPAQUE.sub(REDACTED, text)


def short_json(obj: Any, limit: int = 2000) -> str:
    """Redacted JSON for a log line, cut to ``limit`` characters."""
    text = json.dumps(redact(obj), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def endpoint_url(base_url: str) -> str:
    """``https://host`` or ``https://host/api/call-v1`` -> the call-v1 URL."""
    base = base_url.strip().rstrip("/")
    if base.endswith("/api/call-v1"):
        return base
    if base.endswith("/api"):
        return base + "/call-v1"
    return base + "/api/call-v1"


def is_loopback_host(host: str) -> bool:
    """Whether plain http to ``host`` stays on this machine: ``localhost`` itself or a literal
    loopback address (127.0.0.0/8, ::1).

    Other names are refused even where they usually mean this machine (``*.localhost``,
    RFC 6761): a resolver need not map them to loopback. So is ``localhost.`` with its
    trailing dot: a fully qualified name, which a resolver looks up as it is rather than
    taking it from the hosts file. IPv4-mapped IPv6 addresses (``::ffff:127.0.0.1``) are
    refused too, whatever the Python version thinks of them.
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return False
    return address.is_loopback


def check_url(url: str, *, allow_insecure_http: bool) -> httpx.URL:
    """Refuse anything but https, and http to this machine (or with the explicit switch)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InsecureURLError(f"Not a valid server address: {url!r}") from exc
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host:
        if is_loopback_host(parsed.host) or allow_insecure_http:
            return parsed
        port = f":{parsed.port}" if parsed.port else ""
        host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
        raise InsecureURLError(
            f"Plain http:// is refused for {host}: the connection would not be "
            f"encrypted. Use https://{host}{port} instead, or, for a server on this "
            f"computer, http://127.0.0.1{port}."
        )
    raise InsecureURLError(f"The server address must start with https:// (got {url!r})")


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (now if now is not None else time.time())
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
