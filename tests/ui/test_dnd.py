"""dnd.py: drop and paste parsing over QMimeData, no widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from snx_desktop.dnd import format_size, has_local_files, local_paths, parse_files


def _mime(*urls: QUrl) -> QMimeData:
    mime = QMimeData()
    mime.setUrls(list(urls))
    return mime


def test_files_folders_missing_and_remote_are_sorted(tmp_path: Path) -> None:
    a = tmp_path / "a.pdf"
    a.write_bytes(b"x" * 1500)
    b = tmp_path / "empty.txt"
    b.write_bytes(b"")
    folder = tmp_path / "folder"
    folder.mkdir()
    missing = tmp_path / "gone.doc"
    mime = _mime(
        QUrl.fromLocalFile(str(a)),
        QUrl.fromLocalFile(str(b)),
        QUrl.fromLocalFile(str(a)),  # duplicate
        QUrl.fromLocalFile(str(folder)),
        QUrl.fromLocalFile(str(missing)),
        QUrl("https://example.com/x.pdf"),
    )
    assert has_local_files(mime)
    assert local_paths(mime) == [a, b, folder, missing]
    drop = parse_files(mime)
    assert [(f.name, f.size) for f in drop.files] == [("a.pdf", 1500), ("empty.txt", 0)]
    assert drop.folders == [folder]
    assert drop.missing == [missing]
    assert drop.remote == ["https://example.com/x.pdf"]
    assert drop.total_size == 1500
    problems = drop.problems()
    assert any("folder" in p for p in problems)
    assert any("gone.doc" in p for p in problems)


def test_gnome_clipboard_and_plain_text_urls(tmp_path: Path) -> None:
    f = tmp_path / "r é port.txt"
    f.write_text("hello")
    url = QUrl.fromLocalFile(str(f)).toString(QUrl.ComponentFormattingOption.FullyEncoded)
    gnome = QMimeData()
    gnome.setData("x-special/gnome-copied-files", f"copy\n{url}".encode())
    assert [x.path for x in parse_files(gnome).files] == [f]
    text = QMimeData()
    text.setText(url + "\n")
    assert [x.name for x in parse_files(text).files] == ["r é port.txt"]


def test_nothing_offered() -> None:
    plain = QMimeData()
    plain.setText("just words")
    assert not has_local_files(plain)
    assert parse_files(plain).empty
    assert parse_files(None).empty
    assert not has_local_files(None)


def test_format_size() -> None:
    assert format_size(0) == "0 bytes"
    assert format_size(1) == "1 byte"
    assert format_size(1536) == "1.5 KB"
    assert format_size(5 * 1024 * 1024) == "5.0 MB"
