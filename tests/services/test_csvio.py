"""CSV reading, mapping, preview rows, chunked import through the real queue, export writing."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import pytest
from support.fields import C_COMPANY, C_EMAIL, C_NAME, C_OWNER, C_PHONE, C_TITLE
from support.signals import when

from snx_desktop.services import csvio
from snx_desktop.services.schema import FieldInfo

from .conftest import OpenServices


def fields(*pairs: tuple[str, str]) -> list[FieldInfo]:
    return [FieldInfo(fid, "Contact", label, 0, False, "") for fid, label in pairs]


def test_formula_guard_round_trips() -> None:
    for value in ("=SUM(A1)", "+1 555", "-5", "@cmd", "\tx"):
        cell = csvio.neutralise(value)
        assert cell == "'" + value
        assert csvio.unneutralise(cell) == value
    assert csvio.neutralise("plain") == "plain"
    assert csvio.unneutralise("'quoted text") == "'quoted text"  # not a guarded formula
    assert csvio.neutralise(None) == ""


# values a spreadsheet could run once another program cuts them at a delimiter, and the
# exact cell the export writes for each
RESPLIT_CELLS = [
    ('foo;=HYPERLINK("http://x.example","y")', '"\'foo;=HYPERLINK(""http://x.example"",""y"")"'),
    ("x\t=1+1", '"\'x\t=1+1"'),
    ("a,=1+1", '"\'a,=1+1"'),
    ("a, @SUM(A1)", '"\'a, @SUM(A1)"'),
    ("first\n-2+3", '"\'first\n-2+3"'),
    ("first\r+2", '"\'first\r+2"'),
    ("a|=1", '"\'a|=1"'),
    (" =1+1", '"\' =1+1"'),
    ("=1+1", '"\'=1+1"'),
    ("'=1+1", "\"''=1+1\""),  # already starts with an apostrophe: one more, so it comes back
    ("Jones-Smith", "Jones-Smith"),  # no delimiter before the sign: left alone
    ("a; b", "a; b"),
    ("a, b", '"a, b"'),
]


def test_export_guards_formulas_after_a_delimiter_exact_text(tmp_path: Path) -> None:
    cols = [csvio.CsvColumn("v", "Value"), csvio.CsvColumn("n", "=Label")]
    out = tmp_path / "resplit.csv"
    with csvio.CsvExporter(out, cols, bom=False) as ex:
        ex.write([{"v": value, "n": str(i)} for i, (value, _cell) in enumerate(RESPLIT_CELLS)])
    expected = 'Value,"\'=Label"\r\n' + "".join(
        f"{cell},{i}\r\n" for i, (_value, cell) in enumerate(RESPLIT_CELLS)
    )
    assert out.read_bytes().decode("utf-8") == expected


def test_resplit_cells_round_trip_through_export_and_import(tmp_path: Path) -> None:
    cols = [csvio.CsvColumn(C_NAME, "Full Name"), csvio.CsvColumn(C_EMAIL, "E-mail")]
    records = [
        {C_NAME: value, C_EMAIL: f"r{i}@example.org"} for i, (value, _) in enumerate(RESPLIT_CELLS)
    ]
    out = tmp_path / "round.csv"
    with csvio.CsvExporter(out, cols) as ex:
        ex.write(records)
    table = csvio.read_csv(out)
    mapping = csvio.auto_map(table.headers, fields((C_NAME, "Full Name"), (C_EMAIL, "E-mail")))
    # by default the values come in exactly as the file has them: the guard stays
    kept = csvio.build_import_rows(table, mapping, [C_EMAIL])
    assert [r[C_NAME] for r in kept.rows] == [csvio.neutralise(value) for value, _ in RESPLIT_CELLS]
    assert kept.rows[8][C_NAME] == "'=1+1"
    # the rep says the file is our own export: the guard comes off, the values are back
    undone = csvio.build_import_rows(table, mapping, [C_EMAIL], undo_formula_guard=True)
    assert [r[C_NAME] for r in undone.rows] == [value for value, _ in RESPLIT_CELLS]


def test_import_keeps_an_apostrophe_it_did_not_put_there() -> None:
    table = csvio.parse_csv_text("Full Name,Title\nAna,'=1+1\nBo,'+1 555\n")
    rows = csvio.build_import_rows(table, [C_NAME, C_TITLE], [])
    assert [r[C_TITLE] for r in rows.rows] == ["'=1+1", "'+1 555"]


def test_reads_bom_semicolons_and_windows_encoding(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes("\ufeffName;E-mail\r\nJosé;jose@example.org\r\n;\r\n".encode())
    t = csvio.read_csv(p)
    assert (t.headers, t.rows, t.delimiter, t.encoding) == (
        ["Name", "E-mail"],
        [["José", "jose@example.org"]],
        ";",
        "utf-8-sig",
    )
    p.write_bytes("Name,City\nRenée,Zürich\n".encode("cp1252"))
    t = csvio.read_csv(p)
    assert t.rows == [["Renée", "Zürich"]]
    assert t.encoding == "cp1252"
    t = csvio.parse_csv_text('a\tb\n"x, y"\t"multi\nline"\n')
    assert t.rows == [["x, y", "multi\nline"]]


def test_auto_map_matches_labels_case_insensitively() -> None:
    catalogue = fields(
        (C_NAME, "Full Name"), (C_EMAIL, "E-mail"), (C_COMPANY, "Company"), (C_PHONE, "Phone")
    )
    got = csvio.auto_map(["full name", "EMAIL", "Company ", "Fax", C_PHONE, "company"], catalogue)
    assert got == [C_NAME, C_EMAIL, C_COMPANY, None, C_PHONE, None]  # each field used once


def test_build_rows_previews_what_is_sent() -> None:
    table = csvio.parse_csv_text("Name,E-mail,Phone,Skip\nAna,ana@x.org,'+1 555,zzz\n,,,\nBo,,,\n")
    rows = csvio.build_import_rows(
        table, [C_NAME, C_EMAIL, C_PHONE, None], [C_EMAIL], undo_formula_guard=True
    )
    assert rows.rows == [
        {C_NAME: "Ana", C_EMAIL: "ana@x.org", C_PHONE: "+1 555", "_toMatch": [int(C_EMAIL)]},
        {C_NAME: "Bo", C_EMAIL: "", "_toMatch": [int(C_EMAIL)]},  # match field kept even when empty
    ]
    assert rows.lines == [2, 4]
    assert rows.skipped == []  # blank lines are dropped when reading
    assert [len(c) for c in csvio.chunked(list(range(450)), 200)] == [200, 200, 50]


def test_exporter_quotes_guards_and_writes_bom(tmp_path: Path) -> None:
    cols = [csvio.CsvColumn("a", "Name"), csvio.CsvColumn("b", "Note")]
    recs = [
        {"a": 'He said "hi", then left', "b": "two\nlines"},
        {"a": "=cmd|' /C calc'!A0", "b": "-12"},
    ]
    out = tmp_path / "x.csv"
    with csvio.CsvExporter(out, cols, bom=True) as ex:
        ex.write(recs)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "x.csv.part").exists()
    with out.open(encoding="utf-8-sig", newline="") as fh:
        back = list(csv.reader(fh))
    assert back[0] == ["Name", "Note"]
    assert back[1] == ['He said "hi", then left', "two\nlines"]
    assert back[2] == ["'=cmd|' /C calc'!A0", "'-12"]
    with csvio.CsvExporter(out, cols, bom=False) as ex:
        ex.write(recs[:1])
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.asyncio
async def test_import_rows_in_chunks_reports_lines(
    sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(sandbox)
    text = "Full Name,E-mail,Record Manager\n"
    for i in range(5):
        text += f"Chunky {i},chunky{i}@example.org,\n"
    text += "Bad Owner,bad.owner@example.org,not-a-guid\n"
    table = csvio.parse_csv_text(text)
    rows = csvio.build_import_rows(table, [C_NAME, C_EMAIL, C_OWNER], [C_EMAIL])
    seen: list[int] = []
    report = await csvio.import_rows(
        svc.writes,
        rows,
        create_if_not_updated=True,
        chunk_size=2,
        progress=lambda r: seen.append(r.rows_done),
    )
    assert (report.created, report.updated, report.chunks_done) == (5, 0, 3)
    assert [line for line, _ in report.failed] == [7]
    assert seen == [2, 4, 6]
    # again: everything matches by e-mail, nothing is created
    again = await csvio.import_rows(svc.writes, rows, create_if_not_updated=True, chunk_size=4)
    assert (again.created, again.updated, len(again.failed)) == (0, 5, 1)


@pytest.mark.asyncio
async def test_import_cancel_takes_back_unsent_chunks(
    sandbox: Any, open_services: OpenServices
) -> None:
    svc = await open_services(sandbox)
    table = csvio.parse_csv_text(
        "Full Name,E-mail\n" + "".join(f"Cancel {i},cancel{i}@example.org\n" for i in range(6))
    )
    rows = csvio.build_import_rows(table, [C_NAME, C_EMAIL], [C_EMAIL])
    svc.connectivity.set_work_offline(True)  # nothing is sent: the first chunk waits
    cancel = asyncio.Event()
    task = asyncio.ensure_future(
        csvio.import_rows(svc.writes, rows, create_if_not_updated=True, chunk_size=2, cancel=cancel)
    )
    await when(
        svc.writes.status_changed,
        lambda: svc.writes.status.pending,
        what="the first chunk to be queued",
    )
    cancel.set()
    report = await asyncio.wait_for(task, 10)
    assert report.cancelled
    assert report.chunks_done == 0
    assert svc.writes.status.pending == 0  # the queued chunk was taken back
    # offline without waiting: every chunk is queued
    queued = await csvio.import_rows(
        svc.writes, rows, create_if_not_updated=True, chunk_size=4, wait=False
    )
    assert len(queued.queued_ops) == 2
    assert svc.writes.status.pending == 2


@pytest.mark.asyncio
async def test_export_pages_writes_every_page(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    schema = svc.schema.current
    cols = csvio.export_columns(schema, "contact")
    assert cols[0].label == "Full Name"
    assert any(c.key == C_EMAIL for c in cols)
    out = tmp_path / "all.csv"
    progress: list[tuple[int, int]] = []

    async def fetch(start: int, size: int) -> Any:
        return await svc.browse.fetch_page("contact", "", start, size)

    n = await csvio.export_pages(
        fetch, out, cols, page_size=120, progress=lambda d, t: progress.append((d, t))
    )
    total = (await svc.client.get_contacts(page_size=0)).total
    assert n == total
    assert progress[-1] == (total, total)
    assert len(progress) == -(-total // 120)
    table = csvio.read_csv(out)
    assert len(table.rows) == total
    assert table.headers == [c.label for c in cols]
    cancel = asyncio.Event()
    cancel.set()
    with pytest.raises(csvio.ExportCancelled):
        await csvio.export_pages(fetch, tmp_path / "no.csv", cols, cancel=cancel)
    assert not (tmp_path / "no.csv").exists()


def test_rows_without_values_are_reported() -> None:
    table = csvio.parse_csv_text("Name,Skip\nAna,x\n,only skipped column\n")
    rows = csvio.build_import_rows(table, [C_NAME, None], [])
    assert rows.rows == [{C_NAME: "Ana"}]
    assert rows.skipped == [(3, "The row is empty.")]


@pytest.mark.asyncio
async def test_formula_cells_round_trip_through_the_server(
    sandbox: Any, open_services: OpenServices, tmp_path: Path
) -> None:
    svc = await open_services(sandbox)
    email = "resplit.guard@example.org"
    title = 'foo;=HYPERLINK("http://x.example","y")'
    created = await svc.client.create_contact(
        contact_field_data={C_NAME: "Tab\t=1+1 Person", C_TITLE: title, C_EMAIL: email}
    )
    cols = csvio.export_columns(svc.schema.current, "contact")

    async def fetch(start: int, size: int) -> Any:
        return await svc.browse.fetch_page("contact", email, start, size)

    out = tmp_path / "guarded.csv"
    assert await csvio.export_pages(fetch, out, cols) == 1
    text = out.read_bytes().decode("utf-8-sig")
    assert '"\'foo;=HYPERLINK(""http://x.example"",""y"")"' in text
    assert '"\'Tab\t=1+1 Person"' in text
    table = csvio.read_csv(out)
    mapping = csvio.auto_map(table.headers, svc.schema.current.table_fields("Contact"))
    mapping = [m if m in (C_NAME, C_TITLE, C_EMAIL) else None for m in mapping]

    async def import_and_read(undo: bool) -> dict[str, str]:
        rows = csvio.build_import_rows(table, mapping, [C_EMAIL], undo_formula_guard=undo)
        report = await csvio.import_rows(svc.writes, rows, create_if_not_updated=False)
        assert (report.created, report.updated, report.failed) == (0, 1, [])
        return (await svc.client.get_contact_info(created.id)).field_data

    back = await import_and_read(True)  # our own export, guard taken off: unchanged
    assert (back[C_NAME], back[C_TITLE]) == ("Tab\t=1+1 Person", title)
    kept = await import_and_read(False)  # by default the file's text is sent as it is
    assert (kept[C_NAME], kept[C_TITLE]) == ("'Tab\t=1+1 Person", "'" + title)
