"""Where an account's store lives on disk: profile, account folder and file names."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

APP_DIR_NAME = "snx-desktop"
DB_FILE_NAME = "store.sqlite3"
DOCUMENTS_DIR = "documents"
OUTBOX_DIR = "outbox"
CORRUPT_DIR = "corrupt"

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def default_profile_dir() -> Path:
    """The per-user data folder of the app (platformdirs ``user_data_dir("snx-desktop")``)."""
    import platformdirs  # only here: a start with a given profile folder need not load it

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def normalise_base_url(base_url: str) -> str:
    """The server URL in one spelling: lower-case scheme and host, no trailing slash."""
    parts = urlsplit(base_url.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    return f"{scheme}://{host}{port}{path}"


def identity_from_token(token: str) -> str:
    """A stable, non-secret account identity for a sign-in by token alone.

    Only a short hash prefix is kept, which tells nothing about the token.
    """
    return "token-" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def account_slug(base_url: str, identity: str) -> str:
    """A file-system-safe folder name for (server, account), e.g. ``example.com-1f2e...``."""
    norm = normalise_base_url(base_url)
    host = urlsplit(norm).hostname or "server"
    port = urlsplit(norm).port
    label = _UNSAFE.sub("_", host + (f"_{port}" if port else ""))[:40].strip("._-") or "server"
    digest = hashlib.sha256(f"{norm}\n{identity.strip().lower()}".encode()).hexdigest()[:16]
    return f"{label}-{digest}"


def account_dir(base_url: str, identity: str, profile_dir: Path | None = None) -> Path:
    """The folder that holds one account's database, cached documents and queued uploads."""
    root = profile_dir if profile_dir is not None else default_profile_dir()
    return Path(root) / "accounts" / account_slug(base_url, identity)


def wipe_account(base_url: str, identity: str, profile_dir: Path | None = None) -> None:
    """Delete an account's whole store (database, documents, queued uploads) from disk.

    The store must be closed first (``Store.wipe`` closes and wipes in one go).
    """
    folder = account_dir(base_url, identity, profile_dir)
    if folder.exists():
        shutil.rmtree(folder)
