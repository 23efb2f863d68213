#!/usr/bin/env bash
# Runs a Python script with the interpreter that has torch and torchvision (see find-python.sh).
set -euo pipefail
py="$("$(dirname "$0")/find-python.sh")"
exec "$py" "$@"
