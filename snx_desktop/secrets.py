"""Keyring wrapper: the only place where login tokens and passwords are stored or read.

The system keyring is resolved lazily (the first ``keyring.get_keyring()`` costs a few
hundred milliseconds, so the app resolves it after its window is shown). Backends that do not
keep secrets safe are refused: ``keyring.backends.fail`` (no keyring at all),
``keyring.backends.null`` and anything from ``keyrings.alt`` (plaintext or base64 files),
also when they sit inside a ``ChainerBackend``. A keyring that is locked or broken and raises
``KeyringError`` is treated the same way. In all these cases secrets are kept in memory only,
for the life of the process, and a warning is reported through :mod:`snx_desktop.messages`
(and kept in :attr:`SecretStore.warning` for the sign-in dialog to show).

Secrets never appear in log records or exception texts produced here.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from snx_desktop import messages

__all__ = [
    "SERVICE_NAME",
    "SecretStore",
    "account_key",
    "is_insecure_backend",
    "memory_keyring_class",
]

log = logging.getLogger(__name__)

SERVICE_NAME = "SalesNexus Desktop"

_INSECURE_MODULE_PREFIXES = (
    "keyring.backends.fail",
    "keyring.backends.null",
    "keyrings.alt",
)

INSECURE_WARNING = (
    "No secure keyring is available on this computer, so your sign-in is kept in memory "
    "only and will be asked for again next time."
)
LOCKED_WARNING = (
    "The system keyring could not be used (it may be locked), so your sign-in is kept in "
    "memory only for this session."
)


def account_key(server: str, email: str) -> str:
    """The keyring user name for one account on one server."""
    return f"{server.rstrip('/').lower()}|{email.strip().lower()}"


def _is_insecure_single(backend: Any) -> bool:
    module = type(backend).__module__
    return module.startswith(_INSECURE_MODULE_PREFIXES)


def _chain_members(backend: Any) -> list[Any] | None:
    """The members of a chainer backend, or None when ``backend`` is not a chainer."""
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer") or type(backend).__name__ == (
        "ChainerBackend"
    ):
        try:
            return list(backend.backends)
        except Exception:  # a broken member discovery is as bad as no keyring
            log.warning("could not list the keyring chain's members", exc_info=True)
            return []
    return None


def is_insecure_backend(backend: Any) -> bool:
    """True when ``backend`` would not keep a secret safe.

    A chainer is insecure when it has no secure member at all; when it mixes secure and
    insecure members, :func:`_pick_secure` uses only the secure ones.
    """
    members = _chain_members(backend)
    if members is None:
        return _is_insecure_single(backend)
    return not any(not _is_insecure_single(m) for m in members)


def _pick_secure(backend: Any) -> Any | None:
    """The backend to use, stripped of insecure chain members; None when none is left."""
    members = _chain_members(backend)
    if members is None:
        return None if _is_insecure_single(backend) else backend
    secure = [m for m in members if not _is_insecure_single(m)]
    return secure[0] if secure else None


_memory_keyring_class: type | None = None


def memory_keyring_class() -> type:
    """The in-memory keyring backend class for tests (created on first use).

    Importing ``keyring`` costs about 0.1 s, so the class is built lazily. Its ``priority``
    is -1 so that its registration (keyring registers every subclass) never makes it the
    default by accident.
    """
    global _memory_keyring_class
    if _memory_keyring_class is None:
        from keyring.backend import KeyringBackend
        from keyring.errors import PasswordDeleteError

        class MemoryKeyring(KeyringBackend):
            """Secrets in a dict; for tests."""

            priority = -1

            def __init__(self) -> None:
                super().__init__()  # type: ignore[no-untyped-call]
                self.entries: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.entries.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.entries[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                if self.entries.pop((service, username), None) is None:
                    raise PasswordDeleteError("no such entry")

        MemoryKeyring.__module__ = __name__
        _memory_keyring_class = MemoryKeyring
    return _memory_keyring_class


def __getattr__(name: str) -> Any:
    if name == "MemoryKeyring":
        return memory_keyring_class()
    raise AttributeError(name)


class SecretStore:
    """Stores secrets per account in the system keyring, or in memory when that is unsafe.

    ``backend`` overrides the keyring lookup (tests pass a :class:`MemoryKeyring` or an
    insecure backend); when it is None the default keyring is resolved on first use.
    """

    def __init__(self, service: str = SERVICE_NAME, backend: Any | None = None) -> None:
        self._service = service
        self._given = backend
        self._backend: Any | None = None
        self._resolved = False
        self._memory: dict[str, str] = {}
        self._warning: str | None = None
        self._warned = False
        self._lock = threading.Lock()

    # -- resolution -------------------------------------------------------------------
    def resolve(self) -> None:
        """Pick the backend now (idempotent). Call after the window is shown."""
        with self._lock:
            if self._resolved:
                return
            self._resolved = True
            candidate = self._given
            if candidate is None:
                try:
                    import keyring

                    candidate = keyring.get_keyring()
                except Exception:
                    log.warning("no keyring backend could be loaded", exc_info=True)
                    candidate = None
            chosen = None if candidate is None else _pick_secure(candidate)
            if chosen is None:
                log.info(
                    "keyring backend %s is not secure; secrets stay in memory",
                    type(candidate).__name__ if candidate is not None else None,
                )
                self._warning = INSECURE_WARNING  # published when a secret is stored
            else:
                log.info("using keyring backend %s", type(chosen).__name__)
            self._backend = chosen

    @property
    def resolved(self) -> bool:
        return self._resolved

    @property
    def secure(self) -> bool:
        """True when secrets are saved in a secure keyring that outlives the process."""
        self.resolve()
        return self._backend is not None

    @property
    def warning(self) -> str | None:
        """A sentence for the user when secrets are kept in memory only, else None."""
        self.resolve()
        return self._warning

    @property
    def backend_name(self) -> str:
        self.resolve()
        if self._backend is None:
            return "memory only"
        return str(getattr(type(self._backend), "name", type(self._backend).__name__))

    def _set_warning(self, text: str) -> None:
        """Keep ``text`` for the sign-in dialog and tell the user once."""
        self._warning = text
        if not self._warned:
            self._warned = True
            messages.warning(text)

    def _fall_back(self, exc: BaseException) -> None:
        # Never log the exception text: some backends quote what they were given.
        log.warning("keyring failed (%s); secrets stay in memory", type(exc).__name__)
        self._backend = None
        self._set_warning(LOCKED_WARNING)

    # -- secrets ----------------------------------------------------------------------
    def get(self, account: str) -> str | None:
        """The secret saved for ``account``, or None."""
        self.resolve()
        if account in self._memory:
            return self._memory[account]
        if self._backend is None:
            return None
        try:
            value = self._backend.get_password(self._service, account)
        except Exception as exc:
            self._fall_back(exc)
            return None
        return value if isinstance(value, str) and value else None

    def set(self, account: str, secret: str) -> bool:
        """Save ``secret``; True when it went to a secure keyring, False when memory only."""
        self.resolve()
        if self._backend is not None:
            try:
                self._backend.set_password(self._service, account, secret)
            except Exception as exc:
                self._fall_back(exc)
            else:
                self._memory.pop(account, None)
                return True
        self._memory[account] = secret
        if self._warning:
            self._set_warning(self._warning)
        return False

    def delete(self, account: str) -> None:
        """Forget the secret of ``account`` everywhere (missing entries are fine)."""
        self.resolve()
        self._memory.pop(account, None)
        if self._backend is None:
            return
        try:
            self._backend.delete_password(self._service, account)
        except Exception as exc:
            log.debug("keyring delete skipped (%s)", type(exc).__name__)
