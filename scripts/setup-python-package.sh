#!/usr/bin/env bash
# Builds the Python package (pyproject.toml: the C++ library bound with pybind11, built by
# scikit-build-core in build/python) and installs it into the project's .venv. Skips both when
# the installed package was built from the same sources (a hash of the files it is built from),
# so `make build` stays fast when nothing changed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${EDGEJOULE_VENV:-$here/.venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import scikit_build_core, pybind11" 2>/dev/null; then
  echo "setup: warning: $venv lacks scikit-build-core or pybind11 (no PyPI at set-up?): the Python package is not" \
       "installed; run 'make deps' again once PyPI is reachable" >&2
  exit 0
fi
cd "$here"
stamp="$venv/.edgejoule-package.sha256"
sources="$( { git ls-files -z -- src python cmake CMakeLists.txt pyproject.toml 2>/dev/null || true; } \
            | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$sources" ]] && "$venv/bin/python" -c "import edgejoule" 2>/dev/null; then
  exit 0
fi
echo "setup: building the Python package into $venv (build/python)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps "$here"
echo "$sources" > "$stamp"
