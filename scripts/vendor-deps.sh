#!/usr/bin/env bash
# Copies the header-only dependencies (CLI11, nlohmann_json, fmt in header-only mode, Eigen) and
# libsqlite3 with its header from this Debian machine into DIR, for building edgejoule on a
# machine that has a compiler, CMake and LibTorch but not these -dev packages (the GPU image).
#
#   scripts/vendor-deps.sh [DIR]      (default .gpu-deps, ignored by git)
set -euo pipefail
dir="${1:-.gpu-deps}"
"$(dirname "$0")/setup-deps.sh"
rm -rf "$dir"
mkdir -p "$dir/include" "$dir/lib"
cp -r /usr/include/CLI /usr/include/nlohmann /usr/include/fmt /usr/include/eigen3 "$dir/include/"
cp /usr/include/sqlite3.h /usr/include/sqlite3ext.h "$dir/include/"
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
[[ -n "$multiarch" ]] || multiarch="$(uname -m)-linux-gnu"
cp -L "/usr/lib/$multiarch/libsqlite3.so.0" "$dir/lib/libsqlite3.so.0"
echo "vendored into $dir ($(du -sh "$dir" | cut -f1))"
