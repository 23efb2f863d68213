#!/usr/bin/env bash
# The onnxruntime engine's headers: ONNX Runtime's C and C++ API headers from Debian's
# libonnxruntime-dev (a newer suite than this machine's; its library package needs a newer glibc,
# so only the headers are taken), downloaded by name from Debian's archive, checked against the
# pinned SHA-256 and unpacked with dpkg -x into .deps/ (nothing is installed). The library is the
# pinned onnxruntime wheel in .venv (scripts/python-requirements.txt): ONNX Runtime's C API is
# versioned and backward compatible, so a program built against these headers (API 21) runs on
# the newer library, and the engine checks at load that the library offers that API.
# Reuses .deps/ when the headers are there (no network). Without the archive it says so and
# exits 0: edgejoule then builds without the onnxruntime engine, and 'edgejoule engines' says why.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version=1.21.0+dfsg-1
sha256=14f7d959d5deacbcf1504830d4189f91fc67382b399ed9ae9d3aa9c4050ced08
deb="libonnxruntime-dev_${version}_amd64.deb"  # headers only are used: the same on every architecture
url="${EDGEJOULE_DEBIAN_MIRROR:-http://deb.debian.org/debian}/pool/main/o/onnxruntime/$deb"
dest="$here/.deps/onnxruntime-headers-${version%%+*}"

if [[ -f "$dest/include/onnxruntime/onnxruntime_cxx_api.h" ]]; then
  exit 0
fi
echo "setup: fetching ONNX Runtime's headers (Debian's libonnxruntime-dev $version) into ${dest#$here/}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if ! curl -sSfL --retry 2 -o "$tmp/$deb" "$url"; then
  echo "setup: warning: could not download $url: building without the onnxruntime engine; run 'make deps'" \
       "again once Debian's archive is reachable" >&2
  exit 0
fi
if [[ "$(sha256sum "$tmp/$deb" | cut -d' ' -f1)" != "$sha256" ]]; then
  echo "setup: warning: $deb does not have the pinned SHA-256 $sha256: building without the onnxruntime engine" >&2
  exit 0
fi
mkdir -p "$tmp/x" && dpkg -x "$tmp/$deb" "$tmp/x" || { echo "setup: warning: dpkg -x $deb failed" >&2; exit 0; }
mkdir -p "$dest/include"
cp -r "$tmp/x/usr/include/onnxruntime" "$dest/include/"
