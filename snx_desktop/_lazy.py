"""Names a package exports, imported from their module on first use (PEP 562).

The app paints its first rows before most of its modules are loaded: importing a package for
one of its modules must not load all the others. A package's ``__init__`` lists which module
holds each exported name and hands :func:`lazy_exports` to ``__getattr__``; type checkers see
the same names through an ``if TYPE_CHECKING:`` import block next to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``where`` maps a name to its module
    (relative, without the dot); a name once imported is kept in ``namespace``."""

    def getattr_(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(where))

    return getattr_, dir_
