"""installer.iss checked against the project, since Inno Setup's compiler does not run here.

A small reader of the Inno Setup script: the preprocessor subset the script uses
(``#define`` with string concatenation, ``#ifndef``/``#if FileExists``/``#else``/``#endif``,
``#include``, ``#error``, inline ``{#Name}``), then sections with ``Key=Value`` and
``Param: value; ...`` entries. The tests compare what it reads with ``pyproject.toml``, the
PyInstaller spec (bundle and program names, resource folder), the app's data folder and
settings key, and the pinned AppId.
"""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest
from support.build_script import ROOT, load_build_script

ISS = ROOT / "installer.iss"
SPEC = ROOT / "packaging" / "snx-desktop.spec"
PINNED_APP_ID = "{{D7B4F6A5-DF02-4A82-B55C-9BFEB1E7F8DA}"


# -- a reader for the Inno Setup script ----------------------------------------------------


class IssError(Exception):
    """The script uses something this reader does not understand, or says #error."""


@dataclass
class IssScript:
    defines: dict[str, str]
    setup: dict[str, str] = field(default_factory=dict)
    entries: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    code: str = ""
    includes: list[str] = field(default_factory=list)


_STRING = re.compile(r'"([^"]*)"')
_IDENT = re.compile(r"[A-Za-z_]\w*")


def _eval_expr(expr: str, defines: dict[str, str], source_dir: Path) -> str:
    """Evaluate ``"a" + Name + "b"`` and ``AddBackslash(SourcePath) + "x"``."""
    parts = [p.strip() for p in re.split(r"\+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", expr)]
    out = []
    for part in parts:
        if m := _STRING.fullmatch(part):
            out.append(m.group(1))
        elif part == "AddBackslash(SourcePath)":
            out.append(str(source_dir) + "\\")
        elif _IDENT.fullmatch(part) and part in defines:
            out.append(defines[part])
        else:
            raise IssError(f"cannot evaluate {part!r}")
    return "".join(out)


def _condition(line: str, defines: dict[str, str], source_dir: Path) -> bool:
    if m := re.fullmatch(r"#ifndef\s+(\w+)", line):
        return m.group(1) not in defines
    if m := re.fullmatch(r"#ifdef\s+(\w+)", line):
        return m.group(1) in defines
    if m := re.fullmatch(r"#if\s+FileExists\((.*)\)", line):
        return _win_path(_eval_expr(m.group(1), defines, source_dir)).is_file()
    raise IssError(f"unsupported condition {line!r}")


def _win_path(path: str) -> Path:
    """A path written the Windows way (``dist\\x``) as a local relative or absolute path."""
    return Path(path.replace("\\", "/"))


def _expand_inline(text: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines.get(m.group(1), m.group(0)), text)


def _preprocess(path: Path, defines: dict[str, str], includes: list[str]) -> list[str]:
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # (this branch active, parent active)
    source_dir = path.parent
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        active = all(a for a, _ in stack)
        if line.startswith(("#if", "#ifdef", "#ifndef")):
            stack.append((active and _condition(line, defines, source_dir), active))
            continue
        if line == "#else":
            branch, parent = stack.pop()
            stack.append((parent and not branch, parent))
            continue
        if line == "#endif":
            stack.pop()
            continue
        if not active:
            continue
        if m := re.fullmatch(r"#define\s+(\w+)\s+(.+)", line):
            defines[m.group(1)] = _eval_expr(m.group(2), defines, source_dir)
        elif m := re.fullmatch(r"#include\s+(.+)", line):
            target = _eval_expr(m.group(1), defines, source_dir)
            includes.append(target)
            out += _preprocess(source_dir / _win_path(target), defines, includes)
        elif line.startswith("#error"):
            raise IssError(line[len("#error") :].strip())
        elif line.startswith("#"):
            raise IssError(f"unsupported directive {line!r}")
        else:
            out.append(raw)
    if stack:
        raise IssError("unterminated #if")
    return out


def _split_params(line: str) -> dict[str, str]:
    """``Name: "a"; Flags: x y`` -> {"Name": "a", "Flags": "x y"} (quotes honoured)."""
    params: dict[str, str] = {}
    for m in re.finditer(r'\s*(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', line):
        value = m.group(2).strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('""', '"')
        params[m.group(1)] = value
    return params


def parse_iss(path: Path, predefined: dict[str, str] | None = None) -> IssScript:
    """Preprocess and read an Inno Setup script (the subset installer.iss uses)."""
    defines = dict(predefined or {})
    includes: list[str] = []
    lines = _preprocess(path, defines, includes)
    script = IssScript(defines=defines, includes=includes)
    section = ""
    code: list[str] = []
    for raw in lines:
        line = raw.strip()
        if m := re.fullmatch(r"\[(\w+)\]", line):
            section = m.group(1)
            script.entries.setdefault(section, [])
            continue
        if section == "Code":
            code.append(_expand_inline(raw, defines))
            continue
        if not line or line.startswith(";"):
            continue
        if not section:
            raise IssError(f"text outside a section: {line!r}")
        line = _expand_inline(line, defines)
        if section == "Setup":
            key, sep, value = line.partition("=")
            if not sep:
                raise IssError(f"bad [Setup] line {line!r}")
            script.setup[key.strip()] = value.strip()
        else:
            script.entries[section].append(_split_params(line))
    script.code = "\n".join(code)
    return script


# -- what the rest of the project says -------------------------------------------------------


def _pyproject() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


@dataclass
class SpecFacts:
    exe_name: str
    collect_name: str
    datas: list[tuple[str, str]]
    icon_paths: list[str]


def _spec_facts() -> SpecFacts:
    """Names and data folders the PyInstaller spec gives its bundle, read with ``ast``."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    constants: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            constants[node.targets[0].id] = node.value.value

    def value(node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        raise AssertionError(f"spec value not a known constant: {ast.dump(node)}")

    calls: dict[str, ast.Call] = {}
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name):
            calls.setdefault(sub.func.id, sub)
    names = {
        call: value(next(k.value for k in calls[call].keywords if k.arg == "name"))
        for call in ("EXE", "COLLECT")
    }
    datas_node = next(k.value for k in calls["Analysis"].keywords if k.arg == "datas")
    datas: list[tuple[str, str]] = []
    assert isinstance(datas_node, ast.List)
    for item in datas_node.elts:
        assert isinstance(item, ast.Tuple)
        src, dest = item.elts
        datas.append((ast.unparse(src), value(dest)))
    icon_paths = re.findall(
        r"['\"]resources['\"]\s*/\s*['\"]([^'\"]+)['\"]", ast.unparse(calls["EXE"])
    )
    return SpecFacts(names["EXE"], names["COLLECT"], datas, icon_paths)


@pytest.fixture(scope="module")
def version() -> str:
    return str(_pyproject()["project"]["version"])


@pytest.fixture(scope="module")
def iss(version: str) -> IssScript:
    """The script as ISCC sees it when CI passes /DAppVersion=<pyproject version>."""
    return parse_iss(ISS, {"AppVersion": version})


# -- the reader itself -----------------------------------------------------------------------


def test_reader_handles_the_preprocessor_subset(tmp_path: Path) -> None:
    (tmp_path / "inc.iss").write_text('#define FromInclude "yes"\n', encoding="utf-8")
    (tmp_path / "s.iss").write_text(
        "\n".join(
            [
                '#define A "x"',
                '#define B A + "\\y"',
                "#ifndef C",
                '  #if FileExists(AddBackslash(SourcePath) + "inc.iss")',
                '    #include "inc.iss"',
                "  #else",
                "    #error no include",
                "  #endif",
                "#endif",
                "[Setup]",
                "AppName={#B}",
                "[Files]",
                'Source: "{#A}\\*"; DestDir: "{app}"; Flags: a b',
                "[Code]",
                "begin end;",
            ]
        ),
        encoding="utf-8",
    )
    script = parse_iss(tmp_path / "s.iss")
    assert script.setup == {"AppName": "x\\y"}
    assert script.defines["FromInclude"] == "yes"
    assert script.entries["Files"] == [{"Source": "x\\*", "DestDir": "{app}", "Flags": "a b"}]
    assert script.code.strip() == "begin end;"


def test_installer_iss_refuses_to_build_without_a_version(tmp_path: Path) -> None:
    copy = tmp_path / "installer.iss"
    shutil.copy(ISS, copy)  # no /DAppVersion and no build\version.iss next to it
    with pytest.raises(IssError, match="AppVersion is not defined"):
        parse_iss(copy)


# -- installer.iss against the project --------------------------------------------------------


def test_required_setup_keys(iss: IssScript) -> None:
    required = {
        "AppId",
        "AppName",
        "AppVersion",
        "AppPublisher",
        "DefaultDirName",
        "PrivilegesRequired",
        "OutputDir",
        "OutputBaseFilename",
        "SetupIconFile",
        "UninstallDisplayIcon",
    }
    assert required <= iss.setup.keys()
    assert iss.setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in iss.setup  # per user, always
    assert iss.setup["DefaultDirName"].startswith("{autopf}\\")


def test_app_id_is_the_pinned_one(iss: IssScript) -> None:
    assert iss.setup["AppId"] == PINNED_APP_ID
    uuid.UUID(PINNED_APP_ID.strip("{}"))


def test_version_comes_from_pyproject(iss: IssScript, version: str) -> None:
    import snx_desktop

    assert iss.setup["AppVersion"] == version
    assert version in iss.setup["OutputBaseFilename"]
    assert snx_desktop.__version__ == version
    assert version not in ISS.read_text(encoding="utf-8"), "the version is typed in installer.iss"


def test_version_file_written_by_build_script_is_included(tmp_path: Path, version: str) -> None:
    build = load_build_script()
    include_rel = Path(build.VERSION_ISS).relative_to(ROOT)
    copy = tmp_path / "installer.iss"
    shutil.copy(ISS, copy)
    build.write_version_iss(tmp_path / include_rel)
    script = parse_iss(copy)  # as ``iscc installer.iss`` after ``python packaging/build.py``
    assert script.setup["AppVersion"] == version
    assert [_win_path(p) for p in script.includes] == [include_rel]


def test_names_agree_with_pyproject_spec_and_app(iss: IssScript) -> None:
    from snx_desktop import app

    project = _pyproject()["project"]
    facts = _spec_facts()
    assert project["name"] == facts.exe_name == facts.collect_name
    assert "snx-desktop" in project["gui-scripts"]
    assert project["gui-scripts"]["snx-desktop"] == "snx_desktop.__main__:main"
    assert iss.setup["AppName"] == app.APP_NAME
    assert iss.setup["AppPublisher"] == app.ORG_NAME
    assert iss.setup["UninstallDisplayIcon"] == f"{{app}}\\{facts.exe_name}.exe"


def test_files_come_from_the_bundle_layout(iss: IssScript) -> None:
    facts = _spec_facts()
    bundle = Path("dist") / facts.collect_name  # build.py runs PyInstaller with --distpath dist
    assert Path(load_build_script().bundle_dir()).relative_to(ROOT) == bundle
    sources = iss.entries["Files"]
    assert sources, "no [Files]"
    for entry in sources:
        source = _win_path(entry["Source"])
        assert entry["DestDir"] == "{app}"
        if source.name == "*":
            assert source.parent == bundle, f"{entry['Source']} is not the bundle folder"
            assert {"recursesubdirs", "createallsubdirs"} <= set(entry["Flags"].split())
        elif source.parts[: len(bundle.parts)] == bundle.parts:
            inside = source.relative_to(bundle)
            assert inside.parts[0] in {f"{facts.exe_name}.exe", "_internal"}, inside
        else:
            assert (ROOT / source).exists(), f"{entry['Source']} does not exist"
        if (ROOT / bundle).is_dir():  # built: the real files must be there too
            target = ROOT / (source.parent if source.name == "*" else source)
            assert target.exists(), f"{entry['Source']} missing from the built bundle"


def test_icons_point_at_the_program(iss: IssScript) -> None:
    exe = f"{{app}}\\{_spec_facts().exe_name}.exe"
    entries = iss.entries["Icons"]
    notices = [e for e in entries if e["Filename"] == "{app}\\THIRD-PARTY-NOTICES.txt"]
    assert [e["Name"] for e in notices] == [
        "{autoprograms}\\SalesNexus Desktop third-party notices"
    ]
    icons = [e for e in entries if e not in notices]
    assert {e["Name"] for e in icons} == {
        "{autoprograms}\\SalesNexus Desktop",
        "{autodesktop}\\SalesNexus Desktop",
    }
    assert all(e["Filename"] == exe for e in icons)
    desktop = next(e for e in icons if e["Name"].startswith("{autodesktop}"))
    assert desktop["Tasks"] == "desktopicon"
    tasks = {e["Name"]: e for e in iss.entries["Tasks"]}
    assert "unchecked" in tasks["desktopicon"]["Flags"].split()
    run = iss.entries["Run"]
    assert [e["Filename"] for e in run] == [exe]
    assert "skipifsilent" in run[0]["Flags"].split()


def test_icon_files_exist(iss: IssScript) -> None:
    icon = ROOT / _win_path(iss.setup["SetupIconFile"])
    assert icon.is_file()
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert [f"resources/{p}" for p in _spec_facts().icon_paths] == [
        _win_path(iss.setup["SetupIconFile"]).as_posix()
    ]


def test_spec_ships_the_resources_where_the_package_looks() -> None:
    from snx_desktop import resources

    facts = _spec_facts()
    dests = [dest for _src, dest in facts.datas]
    assert f"snx_desktop/{resources.DATA_DIR_NAME}" in dests


def test_uninstaller_offers_to_remove_the_apps_data(iss: IssScript, monkeypatch: Any) -> None:
    """The folder and registry key the uninstaller removes are the ones the app writes."""
    import platformdirs.windows

    from snx_desktop import app
    from snx_desktop.store import paths

    code = iss.code
    assert "procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);" in code
    assert "usPostUninstall" in code
    assert "SuppressibleMsgBox(" in code
    assert "MB_YESNO" in code
    assert "IDNO)" in code  # default answer: keep the data (also in silent uninstalls)
    m = re.search(r"ExpandConstant\('\{localappdata\}\\([^']+)'\)", code)
    assert m is not None, "data folder not found in [Code]"
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda _csidl: "C:\\Local")
    expected = platformdirs.windows.Windows(paths.APP_DIR_NAME, appauthor=False).user_data_dir
    assert PureWindowsPath("C:\\Local", m.group(1)) == PureWindowsPath(expected)
    assert paths.default_profile_dir() == Path(
        platformdirs.user_data_dir(paths.APP_DIR_NAME, appauthor=False)
    )
    assert f"RegDeleteKeyIncludingSubkeys(HKCU, 'Software\\{app.ORG_NAME}\\{app.APP_NAME}')" in code


def test_upgrade_clears_the_previous_bundle(iss: IssScript) -> None:
    deleted = [e["Name"] for e in iss.entries["InstallDelete"]]
    assert "{app}\\_internal" in deleted


def test_tel_links_open_the_program_with_the_link(iss: IssScript) -> None:
    exe = f"{{app}}\\{_spec_facts().exe_name}.exe"
    values = {
        (e["Root"], e["Subkey"], e["ValueName"]): e["ValueData"] for e in iss.entries["Registry"]
    }
    assert values[("HKA", "Software\\Classes\\tel", "URL Protocol")] == ""
    command = values[("HKA", "Software\\Classes\\tel\\shell\\open\\command", "")]
    assert command == f'"{exe}" "%1"'
    prog_id = values[("HKA", iss.defines["CapabilitiesKey"] + "\\URLAssociations", "tel")]
    assert values[("HKA", f"Software\\Classes\\{prog_id}\\shell\\open\\command", "")] == command
    registered = values[("HKA", "Software\\RegisteredApplications", iss.defines["AppName"])]
    assert registered == iss.defines["CapabilitiesKey"]
