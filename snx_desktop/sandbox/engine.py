"""Runs a batch of ``call-v1`` calls: envelope checks, the contract's order of checks,
one transaction per call, and error elements instead of exceptions."""

from __future__ import annotations

import logging
from typing import Any

from . import errors as E
from . import functions as _functions  # noqa: F401  (registers every function)
from .config import SandboxConfig
from .errors import CallError
from .params import Params, has_bad_text
from .registry import FUNCTIONS, Ctx
from .sessions import Sessions
from .storage import Database

log = logging.getLogger(__name__)


class Engine:
    """The call executor shared by the HTTP layer and the in-process server handle."""

    def __init__(self, db: Database, config: SandboxConfig) -> None:
        self.db = db
        self.config = config
        self.sessions = Sessions(config.token_idle_s, tuple(config.permanent_tokens))

    def run_batch(self, calls: list[Any], base_url: str) -> list[dict[str, Any]]:
        return [self.run_call(item, base_url) for item in calls]

    def run_call(self, item: Any, base_url: str) -> dict[str, Any]:
        if not isinstance(item, dict):
            return _error(E.INVALID_REQUEST, "Each call must be a JSON object.", item, False)
        has_rid = "request-id" in item
        rid = item.get("request-id")
        try:
            result = self._dispatch(item, base_url)
        except CallError as exc:
            return _error(exc.code, exc.message, rid, has_rid)
        except Exception:
            log.exception("call %r failed unexpectedly", _safe_name(item.get("function")))
            return _error(E.SERVER_ERROR, "The server could not complete the call.", rid, has_rid)
        out: dict[str, Any] = {"result": {"success": "true", **result}}
        if has_rid:
            out["request-id"] = rid
        return out

    def _dispatch(self, item: dict[str, Any], base_url: str) -> dict[str, Any]:
        function = item.get("function")
        if not isinstance(function, str) or not function:
            raise CallError(E.INVALID_REQUEST, "The call has no 'function'.")
        raw = item.get("parameters", {})
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise CallError(E.INVALID_REQUEST, "'parameters' must be a JSON object.")
        spec = FUNCTIONS.get(function)
        if spec is None:
            raise CallError(E.UNKNOWN_FUNCTION, f"Unknown function {_safe_name(function)}.")
        ctx = Ctx(self.db, self.sessions, self.config, base_url)
        if spec.token:
            if "login-token" not in raw:
                raise E.missing("login-token")
            ctx.user = self.sessions.user_for(raw["login-token"])
        for name in spec.required:
            if raw.get(name) is None or raw.get(name) == "":
                raise E.missing(name)
        for name in raw:
            if name not in spec.allowed:
                raise E.invalid(_safe_name(name), "not a parameter of " + function)
        if has_bad_text(raw):
            raise CallError(
                E.INVALID_PARAMETER,
                "A parameter holds text that is not valid Unicode or nests too deeply.",
            )
        with self.db.transaction():
            return spec.handler(ctx, Params(raw))


def _safe_name(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("utf-8", "replace").decode("utf-8")
    return repr(text[:80])[1:-1] if len(text) <= 80 else repr(text[:80])[1:-1] + "..."


def _error(code: str, message: str, rid: Any, has_rid: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"error": message, "error-code": code}
    if has_rid:
        out["request-id"] = rid
    return out
