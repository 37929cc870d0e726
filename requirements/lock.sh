#!/usr/bin/env bash
# Writes the lock files of requirements/ from pyproject.toml: every package pinned, with the
# hashes of all its files on PyPI, for every platform (Linux, Windows, macOS) and Python 3.11
# and up. Run it after changing a dependency, and to take newer releases:
#     pip install uv && bash requirements/lock.sh
#   app.txt    the desktop app alone               (pip install snx-desktop)
#   demo.txt   the app and its sandbox server      (pip install 'snx-desktop[sandbox]')
#   dev.txt    the app, the sandbox, test and build tools (.ci/setup)
#   build.txt  what builds the package itself (setuptools, wheel)
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_CUSTOM_COMPILE_COMMAND="bash requirements/lock.sh"
compile=(uv pip compile --quiet --universal --python-version 3.11 --generate-hashes)
"${compile[@]}" pyproject.toml -o requirements/app.txt
"${compile[@]}" pyproject.toml --extra sandbox -o requirements/demo.txt
"${compile[@]}" pyproject.toml --extra sandbox --extra test --extra dev -o requirements/dev.txt
"${compile[@]}" requirements/build.in -c requirements/dev.txt -o requirements/build.txt
