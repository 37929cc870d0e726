"""secrets.py: secure keyrings are used, insecure or locked ones fall back to memory with a
visible warning, and secrets never reach the log."""

from __future__ import annotations

import logging
from typing import Any

import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringLocked

from snx_desktop import messages
from snx_desktop.secrets import (
    INSECURE_WARNING,
    LOCKED_WARNING,
    SecretStore,
    account_key,
    is_insecure_backend,
    memory_keyring_class,
)

SECRET = "s3cr3t-pa55word"


def _make(cls: Any) -> Any:
    return cls()


@pytest.fixture
def shown() -> Any:
    got: list[messages.Message] = []
    unsubscribe = messages.subscribe(got.append)
    yield got
    unsubscribe()


def test_memory_keyring_has_negative_priority_and_is_secure() -> None:
    cls: Any = memory_keyring_class()
    assert cls.priority == -1
    backend = cls()
    assert not is_insecure_backend(backend)
    store = SecretStore(backend=backend)
    assert store.set(account_key("https://x.example/", "A@B.com"), SECRET) is True
    assert store.secure
    assert store.warning is None
    assert backend.entries[("SalesNexus Desktop", "https://x.example|a@b.com")] == SECRET
    assert store.get("https://x.example|a@b.com") == SECRET
    store.delete("https://x.example|a@b.com")
    assert store.get("https://x.example|a@b.com") is None


@pytest.mark.parametrize(
    "backend", [_make(keyring.backends.null.Keyring), _make(keyring.backends.fail.Keyring)]
)
def test_insecure_backends_fall_back_to_memory_with_warning(
    backend: Any, shown: list[messages.Message]
) -> None:
    assert is_insecure_backend(backend)
    store = SecretStore(backend=backend)
    assert store.set("acct", SECRET) is False
    assert store.get("acct") == SECRET
    assert not store.secure
    assert store.warning == INSECURE_WARNING
    warnings = [m for m in shown if m.level is messages.Level.WARNING]
    assert [m.text for m in warnings] == [INSECURE_WARNING]


def test_keyrings_alt_module_is_insecure() -> None:
    cls = type("PlaintextKeyring", (), {"__module__": "keyrings.alt.file"})
    assert is_insecure_backend(cls())


def test_default_keyring_from_environment_is_null_and_refused() -> None:
    # conftest sets PYTHON_KEYRING_BACKEND to the null backend
    store = SecretStore()
    assert not store.resolved
    store.resolve()
    assert not store.secure
    assert store.warning == INSECURE_WARNING


def test_chainer_with_only_insecure_members_is_insecure(monkeypatch: Any) -> None:
    members = [_make(keyring.backends.null.Keyring), _make(keyring.backends.fail.Keyring)]
    monkeypatch.setattr(ChainerBackend, "backends", members)
    assert is_insecure_backend(_make(ChainerBackend))
    store = SecretStore(backend=_make(ChainerBackend))
    store.set("acct", SECRET)
    assert not store.secure


def test_chainer_with_a_secure_member_uses_only_that_member(monkeypatch: Any) -> None:
    secure = memory_keyring_class()()
    monkeypatch.setattr(ChainerBackend, "backends", [_make(keyring.backends.null.Keyring), secure])
    store = SecretStore(backend=_make(ChainerBackend))
    assert store.set("acct", SECRET) is True
    assert secure.entries[("SalesNexus Desktop", "acct")] == SECRET


class LockedKeyring(memory_keyring_class()):  # type: ignore[misc]
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked(f"locked while reading {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked(f"locked while writing {password}")


def test_locked_keyring_falls_back_and_never_logs_the_secret(
    caplog: pytest.LogCaptureFixture, shown: list[messages.Message]
) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(backend=LockedKeyring())
    assert store.secure  # until it fails
    assert store.set("acct", SECRET) is False
    assert store.get("acct") == SECRET
    assert not store.secure
    assert store.warning == LOCKED_WARNING
    assert SECRET not in caplog.text
    assert any(m.text == LOCKED_WARNING for m in shown)
