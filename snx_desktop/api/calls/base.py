"""What every group of typed calls stands on: the transport's two entry points and the
helpers that shape parameters and read lists."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .. import _wire
from ..results import RecordList, parse_record_list

if TYPE_CHECKING:
    from ..upload import BinarySource, ProgressCallback

T = TypeVar("T")
DateLike = str | datetime


class CallsBase:
    """The transport's entry points, as the typed calls see them."""

    async def _call(
        self, function: str, params: dict[str, Any], parse: Callable[[dict[str, Any]], T]
    ) -> T:
        raise NotImplementedError

    async def _upload(
        self,
        function: str,
        params: dict[str, Any],
        parse: Callable[[dict[str, Any]], T],
        source: str | os.PathLike[str] | BinarySource,
        size: int | None,
        progress: ProgressCallback | None,
    ) -> T:
        raise NotImplementedError


class Lister(Generic[T]):
    def __init__(
        self, kind: str, item: Callable[[dict[str, Any], str], T], start_after: Any
    ) -> None:
        self.kind = kind
        self.item = item
        try:
            self.start = int(start_after) if start_after is not None else 0
        except (TypeError, ValueError):
            self.start = 0

    def __call__(self, raw: dict[str, Any]) -> RecordList[T]:
        return parse_record_list(raw, self.kind, self.item, self.start)


def lister(
    kind: str, item: Callable[[dict[str, Any], str], T], start_after: Any = None
) -> Lister[T]:
    return Lister(kind, item, start_after)


def id_list(ids: Sequence[str] | str) -> list[str]:
    if isinstance(ids, str):
        return [ids]
    return [str(i) for i in ids]


def import_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = str(key)
        if name == "_toMatch":
            items = [value] if isinstance(value, str | int) else list(value)
            out[name] = [int(v) if str(v).strip().isdigit() else str(v) for v in items]
        else:
            out[name] = _wire.wire_value(value)
    return out
