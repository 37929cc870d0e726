"""Start-up options and run-time fault settings of the sandbox server."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_TOKEN_IDLE_S = 8 * 3600
DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 80 * 1024 * 1024


@dataclass
class SandboxConfig:
    """Everything the sandbox needs to know at start-up."""

    db: str = ":memory:"
    contacts: int = 5000
    seed: int = 1
    latency_ms: float = 0.0
    token_idle_s: float = DEFAULT_TOKEN_IDLE_S
    permanent_tokens: tuple[str, ...] = ()
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    drop_rate: float = 0.0
    error_rate: float = 0.0
    garbage_rate: float = 0.0
    garbage_after_rate: float = 0.0
    stall_rate: float = 0.0
    stall_s: float = 30.0


#: the undecodable answers of ``garbage_after_rate``, in the order ``garbage_after_kind`` numbers
#: them (1-4): bytes that are not JSON, the real answer cut off half-way (the connection is
#: closed before the promised length), a JSON array nested 100,000 deep, invalid UTF-8
GARBAGE_AFTER_KINDS = ("not-json", "cut-off", "deep-nesting", "bad-utf8")


@dataclass
class Faults:
    """Fault injection for ``/api/call-v1``; change the attributes at any time.

    Rates are probabilities between 0 and 1, drawn independently for every request.
    A request hit by ``drop_rate``, ``error_rate`` or ``garbage_rate`` is not executed;
    ``drop_after_rate`` executes the batch and then drops the connection (the answer is lost);
    ``garbage_after_rate`` executes it and then sends an undecodable body instead of the answer
    (see ``GARBAGE_AFTER_KINDS``): each kind in turn, or only kind ``garbage_after_kind`` (1-4)
    when that is not 0. ``stall_rate`` delays the answer by ``stall_s`` seconds;
    ``latency_ms`` is added to every request.
    """

    latency_ms: float = 0.0
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    error_rate: float = 0.0
    garbage_rate: float = 0.0
    garbage_after_rate: float = 0.0
    garbage_after_kind: float = 0.0
    stall_rate: float = 0.0
    stall_s: float = 30.0
    _garbage_sent: list[str] = field(default_factory=list, repr=False, compare=False)
    _defaults: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._defaults = self.as_dict()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

    @property
    def garbage_after_sent(self) -> list[str]:
        """The kinds of undecodable answer ``garbage_after_rate`` sent so far, oldest first."""
        with self._lock:
            return list(self._garbage_sent)

    def next_garbage_after(self) -> str:
        """The kind of undecodable answer to send now (and note it in ``garbage_after_sent``)."""
        with self._lock:
            chosen = int(self.garbage_after_kind)
            if 1 <= chosen <= len(GARBAGE_AFTER_KINDS):
                kind = GARBAGE_AFTER_KINDS[chosen - 1]
            else:
                kind = GARBAGE_AFTER_KINDS[len(self._garbage_sent) % len(GARBAGE_AFTER_KINDS)]
            self._garbage_sent.append(kind)
            return kind

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.names()}

    def reset(self) -> None:
        """Back to the values the sandbox was started with."""
        with self._lock:
            for name, value in self._defaults.items():
                setattr(self, name, value)

    def clear(self) -> None:
        """No faults at all (start-up values are forgotten for this call only)."""
        with self._lock:
            for name in self.names():
                setattr(self, name, 30.0 if name == "stall_s" else 0.0)

    def update(self, values: dict[str, Any]) -> None:
        """Set several faults at once; names may use ``-`` or ``_``.

        Raises ``ValueError`` for an unknown name or a value that is not a number in range.
        """
        parsed: dict[str, float] = {}
        for raw_name, raw_value in values.items():
            name = str(raw_name).replace("-", "_")
            if name not in self.names():
                raise ValueError(f"unknown fault {raw_name!r}")
            if isinstance(raw_value, bool) or not isinstance(raw_value, int | float | str):
                raise ValueError(f"fault {raw_name!r} needs a number")
            try:
                value = float(raw_value)
            except ValueError:
                raise ValueError(f"fault {raw_name!r} needs a number") from None
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"fault {raw_name!r} must be a finite number, zero or more")
            if name.endswith("_rate") and value > 1:
                raise ValueError(f"fault {raw_name!r} must be between 0 and 1")
            if name == "garbage_after_kind" and value not in range(len(GARBAGE_AFTER_KINDS) + 1):
                raise ValueError(
                    f"fault {raw_name!r} must be 0 (each in turn) or 1-{len(GARBAGE_AFTER_KINDS)}"
                )
            parsed[name] = value
        with self._lock:
            for name, value in parsed.items():
                setattr(self, name, value)
