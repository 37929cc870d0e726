"""Cached document files: size cap, LRU eviction that spares queued uploads, cleanup."""

from __future__ import annotations

import os
from pathlib import Path

from support.records import BASE_URL, EMAIL

from snx_desktop.store import Store

KB = 1024


def test_downloads_round_trip_through_temp_file(store: Store) -> None:
    tmp = store.documents.temp_path("doc-1")
    tmp.write_bytes(b"streamed bytes")
    path = store.documents.commit("doc-1", tmp, "a.txt")
    assert not tmp.exists()
    assert store.documents.get("doc-1") == path
    assert path.read_bytes() == b"streamed bytes"
    assert "doc-1" not in path.name  # names are hashes of the id, whatever the id holds
    assert store.documents.get("doc-2") is None
    store.documents.remove("doc-1")
    assert store.documents.get("doc-1") is None
    assert not path.exists()


def test_lru_eviction_under_the_cap(store: Store) -> None:
    store.documents.cap_bytes = 30 * KB
    for name in ("a", "b", "c"):
        store.documents.put_bytes(name, b"x" * 10 * KB)
    assert store.documents.get("a") is not None  # a is now the most recently used
    store.documents.put_bytes("d", b"x" * 10 * KB)
    assert store.documents.get("b") is None  # the least recently used went
    assert {n for n in "acd" if store.documents.get(n) is not None} == set("acd")
    assert store.documents.total_bytes() <= 30 * KB


def test_eviction_never_touches_queued_uploads(store: Store, tmp_path: Path) -> None:
    store.documents.cap_bytes = 25 * KB
    src = tmp_path / "big.bin"
    src.write_bytes(b"u" * 20 * KB)
    staged = store.outbox.stage_upload(src)
    store.outbox.append(
        "add-doc-to-contact", {"contact-id": "c1"}, description="up", attachment=staged
    )
    store.documents.put_bytes("a", b"x" * 4 * KB)
    store.documents.put_bytes("b", b"x" * 4 * KB)  # over the cap: only downloads may go
    assert store.documents.get("a") is None
    assert store.documents.get("b") is not None  # the file just cached is kept
    assert staged.exists()
    assert staged.read_bytes() == src.read_bytes()
    store.documents.put_bytes("c", b"x" * 30 * KB)  # larger than the cap on its own
    assert store.documents.get("b") is None
    assert store.documents.get("c") is not None
    assert staged.exists()


def test_cleanup_on_open(profile: Path) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        kept = store.documents.put_bytes("keep", b"k")
        gone = store.documents.put_bytes("gone", b"g")
        partial = store.documents.temp_path("half")
        partial.write_bytes(b"half a download")
        stray = store.documents.folder / "stray"
        stray.write_bytes(b"?")
        os.unlink(gone)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.documents.get("keep") == kept
        assert store.documents.info("gone") is None
        assert not partial.exists()
        assert not stray.exists()
