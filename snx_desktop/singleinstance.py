"""One running app per user and profile: a second start hands its request to the first.

The first start listens on a local socket (:class:`QLocalServer`; a named pipe on Windows)
whose name is made from the user and the profile folder (:func:`server_name`), so two
profiles, or two users of one computer, each have their own app. A second start (a ``tel:``
link, ``--call``, or a plain start) connects, sends its request as one JSON line
(``{"calls": ["+14835552775"]}``), waits for ``ok`` and exits; the first comes to the front and
acts on it (:attr:`SingleInstance.requested`). A socket file left by a crash answers no
connection: it is removed (``QLocalServer.removeServer``) and listened on again. The socket
is for this user only (``UserAccessOption``).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, QObject, Signal

if TYPE_CHECKING:  # QtNetwork loads only when an app may be listening, or to listen
    from PySide6.QtNetwork import QLocalSocket

__all__ = [
    "HandOver",
    "SingleInstance",
    "hand_over",
    "maybe_running",
    "server_name",
    "socket_file",
]

log = logging.getLogger(__name__)

CONNECT_MS = 1000
ANSWER_MS = 15000  # the running app answers from its event loop, which may still be starting
_MAX_REQUEST = 64 * 1024


class HandOver(Enum):
    """What became of a request sent to a running app."""

    NONE_RUNNING = "none running"
    HANDED_OVER = "handed over"
    NO_ANSWER = "no answer"


def server_name(profile: Path | None) -> str:
    """The local socket's name for this user and profile folder."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        user = str(Path.home())
    where = str(profile.expanduser().resolve()) if profile is not None else ""
    digest = hashlib.sha256(f"{user}\0{where}".encode()).hexdigest()[:20]
    return f"snx-desktop-{digest}"


def socket_file(name: str) -> Path | None:
    """Where the socket of ``name`` is on this system (None on Windows: a named pipe)."""
    if sys.platform == "win32":
        return None
    return Path(QDir.tempPath()) / name


def maybe_running(name: str) -> bool:
    """Whether an app may be listening on ``name``: its socket file (a named pipe on Windows)
    exists. False spares the start the connection attempt and QtNetwork before its first
    window; True still has to be tried (the file of a crashed app stays behind)."""
    if sys.platform == "win32":
        return os.path.exists(rf"\\.\pipe\{name}")
    path = socket_file(name)
    return path is not None and path.exists()


def hand_over(name: str, request: dict[str, Any]) -> HandOver:
    """Send ``request`` to the app listening on ``name``, if one is."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return HandOver.NONE_RUNNING
    try:
        socket.write(json.dumps(request).encode("utf-8") + b"\n")
        socket.flush()
        answer = b""
        while b"\n" not in answer and socket.waitForReadyRead(ANSWER_MS):
            answer += bytes(socket.readAll().data())
        return HandOver.HANDED_OVER if answer.startswith(b"ok") else HandOver.NO_ANSWER
    finally:
        socket.abort()


class SingleInstance(QObject):
    """The running app's end: listens, and emits each request a second start sends."""

    requested = Signal(dict)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen, once no app answered on the name: a socket file left there by a crash is
        removed first. False when there is no listening (the app then runs on its own)."""
        leftover = socket_file(self.name)
        if leftover is not None and leftover.exists():
            log.info("a stale socket of an app that stopped is removed: %s", leftover)
            self._server.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("cannot listen for a second start: %s", self._server.errorString())
        return False

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        self._buffers[socket] = data
        if b"\n" not in data:
            if len(data) > _MAX_REQUEST:
                socket.abort()
            return
        line = data.split(b"\n", 1)[0]
        try:
            request = json.loads(line.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            log.warning("a second start sent a request that could not be read")
            socket.abort()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        if not request.get("probe"):
            log.info("a second start handed over: %d number(s)", len(request.get("calls") or []))
            self.requested.emit(request)
