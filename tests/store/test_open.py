"""Opening the store: paths, file modes, pragmas, schema, migration, damage recovery, wipe."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from support.fields import C_NAME, G_NAME
from support.records import BASE_URL, CONTACT_ROLES, EMAIL, GROUP_ROLES, contact

from snx_desktop.store import (
    SCHEMA_VERSION,
    V1_DDL,
    Store,
    StoreUnavailable,
    account_dir,
    check_database,
    default_profile_dir,
    identity_from_token,
    wipe_account,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_store_has_current_schema_and_pragmas(store: Store) -> None:
    assert store.schema_version == SCHEMA_VERSION >= 2
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("foreign_keys") == 1
    assert store.pragma("synchronous") == 1  # NORMAL
    assert int(str(store.pragma("busy_timeout"))) >= 1000
    assert store.integrity_check() == []
    tables = {
        r[0]
        for r in sqlite3.connect(store.path).execute("SELECT name FROM sqlite_master").fetchall()
    }
    assert {"records", "lists", "list_chunks", "outbox", "contact_fts", "documents"} <= tables
    assert "list_items" not in tables  # v1 rows, moved into chunks by v3
    assert "records_with_temp_ids" in tables  # v3


def test_files_are_private(store: Store, profile: Path) -> None:
    store.cache.put_record("contact", "c1", contact("Ann Lee"))
    for suffix in ("", "-wal", "-shm"):
        path = store.path.with_name(store.path.name + suffix)
        assert path.exists(), path
        assert _mode(path) == 0o600, (path, oct(_mode(path)))
    assert _mode(store.dir) == 0o700
    assert _mode(store.dir.parent) == 0o700
    assert _mode(profile) == 0o700
    staged = store.outbox.stage_upload(_file(profile.parent / "x.txt", b"hello"))
    assert _mode(staged) == 0o600
    assert _mode(store.outbox.folder) == 0o700
    doc = store.documents.put_bytes("d1", b"abc")
    assert _mode(doc) == 0o600


def _file(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_account_folder_name_is_safe_and_keeps_no_token(tmp_path: Path) -> None:
    token = "SECRET-TOKEN-1234567890abcdef"
    ident = identity_from_token(token)
    assert token not in ident
    folder = account_dir("https://Api.SalesNexus.com:8443/", ident, tmp_path)
    assert token not in str(folder)
    assert folder.parent == tmp_path / "accounts"
    assert folder.name.startswith("api.salesnexus.com_8443-")
    assert all(ch.isalnum() or ch in "._-" for ch in folder.name)
    # one folder per (server, account); spelling of the URL and e-mail case do not matter
    assert account_dir("https://api.salesnexus.com:8443", ident, tmp_path) == folder
    assert account_dir(BASE_URL, "A@B.test", tmp_path) == account_dir(
        BASE_URL, "a@b.test", tmp_path
    )
    assert account_dir(BASE_URL, "a@b.test", tmp_path) != account_dir(
        BASE_URL, "c@b.test", tmp_path
    )
    assert account_dir("http://127.0.0.1:9000", "a@b.test", tmp_path) != account_dir(
        "http://127.0.0.1:9001", "a@b.test", tmp_path
    )
    assert default_profile_dir().name == "snx-desktop"


def test_account_identity_kept_but_no_secret_columns(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"base_url": "https://crm.example.test/api", "identity": EMAIL}
    columns = " ".join(
        r[0].lower()
        for t in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for r in conn.execute(f"SELECT name FROM pragma_table_info('{t[0]}')").fetchall()
    )
    for word in ("token", "password", "secret", "base64"):
        assert word not in columns


def _make_v1(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.execute(
        "INSERT INTO records(kind, id, data, fetched_at) VALUES ('contact', 'c1', ?, 100.0)",
        (json.dumps(contact("Zoë Ångström", "Fjord AB", "zoe@fjord.se", "+46 8 555 0101")),),
    )
    conn.execute(
        "INSERT INTO records(kind, id, data, fetched_at) VALUES ('group', 'g1', ?, 100.0)",
        (json.dumps({G_NAME: "Nordic leads"}),),
    )
    conn.execute(
        "INSERT INTO lists(list_id, kind, filter, total, fetched_at) "
        "VALUES (1, 'contact', '', 1, 100.0)"
    )
    conn.execute("INSERT INTO list_items VALUES (1, 0, 'c1', 100.0)")
    conn.execute(
        "INSERT INTO outbox(function, params, description, target_kind, target_id, state, "
        "created_at, updated_at) VALUES ('update-contact', ?, 'Rename', 'contact', 'c1', "
        "'queued', 1.0, 1.0)",
        (json.dumps({"contact-field-data": {C_NAME: "Zoe"}}),),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_v1_database_migrates_keeping_its_data(profile: Path) -> None:
    path = account_dir(BASE_URL, EMAIL, profile) / "store.sqlite3"
    _make_v1(path)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        assert store.schema_version == SCHEMA_VERSION == 4
        cached = store.cache.get_record("contact", "c1")
        assert cached is not None
        assert cached.value[C_NAME] == "Zoë Ångström"
        assert cached.fetched_at == 100.0
        page = store.cache.get_list_page("contact", "", 0, 10)
        assert page is not None
        assert page.ids == ["c1"]
        assert page.complete
        [op] = store.outbox.ops()
        assert op.function == "update-contact"
        assert op.params == {"contact-field-data": {C_NAME: "Zoe"}}
        assert op.depends_on == []
        assert op.conflicts == {}
        # migrated rows are searchable at once (all values, before roles are known) ...
        assert [h.record_id for h in store.search.search("contact", "angstrom").hits] == ["c1"]
        assert [h.record_id for h in store.search.search("group", "nord").hits] == ["g1"]
        # ... and by role once the roles are set and the index rebuilt
        assert store.search.set_roles(CONTACT_ROLES, GROUP_ROLES)
        assert list(store.search.reindex())[-1] == 2
        assert store.search.search("contact", "5550101").total == 1
        assert store.integrity_check() == []
    assert _mode(path) == 0o600


def _damage_pages(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xa5" * (size - 4096))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("garbage", "not-a-database"),
        ("pages", "integrity"),
        ("directory", "unreadable"),
        ("newer", "newer-schema"),
    ],
)
def test_damaged_database_is_moved_aside_and_rebuilt(
    profile: Path, damage: str, reason: str
) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.cache.put_records("contact", {f"c{i}": contact(f"Person {i}") for i in range(300)})
        store.outbox.append("create-note", {"details": "x"}, description="note")
        path = store.path
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    elif damage == "pages":
        _damage_pages(path)
    elif damage == "directory":
        path.unlink()
        path.mkdir()
    else:
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()

    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        assert store.notice.reason == reason
        assert "rebuilt" in store.notice.message
        assert store.notice.moved_to is not None
        assert store.notice.moved_to.exists()
        assert store.notice.moved_to.parent == store.dir / "corrupt"
        assert store.cache.count_records("contact") == 0
        assert store.outbox.counts().total == 0
        assert store.integrity_check() == []
        store.cache.put_record("contact", "n1", contact("New Person"))
        assert store.search.search("contact", "new").total == 1
        assert _mode(store.path) == 0o600
    # and the rebuilt store opens cleanly again
    with Store.open(BASE_URL, EMAIL, profile, check="full") as store:
        assert store.notice is None
        assert store.cache.count_records("contact") == 1


def test_queued_upload_files_are_kept_when_the_database_is_rebuilt(
    profile: Path, tmp_path: Path
) -> None:
    with Store.open(BASE_URL, EMAIL, profile) as store:
        staged = store.outbox.stage_upload(_file(tmp_path / "a.pdf", b"%PDF"))
        store.outbox.append(
            "add-doc-to-contact", {"file-name": "a.pdf"}, description="a", attachment=staged
        )
        path = store.path
    path.write_bytes(b"garbage" * 1000)
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is not None
        kept = list((store.dir / "corrupt").glob("outbox-*/*"))
        assert [p.read_bytes() for p in kept] == [b"%PDF"]


def test_integrity_check_reports_problems(store: Store) -> None:
    assert store.integrity_check(full=True) == []
    assert store.integrity_check(full=False) == []


def test_wipe_removes_everything(profile: Path, tmp_path: Path) -> None:
    store = Store.open(BASE_URL, EMAIL, profile)
    store.cache.put_record("contact", "c1", contact("Ann"))
    store.documents.put_bytes("d1", b"doc")
    store.outbox.stage_upload(_file(tmp_path / "f.txt", b"f"))
    folder = store.dir
    other = Store.open(BASE_URL, "other@example.test", profile)
    other.close()
    store.wipe()
    assert store.closed
    assert not folder.exists()
    assert other.dir.exists()  # other accounts are untouched
    wipe_account(BASE_URL, "other@example.test", profile)
    assert not other.dir.exists()
    wipe_account(BASE_URL, "nobody@example.test", profile)  # nothing there: no error


def test_close_is_idempotent_and_reopen_keeps_cache(profile: Path) -> None:
    store = Store.open(BASE_URL, EMAIL, profile)
    store.cache.put_catalog("fields", [{"unique-id": C_NAME, "label": "Full Name"}], fetched_at=5.0)
    store.close()
    store.close()
    with Store.open(BASE_URL, EMAIL, profile) as again:
        cached = again.cache.get_catalog("fields")
        assert cached is not None
        assert cached.value == [{"unique-id": C_NAME, "label": "Full Name"}]
        assert cached.fetched_at == 5.0


def test_detached_check_runs_in_a_worker_thread(profile: Path) -> None:
    import threading

    with Store.open(BASE_URL, EMAIL, profile, check="none") as store:
        store.cache.put_records("contact", {f"c{i}": contact(f"P {i}") for i in range(200)})
        found: list[list[str]] = []
        worker = threading.Thread(target=lambda: found.append(store.integrity_check_detached()))
        worker.start()
        worker.join()
        assert found == [[]]
        path = store.path
    _damage_pages(path)
    assert check_database(path, full=True) != []
    with Store.open(BASE_URL, EMAIL, profile, check="quick") as store:
        assert store.notice is not None


def test_locked_database_is_not_mistaken_for_damage(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import snx_desktop.store.db as db_module

    with Store.open(BASE_URL, EMAIL, profile) as store:
        store.cache.put_record("contact", "c1", contact("Ann"))
        path = store.path
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="in use"):
            Store.open(BASE_URL, EMAIL, profile, check="none")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Store.open(BASE_URL, EMAIL, profile) as store:
        assert store.notice is None
        assert store.cache.get_record("contact", "c1") is not None


def test_unusable_profile_folder_raises_store_unavailable(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "profile"
    not_a_folder.write_text("a file where the profile folder should be")
    with pytest.raises(StoreUnavailable):
        Store.open(BASE_URL, EMAIL, not_a_folder)
