"""Build the PyInstaller bundle of SalesNexus Desktop and smoke-test the frozen program.

    python packaging/build.py                  # build dist/snx-desktop/, smoke-test, print figures
    python packaging/build.py --skip-build     # smoke-test the bundle already in dist/
    python packaging/build.py --smoke-only --exe PATH   # smoke-test any installed copy
    python packaging/build.py --print-version  # the version from pyproject.toml, for ISCC /D

Steps: write ``build/version.iss`` (the version for ``installer.iss``, read from
``pyproject.toml`` so it is typed once), run PyInstaller on ``packaging/snx-desktop.spec``,
write the third-party notices into the bundle, add the desktop entry and icon theme under
``share/`` (Linux), check the bundle's layout,
then start ``snx-desktop --smoke-test`` from the bundle on the
offscreen platform with a temporary ``--profile``. The build fails when the program exits
non-zero, hangs, or writes anything to stderr beyond a short list of known harmless lines.

Figures, one ``name: value unit`` line each: the bundle's size, and the start-to-exit time of
the frozen smoke test next to ``python -m snx_desktop --smoke-test`` measured in the same run
(median of ``--runs`` runs each).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "snx-desktop.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
VERSION_ISS = ROOT / "build" / "version.iss"
RESOURCES = ROOT / "resources"
IS_LINUX = sys.platform.startswith("linux")
APP_NAME = "snx-desktop"
SMOKE_TIMEOUT_S = 90.0

#: stderr lines that do not fail the smoke test (matched anywhere in the line).
HARMLESS_STDERR = [
    # the offscreen platform has no window manager; Qt says so for some window calls
    re.compile(r"This plugin does not support \w+\(\)"),
    # no session bus or runtime dir on a bare CI machine
    re.compile(r"QStandardPaths: (XDG_RUNTIME_DIR not set|wrong permissions on runtime directory)"),
    re.compile(r"QStandardPaths: runtime directory '.*' is not owned by UID"),
]


def project_version() -> str:
    """The version in ``pyproject.toml`` (the only place it is written)."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def bundle_dir(dist: Path = DIST) -> Path:
    """The onedir bundle the spec produces."""
    return dist / APP_NAME


def exe_path(dist: Path = DIST) -> Path:
    """The program inside the bundle."""
    suffix = ".exe" if sys.platform == "win32" else ""
    return bundle_dir(dist) / f"{APP_NAME}{suffix}"


def write_version_iss(path: Path = VERSION_ISS) -> Path:
    """Write ``#define AppVersion "x.y.z"`` for ``installer.iss``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "; Written by packaging/build.py from pyproject.toml. Do not edit.\n"
        f'#define AppVersion "{project_version()}"\n',
        encoding="utf-8",
    )
    return path


def run_pyinstaller(entry: str | None, clean: bool) -> None:
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
    ]
    if clean:
        cmd.append("--clean")
    cmd.append(str(SPEC))
    if entry:
        cmd += ["--", "--entry", str(Path(entry).resolve())]
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def add_desktop_files(bundle: Path) -> None:
    """Linux: put the desktop entry and the icon theme in ``share/`` next to the program, so
    ``cp -r share/. ~/.local/share/`` installs both."""
    share = bundle / "share"
    shutil.rmtree(share, ignore_errors=True)
    (share / "applications").mkdir(parents=True)
    shutil.copy2(RESOURCES / "snx-desktop.desktop", share / "applications")
    shutil.copytree(RESOURCES / "hicolor", share / "icons" / "hicolor")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(ROOT / "snx_desktop" / "resources_data" / "snx-desktop.svg", scalable)


def add_notices(bundle: Path) -> Path:
    """Write the third-party notices of the build's environment where the frozen app reads
    them (Help ▸ About) and, for the installer and whoever looks, beside the program."""
    sys.path.insert(0, str(ROOT))
    from snx_desktop import notices

    data = bundle / "_internal" / "snx_desktop" / "resources_data" / notices.NOTICES_FILE
    notices.write(data)
    shutil.copy2(data, bundle / notices.NOTICES_FILE)
    return data


def layout_problems(bundle: Path) -> list[str]:
    """What is missing from a built bundle (empty when the layout is right)."""
    problems: list[str] = []
    exe = bundle / (APP_NAME + (".exe" if sys.platform == "win32" else ""))
    if not exe.is_file():
        problems.append(f"missing program {exe.name}")
    internal = bundle / "_internal"
    data = internal / "snx_desktop" / "resources_data"
    source = ROOT / "snx_desktop" / "resources_data"
    for file in sorted(source.rglob("*")):
        if file.is_file() and not (data / file.relative_to(source)).is_file():
            problems.append(f"missing resource {file.relative_to(source).as_posix()}")
    # PySide6 wheels keep plugins in PySide6/Qt/plugins (Linux, macOS) or PySide6/plugins
    candidates = [internal / "PySide6" / "Qt" / "plugins", internal / "PySide6" / "plugins"]
    plugins = next((c for c in candidates if c.is_dir()), candidates[0])
    wanted = {
        "platforms": ["offscreen"] + (["windows"] if sys.platform == "win32" else ["xcb"]),
        "iconengines": ["svg"],
        "imageformats": ["svg"],
    }
    for folder, names in wanted.items():
        present = [p.name for p in (plugins / folder).glob("*")]
        for name in names:
            if not any(name in p for p in present):
                problems.append(f"missing Qt plugin {folder}/{name}")
    notices = "THIRD-PARTY-NOTICES.txt"
    for where in (bundle, data):
        if not (where / notices).is_file():
            problems.append(f"missing {(where / notices).relative_to(bundle).as_posix()}")
    if IS_LINUX:
        for rel in (
            "applications/snx-desktop.desktop",
            "icons/hicolor/256x256/apps/snx-desktop.png",
        ):
            if not (bundle / "share" / rel).is_file():
                problems.append(f"missing share/{rel}")
    for unwanted in ("QtQml", "QtQuick", "QtSql", "QtPdf"):
        if list(internal.glob(f"PySide6/{unwanted}.*")):
            problems.append(f"unused Qt module bundled: {unwanted}")
    return problems


def dir_size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1_000_000


def unexpected_stderr(stderr: str) -> list[str]:
    """Lines of ``stderr`` not covered by :data:`HARMLESS_STDERR`."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not any(p.search(line) for p in HARMLESS_STDERR)
    ]


def smoke_test(cmd: Sequence[str], label: str) -> float:
    """Run ``cmd --smoke-test`` once in a fresh profile; returns seconds; raises on failure."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="snx-build-smoke-") as profile:
        full = [*cmd, "--smoke-test", "--profile", profile]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                full,
                env=env,
                capture_output=True,
                text=True,
                timeout=SMOKE_TIMEOUT_S,
                cwd=profile,
            )
        except subprocess.TimeoutExpired as exc:
            raise SystemExit(f"{label}: smoke test hung for {SMOKE_TIMEOUT_S:.0f} s") from exc
        elapsed = time.perf_counter() - start
    noise = unexpected_stderr(proc.stderr or "")
    if proc.returncode != 0 or noise:
        sys.stderr.write(proc.stderr or "")
        reason = f"exit status {proc.returncode}" if proc.returncode else "unexpected stderr"
        raise SystemExit(f"{label}: smoke test failed ({reason}): {' '.join(full)}")
    return elapsed


def timed_runs(cmd: Sequence[str], label: str, runs: int) -> float:
    return statistics.median(smoke_test(cmd, label) for _ in range(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-build", action="store_true", help="use the bundle in dist/")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    parser.add_argument("--entry", help="build another entry script (for trying the bundle)")
    parser.add_argument("--runs", type=int, default=3, help="smoke-test runs to time (median)")
    parser.add_argument("--smoke-only", action="store_true", help="only smoke-test --exe")
    parser.add_argument("--exe", type=Path, help="program to smoke-test with --smoke-only")
    parser.add_argument("--print-version", action="store_true", help="print the version, exit")
    args = parser.parse_args(argv)

    if args.print_version:
        print(project_version())
        return 0
    if args.smoke_only:
        if args.exe is None:
            parser.error("--smoke-only needs --exe")
        seconds = smoke_test([str(args.exe)], str(args.exe))
        print(f"installed_smoke_test_time: {seconds:.2f} s")
        return 0

    write_version_iss()
    if not args.skip_build:
        started = time.perf_counter()
        shutil.rmtree(bundle_dir(), ignore_errors=True)
        run_pyinstaller(args.entry, args.clean)
        add_notices(bundle_dir())
        if IS_LINUX:
            add_desktop_files(bundle_dir())
        print(f"build_time: {time.perf_counter() - started:.1f} s")
    problems = layout_problems(bundle_dir())
    if problems:
        raise SystemExit("bundle layout is wrong:\n  " + "\n  ".join(problems))

    runs = max(1, args.runs)
    frozen = timed_runs([str(exe_path())], "frozen", runs)
    if args.entry:
        source = timed_runs([sys.executable, str(Path(args.entry).resolve())], "python", runs)
    else:
        source = timed_runs([sys.executable, "-m", "snx_desktop"], "python", runs)
    print(f"version: {project_version()}")
    print(f"bundle_size: {dir_size_mb(bundle_dir()):.1f} MB")
    print(f"frozen_smoke_test_time: {frozen:.2f} s")
    print(f"python_smoke_test_time: {source:.2f} s")
    print(f"frozen_vs_python_time_ratio: {frozen / source:.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
