#!/usr/bin/env bash
# Installs the Debian packages edgejoule needs, and only those missing: when everything is
# present this makes no apt call at all, so `make demo` / `make test` stay fast and offline.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t wanted < <(grep -vE '^\s*(#|$)' "$here/debian-packages.txt" | awk '{print $1}')

missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

# npm ships with Node.js on some machines and as Debian's own package on others.
if ! command -v npm >/dev/null; then
  missing+=(npm)
fi

if ((${#missing[@]})); then
  echo "setup: installing missing Debian packages: ${missing[*]}"
  sudo_cmd=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null; then
      sudo_cmd=(sudo)
    else
      echo "setup: these packages are missing and this user cannot install them: ${missing[*]}" >&2
      echo "setup: run as root: apt-get install ${missing[*]}" >&2
      exit 2
    fi
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# LibTorch calls libblas.so.3 through Debian's alternatives. Installing libopenblas0-openmp
# normally switches it; if someone pinned the reference BLAS by hand we say so (edgejoule also
# records the BLAS with every result and warns at run time).
# The multiarch directory: x86_64-linux-gnu here, aarch64-linux-gnu on a Raspberry Pi or Jetson.
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
[[ -n "$multiarch" ]] || multiarch="$(uname -m)-linux-gnu"
blas="$(readlink -f "/usr/lib/$multiarch/libblas.so.3" 2>/dev/null || true)"
case "$blas" in
  *openblas*) ;;
  *) echo "setup: warning: libblas.so.3 resolves to '${blas:-nothing}', not OpenBLAS; Linear-heavy models will run ~30x slower." >&2
     echo "setup: fix: update-alternatives --set libblas.so.3-$multiarch /usr/lib/$multiarch/openblas-openmp/libblas.so.3" >&2 ;;
esac

# PyPI: the project-local virtual environment with the pinned wheels (the openvino and onnxruntime engines).
"$here/setup-venv.sh"

# Debian's archive: ONNX Runtime's API headers for the onnxruntime engine (its library is the
# onnxruntime wheel in .venv).
"$here/setup-onnxruntime-headers.sh"
