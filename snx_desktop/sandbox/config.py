"""Start-up options and run-time fault settings of the sandbox server."""

from __future__ import annotations

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
    stall_rate: float = 0.0
    stall_s: float = 30.0


@dataclass
class Faults:
    """Fault injection for ``/api/call-v1``; change the attributes at any time.

    Rates are probabilities between 0 and 1, drawn independently for every request.
    A request hit by ``drop_rate``, ``error_rate`` or ``garbage_rate`` is not executed;
    ``drop_after_rate`` executes the batch and then drops the connection (the answer is lost).
    ``stall_rate`` delays the answer by ``stall_s`` seconds; ``latency_ms`` is added to every
    request.
    """

    latency_ms: float = 0.0
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    error_rate: float = 0.0
    garbage_rate: float = 0.0
    stall_rate: float = 0.0
    stall_s: float = 30.0
    _defaults: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._defaults = self.as_dict()

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

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
            if value != value or value < 0:
                raise ValueError(f"fault {raw_name!r} must be zero or more")
            if name.endswith("_rate") and value > 1:
                raise ValueError(f"fault {raw_name!r} must be between 0 and 1")
            parsed[name] = value
        with self._lock:
            for name, value in parsed.items():
                setattr(self, name, value)
