"""A local SalesNexus-compatible ``call-v1`` server: Starlette + uvicorn + SQLite, with demo
data and fault injection. Used by ``snx-desktop --demo``, the integration tests and the
benchmarks. Shares no code with ``snx_desktop.api``."""

from __future__ import annotations

from .app import DroppedConnection, create_app
from .catalogue import DEMO_USER, USERS
from .config import Faults, SandboxConfig
from .server import SandboxHandle, start_in_thread

__all__ = [
    "DEMO_USER",
    "USERS",
    "DroppedConnection",
    "Faults",
    "SandboxConfig",
    "SandboxHandle",
    "create_app",
    "start_in_thread",
]
