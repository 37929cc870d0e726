"""packaging/build.py loaded as a module, for the packaging tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_build_script() -> ModuleType:
    """``packaging/build.py`` (not a package: loaded from its file, as ``snx_packaging_build``)."""
    spec = importlib.util.spec_from_file_location(
        "snx_packaging_build", ROOT / "packaging/build.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
