"""What a pip install brings: every package the code imports is declared (the sandbox's in the
``sandbox`` extra only), the lock files pin all of them with hashes and within the declared
ranges, the app runs and says what to install for ``--demo`` when the sandbox's packages are
missing, the wheel's metadata (SPDX licence, gui-script), and the frozen bundle leaves the
sandbox out."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from support.build_script import ROOT

PACKAGE = ROOT / "snx_desktop"
LOCKS = ROOT / "requirements"
SANDBOX_ONLY = {"starlette", "uvicorn"}


def _project() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project: dict[str, Any] = tomllib.load(fh)["project"]
    return project


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _imported_distributions(files: list[Path]) -> set[str]:
    """The distributions whose modules ``files`` import (the standard library left out)."""
    owners = importlib.metadata.packages_distributions()
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "snx_desktop":
                    continue
                assert top in owners, f"{path.relative_to(ROOT)} imports {top}: not installed"
                found.update(canonicalize_name(d) for d in owners[top])
    return found


def test_every_imported_package_is_declared() -> None:
    project = _project()
    base = _declared(project["dependencies"])
    sandbox = _declared(project["optional-dependencies"]["sandbox"])
    sandbox_files = list((PACKAGE / "sandbox").rglob("*.py"))
    app_files = [p for p in PACKAGE.rglob("*.py") if p not in sandbox_files]
    app_imports = _imported_distributions(app_files)
    assert {"certifi", "truststore", "httpx", "pyside6-essentials", "shiboken6"} <= app_imports
    assert app_imports - base == set()
    assert _imported_distributions(sandbox_files) - (base | sandbox) == set()
    # the desktop app alone does not bring the sandbox's server
    assert not base & SANDBOX_ONLY
    assert sandbox >= SANDBOX_ONLY | {"anyio"}


def test_uvicorn_is_held_to_the_minor_releases_whose_internals_the_sandbox_uses() -> None:
    [uvicorn] = [
        Requirement(r)
        for r in _project()["optional-dependencies"]["sandbox"]
        if r.startswith("uvicorn")
    ]
    assert "uvicorn.protocols.http.h11_impl" in (PACKAGE / "sandbox" / "server.py").read_text()
    upper = [s for s in uvicorn.specifier if s.operator == "<"]
    assert upper, "uvicorn needs an upper bound"
    assert Version(importlib.metadata.version("uvicorn")) in uvicorn.specifier


def _pins(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """Each package of a lock file: its pinned version and its hashes."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line):
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), [])
        elif match := re.match(r"^\s+--hash=sha256:([0-9a-f]{64})", line):
            pins[current][1].append(match.group(1))
        else:
            assert not line or line.lstrip().startswith("#") or line.startswith(" "), line
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"),
    [
        ("app.txt", []),
        ("demo.txt", ["sandbox"]),
        ("dev.txt", ["sandbox", "test", "dev"]),
    ],
)
def test_lock_files_pin_every_declared_package_with_hashes(lock: str, extras: list[str]) -> None:
    project = _project()
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    pins = _pins(LOCKS / lock)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        if name == "snx-desktop":
            continue  # an extra naming another extra
        assert name in pins, f"{requirement.name} is not in {lock}"
        version, _hashes = pins[name]
        assert Version(version) in requirement.specifier, f"{name}=={version} in {lock}"
    assert all(hashes for _version, hashes in pins.values())
    if "sandbox" not in extras:
        assert not SANDBOX_ONLY & set(pins)


def test_setup_installs_from_the_lock_files_with_hashes() -> None:
    setup = (ROOT / ".ci" / "setup").read_text(encoding="utf-8")
    assert "--require-hashes" in setup
    assert 'requirements/$MODE.txt"' in setup
    assert "--no-deps --no-build-isolation -e ." in setup
    assert "'.[dev]'" not in setup
    lock_script = (LOCKS / "lock.sh").read_text(encoding="utf-8")
    assert "--generate-hashes" in lock_script
    build = _pins(LOCKS / "build.txt")
    assert {"setuptools", "wheel"} <= set(build)
    dev = _pins(LOCKS / "dev.txt")
    assert all(dev[name][0] == build[name][0] for name in set(build) & set(dev))


_WITHOUT_SANDBOX = textwrap.dedent(
    """
    import importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        # as in an install without the `sandbox` extra
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("starlette", "uvicorn"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    from snx_desktop.__main__ import main
    raise SystemExit(main(sys.argv[1:]))
    """
)


def _without_sandbox(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_SANDBOX, *arguments],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_the_sandbox_the_app_runs_and_demo_says_what_to_install(tmp_path: Path) -> None:
    smoke = _without_sandbox("--smoke-test", "--profile", str(tmp_path / "profile"))
    assert smoke.returncode == 0, smoke.stderr
    demo = _without_sandbox("--demo", "--profile", str(tmp_path / "demo"))
    assert demo.returncode == 2
    assert "pip install 'snx-desktop[sandbox]'" in demo.stderr
    assert "starlette and uvicorn" in demo.stderr
    assert "Traceback" not in demo.stderr
    sandbox = _without_sandbox("--run-sandbox", "--port", "0")
    assert sandbox.returncode == 2
    assert "pip install 'snx-desktop[sandbox]'" in sandbox.stderr
    assert "Traceback" not in sandbox.stderr


def test_the_bundle_leaves_the_sandbox_out() -> None:
    spec = (ROOT / "packaging" / "snx-desktop.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)
    [excludes] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "EXCLUDES" for t in node.targets)
    ]
    assert isinstance(excludes, ast.List)
    names = {e.value for e in excludes.elts if isinstance(e, ast.Constant)}
    assert {"snx_desktop.sandbox", "starlette", "uvicorn"} <= names
    assert "anyio" not in names  # httpx needs it
    assert "h11" not in names  # httpx needs it


@pytest.mark.skipif(
    Version(importlib.metadata.version("setuptools")) < Version("77"),
    reason="building the wheel needs setuptools 77 (requirements/build.txt)",
)
def test_the_wheel_declares_the_licence_the_extra_and_the_gui_script(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    done = subprocess.run(
        [*pip, "--no-index", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [wheel] = tmp_path.glob("snx_desktop-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        meta = archive.read(metadata).decode()
        entries = archive.read(entry_points).decode()
    assert "License-Expression: LicenseRef-Proprietary" in meta
    requires = [
        line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Requires-Dist")
    ]
    base = [r for r in requires if "extra ==" not in r]
    assert not any(r.startswith(("starlette", "uvicorn")) for r in base)
    assert any(r.startswith("uvicorn") and 'extra == "sandbox"' in r for r in requires)
    assert "[gui_scripts]\nsnx-desktop = snx_desktop.__main__:main" in entries
    assert "snx-desktop-cli = snx_desktop.__main__:main" in entries
    assert "snx-sandbox = snx_desktop.demoserver:run_sandbox_command" in entries
