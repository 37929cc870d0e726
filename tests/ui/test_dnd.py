"""dnd.py: drop and paste parsing over QMimeData, no widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from snx_desktop.dnd import SCAN_LIMIT, format_size, has_local_files, local_paths, parse_files


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
    assert drop.folders == [folder]  # empty: nothing to attach from it
    assert [(s.path, s.files) for s in drop.scans] == [(folder, 0)]
    assert drop.missing == [missing]
    assert drop.remote == ["https://example.com/x.pdf"]
    assert drop.total_size == 1500
    problems = drop.problems()
    assert "No files to attach in “folder”." in problems
    assert any("gone.doc" in p for p in problems)


def test_folders_are_walked_in_a_stable_order_without_hidden_items_or_linked_folders(
    tmp_path: Path,
) -> None:
    root = tmp_path / "Deal"
    (root / "b-sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("hidden folder")
    (root / ".env").write_text("hidden file")
    (root / "Zeta.txt").write_text("z")
    (root / "alpha.txt").write_text("a")
    (root / "b-sub" / "c.txt").write_text("c")
    (root / "b-sub" / "deeper" / "d.txt").write_text("d")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "not-mine.txt").write_text("x")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    (root / "linked-file.txt").symlink_to(outside / "not-mine.txt")
    (root / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    drop = parse_files(_mime(QUrl.fromLocalFile(str(root))))
    rel = [str(f.path.relative_to(root)) for f in drop.files]
    assert rel == ["alpha.txt", "b-sub/c.txt", "b-sub/deeper/d.txt", "linked-file.txt", "Zeta.txt"]
    assert [f.name for f in drop.files] == [
        "alpha.txt",
        "c.txt",
        "d.txt",
        "linked-file.txt",
        "Zeta.txt",
    ]
    assert all(f.folder == root for f in drop.files)
    assert drop.missing == [root / "broken.txt"]
    (scan,) = drop.scans
    assert scan.files == 6  # the broken link counts: it is reported
    assert scan.skipped == 3  # .git, .env, linked-folder
    assert not drop.truncated
    assert drop.problems() == ["Not found: broken.txt."]
    # the same answer every time
    again = parse_files(_mime(QUrl.fromLocalFile(str(root))))
    assert [f.path for f in again.files] == [f.path for f in drop.files]


def test_a_huge_folder_walk_stops_early(tmp_path: Path) -> None:
    root = tmp_path / "huge"
    root.mkdir()
    for i in range(SCAN_LIMIT + 5):
        (root / f"f{i:04d}.txt").write_bytes(b"x")
    drop = parse_files(_mime(QUrl.fromLocalFile(str(root))))
    assert drop.truncated
    assert len(drop.files) == SCAN_LIMIT + 1


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
