"""Secrets audit: after a session with sign-in (a wrong password first), uploads, a download,
an expired session, a dropped connection and a refused write, the password and every login
token the server handed out (also base64- and URL-encoded) are nowhere on disk outside the
keyring (profile folder: store, WAL, documents, outbox, settings; the temp folder; the
QSettings file of the app) and nowhere in the logs (the log file included, written at debug
level) nor in the diagnostics text of Help ▸ Copy diagnostics. The server check's reports (in
the app and on the command line, with debug logging) hold no password and no token either.
Store files are 0600, folders 0700. TLS checks are on and cannot be switched off by a
parameter; the sandbox binds loopback by default; file names from the server cannot write
outside the chosen folder.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import io
import logging
import os
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.accounts import AUDIT_EMAIL, AUDIT_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD
from support.qtobjects import dispose
from support.signals import when
from support.waiting import until_blocking
from support.writequeue import queue_sent

from snx_desktop.api import SalesNexusClient
from snx_desktop.api.errors import InsecureURLError
from snx_desktop.sandbox import start_in_thread
from snx_desktop.services.uploads import DocumentFiles, UploadManager, safe_file_name

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

WRONG_PASSWORD = "Wrong-Audit-Pw-4hT8"


def encodings(secret: str) -> set[bytes]:
    raw = secret.encode()
    forms = {
        raw,
        base64.b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        urllib.parse.quote(secret, safe="").encode(),
        urllib.parse.quote_plus(secret).encode(),
        secret.encode("utf-16-le"),
    }
    return {f for f in forms if len(f) >= 6}


def scan(paths: list[Path], secrets: dict[str, str]) -> list[str]:
    """Every (file, secret name, form) where a form of a secret occurs."""
    hits = []
    forms = {name: encodings(value) for name, value in secrets.items()}
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for name, fs in forms.items():
                for form in fs:
                    if form in data:
                        hits.append(f"{path}: {name} as {form[:12]!r}")
    return hits


@pytest.mark.asyncio
@pytest.mark.timeout(120)
async def test_no_secret_on_disk_or_in_logs_after_a_full_session(
    audit_server: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    user_messages: list[Any],
) -> None:
    from PySide6.QtCore import QSettings, QStandardPaths

    from snx_desktop import diagnostics
    from snx_desktop.app import APP_NAME, ORG_NAME
    from snx_desktop.logfile import LogFile
    from snx_desktop.secrets import SecretStore, account_key, memory_keyring_class
    from snx_desktop.ui.accountflow import AccountFlow
    from snx_desktop.ui.mainwindow import MainWindow
    from snx_desktop.ui.signin import SignInRequest

    caplog.set_level(logging.DEBUG)
    server = audit_server
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    profile = tmp_path / "profile"  # created by the app
    files = tmp_path / "user-files"
    files.mkdir()
    log_file = LogFile.open(tmp_path / "logs", level=logging.DEBUG, crashes=False)
    diagnostics_text = ""

    QStandardPaths.setTestModeEnabled(True)
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG_NAME, APP_NAME)
    settings_file = Path(settings.fileName())
    keyring = memory_keyring_class()()
    window = MainWindow(settings=settings)
    window.show()
    ctrl = AccountFlow(
        window=window,
        settings=settings,
        profile=profile,
        on_quit=lambda _c: None,
        secrets=SecretStore(backend=keyring),
    )
    manager: UploadManager | None = None
    try:
        # a wrong password first, then the right one, remembered
        error = await ctrl.open_account(
            SignInRequest(server.base_url, AUDIT_EMAIL, WRONG_PASSWORD, remember=True)
        )
        assert error
        assert WRONG_PASSWORD not in error
        request = SignInRequest(server.base_url, AUDIT_EMAIL, AUDIT_PASSWORD, remember=True)
        assert await ctrl.open_account(request) is None
        svc = ctrl.services
        key = account_key(server.base_url, AUDIT_EMAIL)
        assert keyring.entries[("SalesNexus Desktop", key)] == AUDIT_PASSWORD  # the one place
        contacts = (await svc.browse.fetch_page("contact", "", 0, 10)).ids

        # uploads: through the write queue and through the upload manager
        doc = files / "audit-notes.txt"
        doc.write_text("quarterly figures\n" * 50, encoding="utf-8")
        ch = await svc.writes.upload_document(contacts[0], doc)
        assert (await svc.writes.wait(ch.op_id, 20)).ok
        manager = UploadManager.for_services(svc)
        pic = files / "audit-pic.bin"
        pic.write_bytes(os.urandom(300_000))
        [job] = manager.add(contacts[1], [pic])
        await manager.wait(job.job_id, 30)
        assert job.state.value == "done", job.error

        # a download (open a private copy, as "Open" does), and "Save as…"
        docs = await svc.client.get_docs_for_contact(contacts[0])
        record = {**docs.items[0].raw, "document-id": docs.items[0].document_id}
        doc_files = DocumentFiles(svc.client, svc.store)
        opened = await doc_files.open_copy(record)
        assert opened.read_bytes() == doc.read_bytes()
        saved = await doc_files.save_as(record, files / "saved-copy.txt")
        assert saved.exists()

        # errors: expired session (signed in again silently), dropped connections, refusals
        before = svc.client.token
        server.expire_tokens()
        await svc.writes.create_note(contacts[2], "after expiry")
        await queue_sent(svc.writes)
        assert svc.client.token != before
        server.faults.update({"drop_rate": 0.6})
        for _ in range(4):
            await svc.writes.create_note(contacts[3], "through drops")
        await queue_sent(svc.writes, 60)
        server.faults.clear()
        await svc.writes.create_note("0badc0de-0000-4000-8000-0000000000aa", "refused")
        await when(svc.writes.status_changed, lambda: svc.writes.status.failed == 1)
        empty = files / "empty.txt"
        empty.write_bytes(b"")
        [refused] = manager.add(contacts[1], [empty])
        assert refused.state.value == "failed"
        diagnostics_text = diagnostics.collect(svc, log_file)
    finally:
        if manager is not None:
            await manager.aclose()
        await ctrl.close()
        dispose(window)
        settings.sync()
        log_file.close()

    tokens = list(server.issued_tokens)
    assert len(tokens) >= 2  # the first sign-in and the one after the expiry
    secrets = {"password": AUDIT_PASSWORD, "wrong password": WRONG_PASSWORD}
    secrets.update({f"token {i}": t for i, t in enumerate(tokens)})
    # the scan finds what it looks for (a planted, encoded token)
    planted = tmp_path / "planted.bin"
    planted.write_bytes(b"x" + base64.urlsafe_b64encode(tokens[-1].encode()) + b"x")
    assert scan([planted], secrets)
    try:
        assert settings_file.exists()
        assert scan([profile, temp, settings_file, files / "saved-copy.txt"], secrets) == []
        assert scan([log_file.folder], secrets) == []
        # the log file and the diagnostics hold the session (the scans looked at something)
        written = log_file.path.read_text(encoding="utf-8")
        assert "sign-in failed" in written
        assert " DEBUG " in written
        assert f"Server: {server.base_url}" in diagnostics_text
        assert "Last 200 lines of the log:" in diagnostics_text
        log_text = caplog.text + "\n".join(m.text + m.detail for m in user_messages)
        log_text += diagnostics_text
        for name, value in secrets.items():
            for form in encodings(value):
                assert form.decode("latin-1") not in log_text, f"{name} in the logs"
        # the secrets did reach places on purpose: the store's folders are not empty
        assert any(profile.rglob("store.sqlite3"))
        assert any(p.name for p in profile.rglob("*") if p.parent.name == "documents")
    finally:
        settings_file.unlink(missing_ok=True)
        QStandardPaths.setTestModeEnabled(False)


@pytest.mark.asyncio
@pytest.mark.timeout(120)
async def test_server_check_reports_hold_no_secret(
    audit_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from snx_desktop.services.servercheck import check_server, check_session

    caplog.set_level(logging.DEBUG)
    url = audit_server.base_url
    wrong = await check_server(url, email=AUDIT_EMAIL, password=WRONG_PASSWORD)
    assert wrong.exit_code == 2
    signed_in = await check_server(url, email=AUDIT_EMAIL, password=AUDIT_PASSWORD)
    assert signed_in.exit_code == 0
    by_token = await check_server(url, token=audit_server.issued_tokens[-1])
    assert by_token.exit_code == 0
    async with SalesNexusClient(url) as client:
        await client.login(AUDIT_EMAIL, AUDIT_PASSWORD)
        session = await check_session(client)
    assert session.exit_code == 0
    texts = [r.text() for r in (wrong, signed_in, by_token, session)]

    # the command line, with debug logging, secrets from the environment; it keeps no file
    home = tmp_path / "home"
    home.mkdir()
    base_env = {k: v for k, v in os.environ.items() if k not in ("SNX_PASSWORD", "SNX_TOKEN")}
    base_env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TMPDIR=str(home))
    command = [sys.executable, "-m", "snx_desktop", "-v", "--check-server", url]
    runs = [
        (["--email", AUDIT_EMAIL], {"SNX_PASSWORD": AUDIT_PASSWORD}, 0),
        (["--email", AUDIT_EMAIL], {"SNX_PASSWORD": WRONG_PASSWORD}, 2),
        ([], {"SNX_TOKEN": audit_server.issued_tokens[-1]}, 0),
    ]
    for extra, env, status in runs:

        def run_cli(
            extra: list[str] = extra, env: dict[str, str] = env
        ) -> subprocess.CompletedProcess[str]:
            # a closure: the worker thread's debug log shows no argument (the env has secrets)
            return subprocess.run(
                command + extra,
                env={**base_env, **env},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=90,
            )

        done = await asyncio.to_thread(run_cli)
        assert done.returncode == status, done.stderr[-2000:]
        assert "Server check: " in done.stdout
        assert "DEBUG" in done.stderr  # the client's own logging was on
        texts += [done.stdout, done.stderr]
    assert [p for p in home.rglob("*") if p.is_file()] == []

    tokens = list(audit_server.issued_tokens)
    assert len(tokens) == 3  # one for each sign-in with the right password above
    secrets = {"password": AUDIT_PASSWORD, "wrong password": WRONG_PASSWORD}
    secrets.update({f"token {i}": t for i, t in enumerate(tokens)})
    everything = "\n".join([*texts, caplog.text])
    planted = f"x{tokens[-1]}x"
    assert any(f.decode("latin-1") in planted for f in encodings(tokens[-1]))  # the search works
    for name, value in secrets.items():
        for form in encodings(value):
            assert form.decode("latin-1") not in everything, f"{name} in a report or the logs"


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_store_files_are_0600_and_folders_0700(fresh_sandbox: Any, tmp_path: Path) -> None:
    from snx_desktop.services import AppServices

    profile = tmp_path / "new-profile"  # made by the app
    svc = await AppServices.open(
        fresh_sandbox.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=profile,
        probe_interval=(0.05, 0.5),
    )
    try:
        contacts = (await svc.browse.fetch_page("contact", "", 0, 5)).ids
        docs = await svc.client.get_docs_for_contact(contacts[0])
        doc = tmp_path / "a.txt"
        doc.write_text("hello")
        svc.connectivity.set_work_offline(True)
        await svc.writes.upload_document(contacts[0], doc)  # staged in outbox/
        await svc.writes.create_note(contacts[0], "offline note")
        files = DocumentFiles(svc.client, svc.store, open_dir=tmp_path / "open")
        svc.connectivity.set_work_offline(False)
        await when(svc.connectivity.changed, lambda: svc.connectivity.is_online, 10)
        for d in docs.items:  # demo documents, if this contact has any
            await files.fetch({**d.raw, "document-id": d.document_id})
        await queue_sent(svc.writes, 20)
        account = svc.store.dir
        names = {p.name for p in account.rglob("*")}
        assert "store.sqlite3-wal" in names  # WAL mode: the side files exist while open
        assert {"store.sqlite3-shm", "documents", "outbox"} <= names
        assert any((account / "documents").iterdir())  # the uploaded file, now cached
        offenders = []
        for path in [account, *account.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            want = 0o700 if path.is_dir() else 0o600
            if mode != want:
                offenders.append(f"{path.relative_to(profile)}: {oct(mode)}")
        for path in account.parents:
            if path == profile.parent:
                break
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                offenders.append(f"{path}: {oct(mode)} (a folder the app made)")
        assert offenders == []
    finally:
        await svc.aclose()


# --- TLS --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://salesnexus.example:80/api/call-v1",
        "http://10.1.2.3",
        "http://192.168.0.5:8765",
        "http://0.0.0.0:8765",
        "http://127.0.0.1.example.com",
        "http://localhost.example.com",
        "http://[fe80::1]",
        "http://[::ffff:7f00:1]",
        "ftp://example.com",
        "example.com",
    ],
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureURLError):
        SalesNexusClient(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:2", "http://127.5.6.7"]
)
def test_plain_http_to_this_machine_is_allowed(url: str) -> None:
    SalesNexusClient(url)


@pytest.mark.asyncio
async def test_https_verifies_certificates_and_host_names() -> None:
    async with SalesNexusClient("https://logon.salesnexus.example") as client:
        http = client.http
        assert http.follow_redirects is False  # a redirect cannot lead the token elsewhere
        pool = http._transport._pool  # type: ignore[attr-defined]
        ctx = pool._ssl_context
        assert isinstance(ctx, ssl.SSLContext)
        assert ctx.verify_mode == ssl.CERT_REQUIRED
        assert ctx.check_hostname is True
        assert ctx.minimum_version in (ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.TLSv1_2)
    # an extra CA bundle adds trust, it does not switch checks off
    cafile = Path(ssl.get_default_verify_paths().cafile or "")
    if cafile.is_file():
        async with SalesNexusClient("https://x.example", ca_bundle=cafile) as client:
            ctx = client.http._transport._pool._ssl_context  # type: ignore[attr-defined]
            assert ctx.verify_mode == ssl.CERT_REQUIRED
            assert ctx.check_hostname


def test_no_parameter_switches_certificate_checks_off() -> None:
    from snx_desktop.services import AppServices

    params = set(inspect.signature(SalesNexusClient.__init__).parameters)
    risky = {"verify", "insecure", "verify_ssl", "ssl_verify", "ssl", "ssl_context", "no_verify",
             "check_hostname", "cert_reqs", "trust_env"}  # fmt: skip
    assert params & risky == set()
    for name, p in inspect.signature(AppServices.open).parameters.items():
        assert name not in risky, name
        del p
    # the environment does not turn them off either
    os.environ["SSL_CERT_FILE"] = "/nonexistent"
    try:
        client = SalesNexusClient("https://x.example")
        ctx = client.http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert ctx.verify_mode == ssl.CERT_REQUIRED
    finally:
        del os.environ["SSL_CERT_FILE"]


@pytest.mark.asyncio
async def test_token_is_only_sent_to_the_server_origin() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"data")

    client = SalesNexusClient(
        "https://api.example", token="tok-secret-audit", transport=httpx.MockTransport(handler)
    )
    async with client:
        out = io.BytesIO()
        await client.download_document("https://api.example/documents/1", out)
        await client.download_document("https://elsewhere.example/documents/1", out)
        with pytest.raises(InsecureURLError):
            await client.download_document("http://elsewhere.example/documents/1", out)
    assert [r.url.host for r in seen] == ["api.example", "elsewhere.example"]
    assert "tok-secret-audit" in seen[0].headers.get("authorization", "")
    assert "authorization" not in seen[1].headers
    assert "tok-secret-audit" not in str(seen[1].url)


# --- the sandbox binds loopback -----------------------------------------------------------------


def _listening_address(port: int) -> list[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # LISTEN
                found.append(addr)
    return found


def test_sandbox_binds_loopback_by_default() -> None:
    from snx_desktop.sandbox import __main__ as cli

    assert inspect.signature(start_in_thread).parameters["host"].default == "127.0.0.1"
    assert cli.build_parser().parse_args([]).host == "127.0.0.1"
    handle = start_in_thread(contacts=5, seed=1)
    try:
        assert handle.host == "127.0.0.1"
        if Path("/proc/net/tcp").exists():
            assert _listening_address(handle.port) == ["0100007F"]  # 127.0.0.1
    finally:
        handle.stop()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net/tcp")
def test_sandbox_command_binds_loopback_by_default() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "snx_desktop.sandbox", "--port", str(port), "--contacts", "5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        until_blocking(
            lambda: _listening_address(port) or proc.poll() is not None, 30, "the sandbox to listen"
        )
        assert proc.poll() is None
        assert _listening_address(port) == ["0100007F"]
    finally:
        proc.terminate()
        proc.wait(10)


# --- file names from the server -----------------------------------------------------------------

HOSTILE_NAMES = [
    "../../x",
    "..\\..\\x",
    "/etc/passwd",
    "C:\\x",
    "C:x",
    "\\\\server\\share\\x.txt",
    "CON",
    "con.txt",
    "NUL.tar.gz",
    "COM1",
    "LPT9.doc",
    "",
    ".",
    "..",
    "...",
    " ",
    ". .",
    "a/../../b",
    "x\x00.txt",
    "\u202etxt.exe",
    "dir/",
    "~/.bashrc",
    ".bashrc",
    "a" * 5000,
    "é" * 300 + ".pdf",
    "name\n.txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_server_file_names_stay_inside_the_chosen_folder(name: str, tmp_path: Path) -> None:
    folder = tmp_path / "chosen"
    folder.mkdir()
    safe = safe_file_name(name)
    assert safe not in ("", ".", "..")
    assert "/" not in safe
    assert "\\" not in safe
    assert "\x00" not in safe
    assert not safe.startswith(".")
    assert len(safe.encode()) <= 255
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    target = folder / safe
    assert target.resolve().parent == folder.resolve()
    target.write_bytes(b"ok")  # creatable on this file system
    assert [p.name for p in folder.iterdir()] == [safe]


@pytest.mark.asyncio
async def test_open_copy_of_a_document_with_a_hostile_name_stays_in_its_folder(
    fresh_sandbox: Any, tmp_path: Path
) -> None:
    from snx_desktop.services import AppServices

    svc = await AppServices.open(
        fresh_sandbox.base_url,
        account=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        profile_dir=tmp_path / "p",
        probe_interval=(0.05, 0.5),
    )
    try:
        contacts = (await svc.browse.fetch_page("contact", "", 0, 5)).ids
        src = tmp_path / "payload.txt"
        src.write_text("payload")
        created = await svc.client.add_doc_to_contact(contacts[0], "payload.txt", src)
        doc = next(
            d
            for d in (await svc.client.get_docs_for_contact(contacts[0])).items
            if d.document_id == created.id
        )
        open_dir = tmp_path / "open"
        files = DocumentFiles(svc.client, svc.store, open_dir=open_dir)
        for i, name in enumerate(["../../../escaped.txt", "/tmp/abs.txt", "..", "CON"]):
            record = {**doc.raw, "document-id": doc.document_id, "file-name": name}
            if i:
                svc.store.documents.remove(doc.document_id)
            path = await files.open_copy(record)
            assert open_dir.resolve() in path.resolve().parents
            assert path.read_text() == "payload"
        assert not (tmp_path / "escaped.txt").exists()
        assert not list(tmp_path.parent.glob("escaped.txt"))
    finally:
        await svc.aclose()
