"""Login tokens of the sandbox: temporary ones that expire when idle, permanent ones."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from .catalogue import DEMO_USER, USERS_BY_ID, User
from .errors import INVALID_TOKEN, CallError


@dataclass
class _Session:
    user_id: str
    last_used: float
    permanent: bool


class Sessions:
    """Token -> user, with idle expiry for temporary tokens; safe to use from any thread."""

    def __init__(self, idle_s: float, permanent_tokens: tuple[str, ...] = ()) -> None:
        self.idle_s = idle_s
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        for token in permanent_tokens:
            self._sessions[token] = _Session(DEMO_USER.user_id, time.monotonic(), True)

    def login(self, user: User) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = _Session(user.user_id, time.monotonic(), False)
        return token

    def user_for(self, token: object) -> User:
        """The user of a valid token (and the token's idle clock restarts), else INVALID_TOKEN."""
        if not isinstance(token, str) or not token:
            raise CallError(INVALID_TOKEN, "The login token is not valid.")
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(token)
            if (
                session is not None
                and not session.permanent
                and now - session.last_used > (self.idle_s)
            ):
                del self._sessions[token]
                session = None
            if session is None:
                raise CallError(INVALID_TOKEN, "The login token is unknown or has expired.")
            session.last_used = now
            return USERS_BY_ID[session.user_id]

    def peek(self, token: str) -> User | None:
        """Like ``user_for`` but without raising (for document downloads)."""
        try:
            return self.user_for(token)
        except CallError:
            return None

    def expire_all(self) -> int:
        """End every temporary token now; permanent tokens stay. Returns how many ended."""
        with self._lock:
            ended = [t for t, s in self._sessions.items() if not s.permanent]
            for token in ended:
                del self._sessions[token]
        return len(ended)
