"""The accounts signed in before, as kept in the settings: server, e-mail (or a token
account's identity) and whether "remember me" was on. Never a secret: those live in the
keyring (:mod:`snx_desktop.secrets`). Read at start, before the sign-in dialog is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

__all__ = ["KnownAccount", "load_accounts", "save_account"]

_ACCOUNTS_KEY = "accounts/recent"


@dataclass(frozen=True)
class KnownAccount:
    server: str
    email: str
    remember: bool
    uses_token: bool = False

    @property
    def label(self) -> str:
        host = self.server.split("://", 1)[-1].rstrip("/")
        who = "permanent token" if self.uses_token or not self.email else self.email
        return f"{who} on {host}"


def load_accounts(settings: QSettings) -> list[KnownAccount]:
    """Accounts signed in before, most recent first (no secrets are kept in settings)."""
    raw: object = settings.value(_ACCOUNTS_KEY, [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raw = []
    out: list[KnownAccount] = []
    for item in raw:
        parts = str(item).split("\t")
        if len(parts) >= 3:
            out.append(
                KnownAccount(
                    server=parts[0],
                    email=parts[1],
                    remember=parts[2] == "1",
                    uses_token=len(parts) > 3 and parts[3] == "1",
                )
            )
    return out


def save_account(settings: QSettings, account: KnownAccount, limit: int = 8) -> None:
    accounts = [
        a
        for a in load_accounts(settings)
        if (a.server, a.email.lower()) != (account.server, account.email.lower())
    ]
    accounts.insert(0, account)
    settings.setValue(
        _ACCOUNTS_KEY,
        [
            "\t".join([a.server, a.email, "1" if a.remember else "0", "1" if a.uses_token else "0"])
            for a in accounts[:limit]
        ],
    )
    settings.sync()
