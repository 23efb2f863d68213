#!/usr/bin/env bash
# Prints the first Python interpreter that can import torch and torchvision.
# On plain Debian that is `python3`; on some machines the python3 first on PATH is a separate
# interpreter without Debian's python3-torch, so /usr/bin/python3 is tried too.
# EDGEJOULE_PYTHON overrides the search.
set -uo pipefail
candidates=()
[[ -n "${EDGEJOULE_PYTHON:-}" ]] && candidates+=("$EDGEJOULE_PYTHON")
candidates+=(python3 /usr/bin/python3 python)
for py in "${candidates[@]}"; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import torch, torchvision' >/dev/null 2>&1; then
    command -v "$py"
    exit 0
  fi
done
echo "no Python interpreter with torch and torchvision found (tried: ${candidates[*]}); install python3-torch python3-torchvision or set EDGEJOULE_PYTHON" >&2
exit 2
