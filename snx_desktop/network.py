"""The network set-up of a company: an extra CA bundle and a proxy, from the command line
(``--ca-bundle FILE``, ``--proxy URL``) or the settings (``network/caBundle``,
``network/proxy``), checked before they are used.

Certificates are always checked against the operating system's trust store (see
:mod:`snx_desktop.api.tls`); the CA bundle adds a company's own CA, e.g. the one a
TLS-inspecting proxy signs with. Without a proxy here, the system's proxy from the environment
is used (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``). A missing or unreadable CA file and a
malformed proxy address raise :class:`NetworkSetupError`, whose text is for the rep. No Qt and
no network here.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CA_BUNDLE_SETTING",
    "PROXY_SETTING",
    "NetworkOptions",
    "NetworkSetupError",
    "check_ca_bundle",
    "check_proxy",
    "is_loopback_url",
    "resolve",
]

CA_BUNDLE_SETTING = "network/caBundle"
PROXY_SETTING = "network/proxy"

_PROXY_SCHEMES = ("http", "https")
_PROXY_EXAMPLE = "http://proxy.example.com:8080"


class NetworkSetupError(ValueError):
    """A CA bundle or proxy that cannot be used; the text says why, in plain words."""


@dataclass(frozen=True)
class NetworkOptions:
    """The checked network set-up; the default is the system's own (trust store, proxy)."""

    ca_bundle: Path | None = None
    proxy: str | None = None

    def client_options(self, server_url: str = "") -> dict[str, Any]:
        """The client's keyword arguments for ``server_url``: a server on this machine (the
        demo server) is reached directly, never through the proxy."""
        options: dict[str, Any] = {}
        if self.ca_bundle is not None:
            options["ca_bundle"] = self.ca_bundle
        if self.proxy and not (server_url and is_loopback_url(server_url)):
            options["proxy"] = self.proxy
        return options

    def describe(self) -> str:
        """One line for the log and the diagnostics (a proxy's password left out)."""
        proxy = _without_password(self.proxy) if self.proxy else "from the environment"
        bundle = str(self.ca_bundle) if self.ca_bundle else "none"
        return f"extra CA bundle: {bundle}; proxy: {proxy}"


def check_ca_bundle(value: str | os.PathLike[str]) -> Path:
    """``value`` as the path of a readable file holding at least one PEM certificate."""
    path = Path(value).expanduser()
    if not path.exists():
        raise NetworkSetupError(f"The CA certificate file {path} does not exist.")
    if path.is_dir():
        raise NetworkSetupError(f"The CA certificate file {path} is a folder, not a file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise NetworkSetupError(
            f"The CA certificate file {path} cannot be read ({reason.lower()})."
        ) from None
    import ssl  # only here: a start without a bundle need not load it

    try:
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.load_verify_locations(cadata=data.decode("ascii"))
    except (UnicodeDecodeError, ssl.SSLError, ValueError):
        raise NetworkSetupError(
            f"The CA certificate file {path} holds no certificate in PEM format "
            "(text starting with -----BEGIN CERTIFICATE-----)."
        ) from None
    return path


def check_proxy(value: str) -> str:
    """``value`` as a proxy URL (``http://host:port`` or ``https://…``, a user and password
    allowed); a bare ``host:port`` is taken as ``http://host:port``."""
    text = value.strip()
    if text and "://" not in text:
        text = f"http://{text}"
    bad = NetworkSetupError(
        f'The proxy address "{_without_password(value.strip())}" is not valid: give it like '
        f"{_PROXY_EXAMPLE}."
    )
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        raise bad from None
    if parts.scheme.lower() not in _PROXY_SCHEMES:
        if parts.scheme.lower().startswith("socks"):
            raise NetworkSetupError(
                f"SOCKS proxies are not supported: give an HTTP proxy, like {_PROXY_EXAMPLE}."
            )
        raise bad
    if not parts.hostname or any(c.isspace() for c in text):
        raise bad
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise bad
    if port == 0:
        raise bad
    return text


def resolve(
    ca_bundle: str | os.PathLike[str] | None,
    proxy: str | None,
    *,
    saved_ca_bundle: object = None,
    saved_proxy: object = None,
) -> tuple[NetworkOptions, list[str]]:
    """The network set-up from the command line (raises :class:`NetworkSetupError` for a bad
    value) and, where a flag is not given, from the settings: a bad saved value is left out
    (certificates are still checked, without it) and its message returned for the rep."""
    problems: list[str] = []

    def saved(value: object, check: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            return check(value.strip())
        except NetworkSetupError as exc:
            problems.append(f"{exc} The setting is not used.")
            return None

    bundle = check_ca_bundle(ca_bundle) if ca_bundle else saved(saved_ca_bundle, check_ca_bundle)
    chosen = check_proxy(proxy) if proxy else saved(saved_proxy, check_proxy)
    return NetworkOptions(bundle, chosen), problems


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names this machine (``localhost`` or a loopback address)."""
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host.lower() == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _without_password(url: str) -> str:
    """``url`` with the password of its user part replaced by ``***``."""
    try:
        parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
    except ValueError:
        return url.split("@", 1)[-1]
    if parts.password is None:
        return url
    user = parts.username or ""
    shown = parts._replace(netloc=f"{user}:***@{parts.netloc.rsplit('@', 1)[1]}")
    return urllib.parse.urlunsplit(shown) if "://" in url else shown.geturl()[len("http://") :]
