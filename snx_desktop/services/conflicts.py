"""Three-way comparison of an update made offline against the server's current values.

For each field the update edits there are three values: ``base`` (what the edit started from),
``theirs`` (what the server holds now) and ``mine`` (what the edit writes). A field conflicts when
the server moved away from the base to something other than mine. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .types import FieldConflict

Choice = Literal["mine", "theirs"]


def norm(value: object) -> str:
    """Values compare as trimmed text; ``None`` and ``""`` are the same empty value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def same(a: object, b: object) -> bool:
    return norm(a) == norm(b)


def find_conflicts(
    base: Mapping[str, object], theirs: Mapping[str, object], mine: Mapping[str, object]
) -> dict[str, FieldConflict]:
    """Fields of ``mine`` whose server value changed since ``base`` and differs from mine."""
    out: dict[str, FieldConflict] = {}
    for key, my_value in mine.items():
        if key not in base:
            # No known base for this field: treat the server's value as the base.
            continue
        their_value = theirs.get(key, "")
        if same(their_value, base[key]) or same(their_value, my_value):
            continue
        out[key] = FieldConflict(norm(base[key]), norm(their_value), norm(my_value))
    return out


def already_applied(theirs: Mapping[str, object], mine: Mapping[str, object]) -> bool:
    """True when the server already holds every value the update writes."""
    return all(same(theirs.get(k, ""), v) for k, v in mine.items())


def resolve(
    mine: Mapping[str, str],
    theirs: Mapping[str, object],
    conflicts: Mapping[str, FieldConflict],
    choices: Mapping[str, Choice],
) -> tuple[dict[str, str], dict[str, str]]:
    """Apply per-field choices; returns (changes still to send, their new base).

    Fields not in conflict keep my value; every conflicting field needs a choice. Fields
    whose server value (when known in ``theirs``) already equals mine are dropped. The new
    base of a field kept as "mine" is the server's value, so it does not conflict again.
    """
    missing = [k for k in conflicts if k not in choices]
    if missing:
        raise ValueError(f"no choice for field(s) {', '.join(sorted(missing))}")
    changes: dict[str, str] = {}
    base: dict[str, str] = {}
    for key, value in mine.items():
        if key in conflicts and choices[key] == "theirs":
            continue
        if key in theirs and same(theirs[key], value):
            continue
        changes[key] = value
        if key in theirs:
            base[key] = norm(theirs[key])
    return changes, base
