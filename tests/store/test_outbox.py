"""The outbox: order, states, temp-id remapping, retry/discard/undo, staged uploads, counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.fields import C_CITY, C_COMPANY, C_NAME
from support.records import BASE_URL, EMAIL, contact

from snx_desktop.store import (
    FieldConflict,
    OpState,
    OutboxStateError,
    Store,
    is_temp_id,
    new_temp_id,
)


def test_append_keeps_order_and_everything_given(store: Store) -> None:
    made = [
        store.outbox.append(
            "update-contact",
            {"contact-field-data": {C_NAME: f"Name {i}"}, "match-by-field-data": {C_CITY: f"c{i}"}},
            description=f"Rename {i}",
            target=("contact", f"c{i}"),
            base={C_NAME: f"Old {i}"},
        )
        for i in range(5)
    ]
    ops = store.outbox.ops()
    assert [op.op_id for op in ops] == [op.op_id for op in made]
    assert ops == sorted(ops, key=lambda o: o.op_id)
    op = ops[2]
    assert op.function == "update-contact"
    assert op.params["contact-field-data"] == {C_NAME: "Name 2"}
    assert op.description == "Rename 2"
    assert (op.target_kind, op.target_id) == ("contact", "c2")
    assert op.base == {C_NAME: "Old 2"}
    assert op.state is OpState.QUEUED
    assert op.attempts == 0
    assert store.outbox.counts().queued == 5
    assert store.outbox.first() == ops[0]
    assert store.outbox.next_ready() == ops[0]


def test_state_transitions(store: Store) -> None:
    op = store.outbox.append("create-note", {"details": "x"}, description="Note")
    sending = store.outbox.mark_sending(op.op_id)
    assert sending.state is OpState.SENDING
    assert sending.attempts == 1
    assert store.outbox.next_ready() is None  # nothing else to send while it is in flight
    with pytest.raises(OutboxStateError):
        store.outbox.mark_sending(op.op_id)
    with pytest.raises(OutboxStateError):
        store.outbox.discard(op.op_id)
    unknown = store.outbox.mark_unknown(op.op_id, "connection dropped")
    assert unknown.state is OpState.UNKNOWN
    assert unknown.error == "connection dropped"
    assert store.outbox.next_ready() == unknown  # to be looked up, then resent or completed
    store.outbox.mark_sending(op.op_id)
    failed = store.outbox.mark_failed(op.op_id, "Contact not found", "NOT_FOUND")
    assert (failed.state, failed.error, failed.error_code) == (
        OpState.FAILED,
        "Contact not found",
        "NOT_FOUND",
    )
    assert store.outbox.counts().failed == 1
    assert store.outbox.next_ready() is None
    again = store.outbox.requeue(op.op_id)
    assert (again.state, again.error, again.error_code) == (OpState.QUEUED, None, None)
    store.outbox.mark_sending(op.op_id)
    store.outbox.mark_done(op.op_id)
    assert store.outbox.get(op.op_id) is None
    assert store.outbox.counts().total == 0
    with pytest.raises(OutboxStateError):
        store.outbox.mark_done(op.op_id)


def test_conflict_carries_fields_and_resolution(store: Store) -> None:
    op = store.outbox.append(
        "update-contact",
        {"contact-field-data": {C_NAME: "Mine", C_COMPANY: "Mine Co"}},
        description="Edit",
        target=("contact", "c1"),
        base={C_NAME: "Base", C_COMPANY: "Base Co"},
    )
    store.outbox.mark_sending(op.op_id)
    conflicts = {
        C_NAME: FieldConflict(base="Base", theirs="Theirs", mine="Mine"),
        C_COMPANY: FieldConflict(base="Base Co", theirs="Theirs Co", mine="Mine Co"),
    }
    held = store.outbox.mark_conflict(op.op_id, conflicts)
    assert held.state is OpState.CONFLICT
    assert held.conflicts == conflicts
    assert store.outbox.counts().conflict == 1
    # keep mine for the name, theirs for the company: the op now writes only the name, from the
    # server's values
    store.outbox.update(
        op.op_id, params={"contact-field-data": {C_NAME: "Mine"}}, base={C_NAME: "Theirs"}
    )
    resolved = store.outbox.requeue(op.op_id)
    assert resolved.state is OpState.QUEUED
    assert resolved.conflicts == {}
    assert resolved.params == {"contact-field-data": {C_NAME: "Mine"}}
    assert resolved.base == {C_NAME: "Theirs"}


def test_temp_ids_are_remapped_everywhere(store: Store) -> None:
    temp = new_temp_id()
    assert is_temp_id(temp)
    create = store.outbox.append(
        "create-contact",
        {"contact-field-data": {C_NAME: "New Person"}},
        description="Create",
        target=("contact", temp),
        temp_ids=[temp],
    )
    note = store.outbox.append(
        "create-note", {"contact-id": temp, "details": "hi"}, description="Note"
    )
    member = store.outbox.append(
        "add-contacts-to-group",
        {"group-id": "g1", "contact-ids": ["c0", temp, "c9"]},
        description="Member",
    )
    nested = store.outbox.append(
        "update-contact",
        {"match-by-field-data": {C_CITY: temp}, "contact-field-data": {C_COMPANY: "Acme"}},
        description="Edit",
        target=("contact", temp),
        base={C_COMPANY: ""},
    )
    store.outbox.append(
        "import-contacts",
        {"contacts": json.dumps([{C_CITY: temp, "_toMatch": [C_CITY]}]), "extra": {temp: [temp]}},
        description="Import",
    )
    other = store.outbox.append("create-note", {"contact-id": "c5"}, description="Other")
    assert note.depends_on == [create.op_id]
    assert member.depends_on == [create.op_id]
    assert nested.depends_on == [create.op_id]
    assert other.depends_on == []
    assert store.outbox.has_pending("contact", temp)

    # the cache holds the optimistic record under its temp id
    store.cache.put_record("contact", temp, contact("New Person"))
    store.cache.put_list_page("contact", "", 0, ["c0", temp], total=2)
    store.cache.add_child("contact", temp, "note", "n-local", {"contact-id": temp})

    store.outbox.mark_sending(create.op_id)
    real = "4f8b2a64-1c1e-4b9e-9d7e-0123456789ab"
    store.outbox.mark_done(create.op_id, id_map={temp: real})

    dumped = json.dumps([op.params for op in store.outbox.ops()])
    assert temp not in dumped
    got = {op.description: op for op in store.outbox.ops()}
    assert got["Note"].params == {"contact-id": real, "details": "hi"}
    assert got["Member"].params["contact-ids"] == ["c0", real, "c9"]
    assert got["Edit"].params["match-by-field-data"] == {C_CITY: real}
    assert got["Edit"].target_id == real
    assert json.loads(got["Import"].params["contacts"]) == [{C_CITY: real, "_toMatch": [C_CITY]}]
    assert got["Import"].params["extra"] == {real: [real]}
    assert store.outbox.pending_ids("contact") == {real}

    assert store.cache.get_record("contact", temp) is None
    assert store.cache.get_record("contact", real) is not None
    page = store.cache.get_list_page("contact", "", 0, 2)
    assert page is not None
    assert page.ids == ["c0", real]
    notes = store.cache.get_children("contact", real, "note")
    assert notes is not None
    assert notes.value == [("n-local", {"contact-id": real})]
    assert store.search.search("contact", "new person").hits[0].record_id == real
    assert store.cache.resolve_id(temp) == real

    # a write made later with the stale temp id still targets the real record
    late = store.outbox.append(
        "create-note", {"contact-id": temp}, description="Late", target=("contact", temp)
    )
    assert late.params == {"contact-id": real}
    assert late.target_id == real


def test_dependents_wait_for_their_creator(store: Store) -> None:
    temp = new_temp_id()
    create = store.outbox.append(
        "create-contact", {}, description="Create", target=("contact", temp), temp_ids=[temp]
    )
    note = store.outbox.append("create-note", {"contact-id": temp}, description="Note")
    independent = store.outbox.append("create-note", {"contact-id": "c1"}, description="Other")
    store.outbox.mark_sending(create.op_id)
    store.outbox.mark_failed(create.op_id, "bad", "INVALID_PARAMETER")
    # the note waits for its contact; the independent write goes on
    ready = store.outbox.next_ready()
    assert ready is not None
    assert ready.op_id == independent.op_id
    store.outbox.mark_sending(independent.op_id)
    store.outbox.mark_done(independent.op_id)
    assert store.outbox.next_ready() is None
    store.outbox.requeue(create.op_id)
    ready = store.outbox.next_ready()
    assert ready is not None
    assert ready.op_id == create.op_id
    store.outbox.mark_sending(create.op_id)
    store.outbox.mark_done(create.op_id, {temp: "real-1"})
    ready = store.outbox.next_ready()
    assert ready is not None
    assert ready.op_id == note.op_id
    assert ready.params == {"contact-id": "real-1"}


def test_same_record_edits_stay_in_order(store: Store) -> None:
    a = store.outbox.append("update-contact", {"v": 1}, description="a", target=("contact", "c1"))
    b = store.outbox.append("update-contact", {"v": 2}, description="b", target=("contact", "c1"))
    assert b.depends_on == [a.op_id]
    store.outbox.mark_sending(a.op_id)
    store.outbox.mark_failed(a.op_id, "server error", "SERVER_ERROR")
    assert store.outbox.next_ready() is None  # b must not overtake a


def test_discard_cascades_to_writes_that_need_the_record(store: Store, tmp_path: Path) -> None:
    temp = new_temp_id()
    src = tmp_path / "f.txt"
    src.write_bytes(b"data")
    create = store.outbox.append(
        "create-contact", {}, description="Create", target=("contact", temp), temp_ids=[temp]
    )
    staged = store.outbox.stage_upload(src)
    upload = store.outbox.append(
        "add-doc-to-contact",
        {"contact-id": temp, "file-name": "f.txt"},
        description="Upload",
        target=("contact", temp),
        attachment=staged,
    )
    other = store.outbox.append("create-note", {"contact-id": "c1"}, description="Other")
    removed = store.outbox.discard(create.op_id)
    assert [op.op_id for op in removed] == [create.op_id, upload.op_id]
    assert not staged.exists()
    assert [op.op_id for op in store.outbox.ops()] == [other.op_id]


def test_undo_only_before_sending(store: Store) -> None:
    op = store.outbox.append("create-note", {}, description="Note")
    sent = store.outbox.append("create-note", {}, description="Sent")
    store.outbox.mark_sending(sent.op_id)
    with pytest.raises(OutboxStateError):
        store.outbox.undo(sent.op_id)
    store.outbox.mark_failed(sent.op_id, "no")
    with pytest.raises(OutboxStateError):
        store.outbox.undo(sent.op_id)
    assert [o.op_id for o in store.outbox.undo(op.op_id)] == [op.op_id]
    with pytest.raises(OutboxStateError):
        store.outbox.undo(op.op_id)
    assert [o.op_id for o in store.outbox.discard(sent.op_id)] == [sent.op_id]


def test_upload_file_moves_into_document_cache_when_done(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "report.pdf"
    src.write_bytes(b"%PDF-1.7 contents")
    staged = store.outbox.stage_upload(src)
    assert staged.parent == store.outbox.folder
    assert staged.read_bytes() == src.read_bytes()
    op = store.outbox.append(
        "add-doc-to-contact",
        {"contact-id": "c1", "file-name": "report.pdf"},
        description="Upload report.pdf",
        target=("contact", "c1"),
        attachment=staged,
    )
    assert op.attachment == staged
    assert store.documents.total_bytes() == len(b"%PDF-1.7 contents")
    store.outbox.mark_sending(op.op_id)
    store.outbox.mark_done(op.op_id, document_id="doc-9")
    assert not staged.exists()
    cached = store.documents.get("doc-9")
    assert cached is not None
    assert cached.read_bytes() == b"%PDF-1.7 contents"
    info = store.documents.info("doc-9")
    assert info is not None
    assert info[0] == "report.pdf"


def test_sending_becomes_unknown_after_restart(profile: Path, tmp_path: Path) -> None:
    store = Store.open(BASE_URL, EMAIL, profile)
    a = store.outbox.append("create-contact", {}, description="A")
    b = store.outbox.append("create-note", {}, description="B")
    store.outbox.mark_sending(a.op_id)
    orphan = store.outbox.stage_upload(_write(tmp_path / "o.txt"))  # never appended
    store._db.close()  # as if the process died: no checkpoint, no cleanup
    with Store.open(BASE_URL, EMAIL, profile) as again:
        got_a = again.outbox.get(a.op_id)
        got_b = again.outbox.get(b.op_id)
        assert got_a is not None
        assert got_b is not None
        assert got_a.state is OpState.UNKNOWN
        assert got_a.error is not None
        assert got_b.state is OpState.QUEUED
        assert not orphan.exists()
        assert again.outbox.counts().unknown == 1


def _write(path: Path) -> Path:
    path.write_bytes(b"x")
    return path


def test_listeners_hear_committed_changes_only(store: Store) -> None:
    heard: list[int] = []
    unsubscribe = store.outbox.subscribe(lambda: heard.append(store.outbox.counts().total))
    op = store.outbox.append("create-note", {}, description="n")
    assert heard == [1]
    with store.transaction():
        store.outbox.mark_sending(op.op_id)
        store.outbox.mark_failed(op.op_id, "x")
        assert heard == [1]
    assert heard == [1, 1]  # once per commit

    def discard_then_fail() -> None:
        with store.transaction():
            store.outbox.discard(op.op_id)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        discard_then_fail()
    assert heard == [1, 1]
    unsubscribe()
    store.outbox.discard(op.op_id)
    assert heard == [1, 1]


def test_pending_marks(store: Store) -> None:
    store.outbox.append("update-contact", {}, description="x", target=("contact", "c1"))
    store.outbox.append("update-group", {}, description="y", target=("group", "g1"))
    assert store.outbox.pending_ids("contact") == {"c1"}
    assert store.outbox.has_pending("group", "g1")
    assert not store.outbox.has_pending("contact", "c2")


def test_staged_file_survives_a_rolled_back_discard(store: Store, tmp_path: Path) -> None:
    staged = store.outbox.stage_upload(_write(tmp_path / "keep.txt"))
    op = store.outbox.append("add-doc-to-contact", {}, description="up", attachment=staged)

    def discard_then_fail() -> None:
        with store.transaction():
            store.outbox.discard(op.op_id)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        discard_then_fail()
    assert staged.exists()
    assert store.outbox.get(op.op_id) is not None
    store.outbox.discard(op.op_id)
    assert not staged.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"login-token": "abc"},
        {"contacts": [{"password": "x"}]},
        {"nested": {"Base64-Data": "QUJD"}},
    ],
)
def test_secrets_are_never_journaled(store: Store, params: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="refusing"):
        store.outbox.append("add-doc-to-contact", params, description="x")
    assert store.outbox.counts().total == 0
    op = store.outbox.append("create-note", {"details": "ok"}, description="ok")
    with pytest.raises(ValueError, match="refusing"):
        store.outbox.update(op.op_id, params=params)
