"""Small helpers that turn technical texts into sentences a rep can read."""

from __future__ import annotations

import re

__all__ = ["readable_error"]

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def readable_error(text: str, fallback: str = "The change could not be sent.") -> str:
    """An error for people: the parts that only name record ids are left out."""
    parts = [p.strip() for p in text.split(": ") if p.strip()]
    kept = [p for p in parts if not _GUID.search(p)] or [fallback]
    out = ": ".join(kept)
    return out if out.endswith((".", "!", "?", "…")) else out + "."
