#!/usr/bin/env bash
# Creates the project-local virtual environment .venv (Debian's python3 with its venv module)
# and installs the pinned PyPI packages of scripts/python-requirements.txt into it; nothing goes
# into the system Python. Reuses .venv when everything pinned is already there (no network).
# Without PyPI (offline, an unsupported platform) it says so and exits 0: edgejoule then builds
# without the openvino engine, and 'edgejoule engines' says why.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${EDGEJOULE_VENV:-$here/.venv}"
req="$here/scripts/python-requirements.txt"
python=/usr/bin/python3  # Debian's, whatever python3 comes first on PATH

installed() {
  [[ -x "$venv/bin/python" ]] || return 1
  "$venv/bin/python" - "$req" <<'PY' 2>/dev/null
import sys, re
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if not line:
        continue
    name, want = re.split(r'==', line)
    if version(name.strip()) != want.strip():
        sys.exit(1)
PY
}

if installed; then
  exit 0
fi
echo "setup: creating $venv with the pinned PyPI packages ($(grep -vE '^\s*(#|$)' "$req" | sed 's/#.*//' | tr -s ' \n' ' '))"
if ! "$python" -m venv "$venv"; then
  echo "setup: warning: could not create $venv ($python -m venv failed): building without the openvino and onnxruntime engines" >&2
  exit 0
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"; then
  echo "setup: warning: could not install the PyPI packages into $venv (no PyPI here, or no wheel for this" \
       "platform): building without the openvino and onnxruntime engines; run 'make deps' again once PyPI is reachable" >&2
  exit 0
fi
