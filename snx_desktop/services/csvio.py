"""CSV import and export of records (no Qt): reading, column mapping, preview, chunked import
through the write queue, and export writing.

Reading sniffs the encoding (UTF-8 with or without BOM, else Windows-1252) and the delimiter
(comma, semicolon, tab or bar). `auto_map` matches CSV headers to fields by label,
case-insensitively. `build_import_rows` turns the table into import-contacts rows (field id ->
value plus ``_toMatch``), `import_rows` sends them in chunks through `WriteQueue.import_contacts`
and adds up the outcomes. `CsvExporter` writes records with proper quoting and, optionally, a BOM
so that Excel reads UTF-8.

The formula guard: a value that starts with ``= + - @`` (or a tab / carriage return), or that
has one of ``= + - @`` right after a character another program may split the text on again
(``, ; | tab CR LF``, spaces allowed in between: ``foo;=HYPERLINK(...)``, ``x\t=1+1``), is
written quoted and prefixed with an apostrophe, so that no spreadsheet runs any part of it as
a formula. Importing keeps values as they are in the file: ``'=1+1`` stays ``'=1+1`` unless
the caller asks to undo this guard (``undo_formula_guard``, the import wizard's option for
files exported from this app); `neutralise` and `unneutralise` are exact inverses.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .types import ID_KEY

__all__ = [
    "DEFAULT_CHUNK",
    "FORMULA_STARTS",
    "RESPLIT_DELIMITERS",
    "CsvColumn",
    "CsvExporter",
    "CsvTable",
    "ExportCancelled",
    "ImportReport",
    "ImportRows",
    "auto_map",
    "build_import_rows",
    "chunked",
    "csv_cell",
    "csv_line",
    "export_columns",
    "export_pages",
    "import_rows",
    "is_formula_risk",
    "neutralise",
    "parse_csv_text",
    "read_csv",
    "unneutralise",
]

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 200
#: characters that start a formula in a spreadsheet (a leading tab or CR is guarded too)
FORMULA_STARTS = "=+-@"
#: characters after which another program may cut a cell into pieces again
RESPLIT_DELIMITERS = ",;|\t\r\n"
_DELIMITERS = ",;\t|"
_FORMULA_RISK = re.compile(
    r"^[\t\r]|(?:^|[" + re.escape(RESPLIT_DELIMITERS) + r"]) *[" + re.escape(FORMULA_STARTS) + "]"
)
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


# ---------------------------------------------------------------------------- cells
def is_formula_risk(text: str) -> bool:
    """True when a spreadsheet could run ``text``, or a piece of it cut off at a delimiter,
    as a formula; leading apostrophes are looked through (see `neutralise`)."""
    return bool(_FORMULA_RISK.search(text.lstrip("'")))


def neutralise(value: object) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading apostrophe.

    A value that already starts with apostrophes in front of a formula gets one more, so
    that `unneutralise` gives back exactly the value.
    """
    text = "" if value is None else str(value)
    return "'" + text if is_formula_risk(text) else text


def unneutralise(value: str) -> str:
    """Undo `neutralise`: ``'=1+2`` -> ``=1+2``; any other value is kept as it is."""
    if value.startswith("'") and is_formula_risk(value[1:]):
        return value[1:]
    return value


def csv_cell(value: object) -> str:
    """One cell as written by the export: guarded (`neutralise`); quoted when guarded or
    when it holds a comma, a quote or a line break; quotes doubled."""
    text = "" if value is None else str(value)
    guarded = is_formula_risk(text)
    if guarded:
        text = "'" + text
    if guarded or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Sequence[object]) -> str:
    """A CSV record of ``values`` (see `csv_cell`), ended by CR LF."""
    return ",".join(csv_cell(v) for v in values) + "\r\n"


# ---------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class CsvTable:
    """A CSV file read into memory: header cells and data rows (each padded to the header)."""

    headers: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"
    delimiter: str = ","
    lines: list[int] = field(default_factory=list)  # file line of each data row

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else index + 2

    def column(self, index: int, limit: int | None = None) -> list[str]:
        rows = self.rows if limit is None else self.rows[:limit]
        return [r[index] if index < len(r) else "" for r in rows]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), "cp1252"


def _sniff_delimiter(text: str) -> str:
    sample = text[: 64 * 1024]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def parse_csv_text(text: str, *, encoding: str = "utf-8", delimiter: str | None = None) -> CsvTable:
    """Parse CSV text whose first non-empty row is the header; blank rows are dropped."""
    delim = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    for record in reader:
        if any(c.strip() for c in record):
            rows.append(record)
            lines.append(previous + 1)  # the line the record starts on
        previous = reader.line_num
    if not rows:
        return CsvTable([], [], encoding, delim)
    headers = [h.strip() for h in rows[0]]
    width = len(headers)
    body = [(r + [""] * (width - len(r)))[: max(width, len(r))] for r in rows[1:]]
    return CsvTable(headers, body, encoding, delim, lines[1:])


def read_csv(path: Path | str, *, max_bytes: int = 200 * 1024 * 1024) -> CsvTable:
    """Read a CSV file (blocking: call it through ``asyncio.to_thread`` from the GUI)."""
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        raise ValueError(f"“{p.name}” is too large to import ({size // (1024 * 1024)} MB).")
    text, encoding = _decode(p.read_bytes())
    return parse_csv_text(text, encoding=encoding)


# ---------------------------------------------------------------------------- mapping
class FieldLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def auto_map(headers: Sequence[str], fields: Sequence[FieldLike]) -> list[str | None]:
    """For each header, the id of the field with that label (case-insensitive), else None.

    Exact labels win; then labels equal once spaces and punctuation are ignored ("Email" ->
    "E-mail"); then a header that is a field id. A field is used for one column only.
    """
    used: set[str] = set()
    out: list[str | None] = [None] * len(headers)
    tests: list[Callable[[str, FieldLike], bool]] = [
        lambda h, f: h.strip().casefold() == f.label.strip().casefold(),
        lambda h, f: bool(_squash(h)) and _squash(h) == _squash(f.label),
        lambda h, f: h.strip() == f.id,
    ]
    for test in tests:
        for i, header in enumerate(headers):
            if out[i] is not None:
                continue
            for f in fields:
                if f.id not in used and test(header, f):
                    out[i] = f.id
                    used.add(f.id)
                    break
    return out


@dataclass
class ImportRows:
    """Rows ready for import-contacts and, per row, its line number in the file (1 = header)."""

    rows: list[dict[str, Any]]
    lines: list[int]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def build_import_rows(
    table: CsvTable,
    mapping: Sequence[str | None],
    match_fields: Sequence[str],
    *,
    keep_empty: bool = False,
    undo_formula_guard: bool = False,
) -> ImportRows:
    """import-contacts rows: mapped columns as field id -> value, ``_toMatch`` = match fields.

    Empty cells are left out (the stored value stays) unless ``keep_empty``; match fields are
    always sent. A row with no value at all is skipped and reported. Values are sent as the
    file has them; only with ``undo_formula_guard`` (the rep says the file was exported by
    this app) is the export's apostrophe taken off again (`unneutralise`).
    """
    match_ids = [m for m in dict.fromkeys(match_fields) if m in mapping]
    to_match = [int(m) if m.isdigit() else m for m in match_ids]
    out = ImportRows([], [])
    for n, cells in enumerate(table.rows):
        line = table.line_of(n)
        row: dict[str, Any] = {}
        for i, fid in enumerate(mapping):
            if fid is None or i >= len(cells):
                continue
            value = cells[i].strip()
            if undo_formula_guard:
                value = unneutralise(value)
            if value or keep_empty or fid in match_ids:
                row[fid] = value
        if not any(str(v).strip() for v in row.values()):
            out.skipped.append((line, "The row is empty."))
            continue
        if to_match:
            row["_toMatch"] = list(to_match)
        out.rows.append(row)
        out.lines.append(line)
    return out


def chunked(items: Sequence[Any], size: int = DEFAULT_CHUNK) -> Iterator[Sequence[Any]]:
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------- importing
@dataclass
class ImportReport:
    """What an import did, added up over its chunks."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (file line, error)
    chunks_total: int = 0
    chunks_done: int = 0
    queued_ops: list[int] = field(default_factory=list)  # sent later (offline import)
    cancelled: bool = False
    contact_ids: list[str] = field(default_factory=list)

    @property
    def rows_done(self) -> int:
        return self.created + self.updated + len(self.failed)

    def summary(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated", f"{len(self.failed)} failed"]
        text = ", ".join(parts) + "."
        if self.queued_ops:
            n = len(self.queued_ops)
            text += f" {n} part{'s' if n != 1 else ''} waiting to be sent (see Pending changes)."
        if self.cancelled:
            text += " Cancelled before the end."
        return text


class ImportQueue(Protocol):
    async def import_contacts(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        create_if_not_updated: bool,
        match_nulls: bool = ...,
        origin: object = ...,
    ) -> Any: ...

    async def wait(self, op_id: int, timeout: float | None = ...) -> Any: ...

    async def undo(self, op_id: int) -> Any: ...


async def _wait_or_cancel(
    queue: ImportQueue, op_id: int, cancel: asyncio.Event | None
) -> tuple[Any, bool]:
    waiter = asyncio.ensure_future(queue.wait(op_id))
    if cancel is None:
        return await waiter, False
    stopper = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if waiter in done:
        return waiter.result(), False
    # cancelled: take the chunk back if it was not sent yet, else wait for its outcome
    try:
        await queue.undo(op_id)
    except Exception:
        log.debug("import chunk %s already on its way; waiting for it", op_id)
        return await waiter, True
    waiter.cancel()
    with contextlib.suppress(BaseException):
        await waiter
    return None, True


async def import_rows(
    queue: ImportQueue,
    rows: ImportRows,
    *,
    create_if_not_updated: bool,
    match_nulls: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
    wait: bool = True,
    progress: Callable[[ImportReport], object] | None = None,
    cancel: asyncio.Event | None = None,
    origin: object = None,
) -> ImportReport:
    """Send ``rows`` as import-contacts ops of ``chunk_size`` rows, one after the other.

    With ``wait`` each chunk's outcome is awaited before the next is queued (progress is real,
    cancel stops between chunks and takes back a chunk not sent yet). Without it (offline) all
    chunks are queued and their op ids reported in ``queued_ops``.
    """
    report = ImportReport(total_rows=len(rows.rows))
    chunks = list(chunked(list(range(len(rows.rows))), chunk_size))
    report.chunks_total = len(chunks)
    for indexes in chunks:
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        part = [rows.rows[i] for i in indexes]
        change = await queue.import_contacts(
            part,
            create_if_not_updated=create_if_not_updated,
            match_nulls=match_nulls,
            origin=origin,
        )
        op_id = int(change.op_id or 0)
        if not wait:
            report.queued_ops.append(op_id)
            report.chunks_done += 1
            if progress is not None:
                progress(report)
            continue
        outcome, stopped = await _wait_or_cancel(queue, op_id, cancel)
        if outcome is not None:
            _add_outcome(report, outcome, [rows.lines[i] for i in indexes])
            report.chunks_done += 1
        if progress is not None:
            progress(report)
        if stopped:
            report.cancelled = True
            break
    return report


def _add_outcome(report: ImportReport, outcome: Any, lines: list[int]) -> None:
    if not getattr(outcome, "ok", False):
        error = str(getattr(outcome, "error", "") or "The rows could not be imported.")
        report.failed.extend((line, error) for line in lines)
        return
    result: Mapping[str, Any] = getattr(outcome, "result", {}) or {}
    report.created += int(result.get("created-count", 0) or 0)
    report.updated += int(result.get("updated-count", 0) or 0)
    report.contact_ids.extend(str(i) for i in result.get("contact-ids", []) or [])
    for item in result.get("failed", []) or []:
        try:
            index = int(item.get("row", -1))
        except (TypeError, ValueError):
            index = -1
        line = lines[index] if 0 <= index < len(lines) else 0
        report.failed.append((line, str(item.get("error", ""))))


# ---------------------------------------------------------------------------- exporting
@dataclass(frozen=True)
class CsvColumn:
    key: str  # field id (contacts, groups, sales) or record key (activities)
    label: str


_ACTIVITY_COLUMNS = (
    ("regarding", "Regarding"),
    ("type", "Type"),
    ("start-time", "Start"),
    ("end-time", "End"),
    ("timeless", "Timeless"),
    ("details", "Details"),
    ("schedule-with", "Scheduled With"),
    ("schedule-for", "Scheduled For"),
    ("group-id", "Group"),
    ("color", "Color"),
    ("completed", "Completed"),
    ("result", "Result"),
    (ID_KEY, "Activity ID"),
)
_TABLES = {"contact": "Contact", "group": "Group", "sale": "Sales"}


def export_columns(schema: Any, kind: str) -> list[CsvColumn]:
    """The columns of an export: the default layout's fields first, then the table's others."""
    if kind == "activity":
        return [CsvColumn(k, label) for k, label in _ACTIVITY_COLUMNS]
    if kind == "campaign":
        return [CsvColumn("name", "Name"), CsvColumn("member-count", "Members")]
    table = _TABLES[kind]
    seen: set[str] = set()
    out: list[CsvColumn] = []
    for f in [*schema.layout(table), *schema.table_fields(table)]:
        if f.id in seen or f.type == 8:
            continue
        seen.add(f.id)
        out.append(CsvColumn(f.id, f.label))
    return out


class CsvExporter:
    """Writes records as CSV rows (context manager; the file is replaced only when complete)."""

    def __init__(self, path: Path | str, columns: Sequence[CsvColumn], *, bom: bool = True):
        self.path = Path(path)
        self.columns = list(columns)
        self.bom = bom
        self.rows = 0
        self._tmp = self.path.with_name(self.path.name + ".part")
        self._fh: io.TextIOWrapper | None = None

    def __enter__(self) -> CsvExporter:
        self._fh = open(self._tmp, "w", encoding="utf-8-sig" if self.bom else "utf-8", newline="")
        self._fh.write(csv_line([c.label for c in self.columns]))
        return self

    def write(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self._fh is not None, "use CsvExporter as a context manager"
        self._fh.write(
            "".join(csv_line([rec.get(c.key, "") for c in self.columns]) for rec in records)
        )
        self.rows += len(records)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._fh is not None
        self._fh.close()
        if exc_type is None:
            self._tmp.replace(self.path)
        else:
            self._tmp.unlink(missing_ok=True)


class ExportCancelled(Exception):
    """The export was cancelled; no file was left behind."""


PageFetch = Callable[[int, int], Awaitable[Any]]  # (start, size) -> Page(total, records)


async def export_pages(
    fetch: PageFetch,
    path: Path | str,
    columns: Sequence[CsvColumn],
    *,
    page_size: int = 500,
    bom: bool = True,
    progress: Callable[[int, int], object] | None = None,
    cancel: asyncio.Event | None = None,
) -> int:
    """Fetch every page (``fetch(start, size)``) and write it; returns the rows written.

    Cancelling (``cancel`` set) raises `ExportCancelled` and leaves no file behind.
    """
    start = 0
    with CsvExporter(path, columns, bom=bom) as out:
        while True:
            if cancel is not None and cancel.is_set():
                raise ExportCancelled("The export was cancelled.")
            page = await fetch(start, page_size)
            records = list(page.records)
            out.write(records)
            start += len(records)
            total = int(page.total)
            if progress is not None:
                progress(start, max(total, start))
            if not records or start >= total:
                break
            await asyncio.sleep(0)
        return out.rows
