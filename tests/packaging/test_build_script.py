"""packaging/build.py: its stderr allow-list, its bundle layout check and the version file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from support.build_script import ROOT, load_build_script


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return load_build_script()


def test_known_harmless_stderr_is_allowed_and_the_rest_is_not(build: ModuleType) -> None:
    stderr = "\n".join(
        [
            "2026-01-01 10:00:00,000 WARNING qt: This plugin does not support propagateSizeHints()",
            "2026-01-01 10:00:00,001 WARNING qt: This plugin does not support raise()",
            "QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '/tmp/runtime-root'",
            "",
            "Traceback (most recent call last):",
            "[PYI-123:ERROR] Failed to execute script '__main__' due to unhandled exception!",
        ]
    )
    assert build.unexpected_stderr(stderr) == [
        "Traceback (most recent call last):",
        "[PYI-123:ERROR] Failed to execute script '__main__' due to unhandled exception!",
    ]
    assert build.unexpected_stderr("") == []


def test_layout_check_names_what_is_missing(build: ModuleType, tmp_path: Path) -> None:
    problems = build.layout_problems(tmp_path / "snx-desktop")
    assert any(p.startswith("missing program") for p in problems)
    assert "missing resource icons/sync.svg" in problems
    assert any(p.startswith("missing Qt plugin platforms/offscreen") for p in problems)


def test_built_bundle_has_the_expected_layout(build: ModuleType) -> None:
    bundle = build.bundle_dir()
    if not (bundle / "_internal").is_dir():
        pytest.skip("no bundle built (python packaging/build.py)")
    assert build.layout_problems(bundle) == []


def test_version_file_for_inno_setup(build: ModuleType, tmp_path: Path) -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    assert build.project_version() == version
    path = build.write_version_iss(tmp_path / "version.iss")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(";")]
    assert lines == [f'#define AppVersion "{version}"']
