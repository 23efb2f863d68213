#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 30)
# from its seed corpus in fuzz/corpus/<target>. New interesting inputs go to a scratch copy, so
# the committed corpus only changes by hand. A crash leaves crash-* in the current directory:
# turn it into a regression test.
#
#   scripts/fuzz.sh [SECONDS] [BUILD_DIR]
set -euo pipefail
seconds="${1:-30}"
build="${2:-build-fuzz}"
here="$(cd "$(dirname "$0")/.." && pwd)"
CC=clang CXX=clang++ cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDGEJOULE_FUZZ=ON -DEDGEJOULE_WITH_TORCH=OFF -DEDGEJOULE_WITH_OPENVINO=OFF -DEDGEJOULE_WITH_ONNXRUNTIME=OFF -DEDGEJOULE_WITH_REPORT_CHARTS=OFF -DEDGEJOULE_WITH_OPENCV=OFF \
  -DEDGEJOULE_BUILD_TESTS=OFF -DEDGEJOULE_BUILD_BENCH=OFF > /dev/null
targets="fuzz_sweep_list fuzz_manifest fuzz_idx fuzz_power_log fuzz_sysfs fuzz_onnx_shape"
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc)" --target $targets
for target in $targets; do
  scratch="$(mktemp -d)"
  cp "$here/fuzz/corpus/$target/"* "$scratch/"
  echo "fuzz: $target for ${seconds} s"
  "$build/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$scratch" 2>&1 |
    grep -E "^(#|stat::number_of_executed_units|==|SUMMARY|ERROR)" | tail -3
  rm -rf "$scratch"
done
echo "fuzz: no crash"
