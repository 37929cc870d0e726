"""The table of ``call-v1`` functions and the context a function runs with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalogue import User
from .config import SandboxConfig
from .params import Params
from .sessions import Sessions
from .storage import Database

PAGING = ("filter-value", "start-after", "page-size")


@dataclass
class Ctx:
    """What a function sees: storage, the session's user and the server's settings."""

    db: Database
    sessions: Sessions
    config: SandboxConfig
    base_url: str
    user: User | None = None

    @property
    def me(self) -> User:
        assert self.user is not None
        return self.user


Handler = Callable[[Ctx, Params], dict[str, Any]]


@dataclass(frozen=True)
class Spec:
    name: str
    handler: Handler
    token: bool
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(("login-token", *self.required, *self.optional))


FUNCTIONS: dict[str, Spec] = {}


def call(
    name: str,
    *,
    token: bool = True,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the ``call-v1`` function ``name``."""

    def register(handler: Handler) -> Handler:
        FUNCTIONS[name] = Spec(name, handler, token, required, optional)
        return handler

    return register
