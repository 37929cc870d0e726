"""The Qt binding must not lose references to Python's singletons.

PySide6-Essentials 6.12.0 returned borrowed references from ``SignalInstance.emit`` (to
``True``) and from C++ calls returning an empty QVariant (to ``None``): after a few thousand
calls Python 3.11 aborts ("bool_dealloc" / "none_dealloc"). pyproject.toml excludes that
release; this test catches a binding with the same defect, whatever its version. It runs in a
child process so that a defective binding cannot take the test run down with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import (
        QAbstractListModel, QCoreApplication, QModelIndex, QObject, Qt, Signal,
    )

    class Emitter(QObject):
        ping = Signal(int)

    class Empty(QAbstractListModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 1

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return None

    app = QCoreApplication([])
    emitter, model = Emitter(), Empty()
    index = model.index(0, 0)
    for _ in range(10):  # warm up caches
        emitter.ping.emit(1)
        index.data()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(100):
        emitter.ping.emit(1)
    for _ in range(100):
        index.data()
    print(sys.getrefcount(True) - true_before, sys.getrefcount(None) - none_before)
    """
)


def test_signal_emit_and_empty_variant_keep_singleton_references() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    true_delta, none_delta = (int(x) for x in done.stdout.split())
    # A defective binding loses one reference per call (-100); a sound one loses none.
    assert true_delta > -50, f"emit() lost {-true_delta} references to True"
    assert none_delta > -50, f"index.data() lost {-none_delta} references to None"
