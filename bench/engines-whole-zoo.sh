#!/usr/bin/env bash
# Every engine built in on the whole ImageNet zoo at batch 1 with this machine's threads, in one
# run (so the engines see the same machine), then a summary per engine: how many models it runs,
# and the FOCUS engine's p50 latency and energy per inference against each other engine's per
# model, and its output agreement with LibTorch (the zoo build's check, from zoo.json).
#
#   bench/engines-whole-zoo.sh [BUILD_DIR] [ZOO_DIR] [OUT_DIR] [FOCUS]
#
# ZOO_DIR: 'edgejoule zoo build --set imagenet --out ZOO_DIR --formats torchscript,onnx' (80
# models, ~46 GB, a few hours on 2 cores the first time; cached after). OUT_DIR gets points.csv,
# engines-compared.txt and summary.md. Resumable: the store is OUT_DIR/engines.db, and a second
# run measures only what is missing (and INVALID points again, once).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
zoo="${2:-$build/zoo/imagenet}"
out="${3:-$here/docs/results/cpu-vm-onnxruntime}"
focus="${4:-onnxruntime}"
threads="$(nproc)"
[[ -x "$build/edgejoule" ]] || { echo "no $build/edgejoule: run 'make build'" >&2; exit 2; }
[[ -f "$zoo/zoo.json" ]] || { echo "no $zoo/zoo.json: build the zoo (see the header of $0)" >&2; exit 2; }
mkdir -p "$out"
db="$out/engines.db"
engines="$("$build/edgejoule" engines --names)"
echo "engines: $engines; batch 1, $threads threads; store $db"
# The zoo build again (models cached): its check runs every ONNX file in each engine that reads
# ONNX and compares the output with LibTorch's (recorded in zoo.json; cached per file and version):
# the focus engine only, unless EDGEJOULE_BENCH_CHECK names others (or all).
"$build/edgejoule" zoo build --set imagenet --out "$zoo" --formats torchscript,onnx --check "${EDGEJOULE_BENCH_CHECK:-$focus}" \
    2> "$out/zoo-check.log"
for pass in 1 2; do
  "$build/edgejoule" profile --zoo "$zoo" --db "$db" --engine "$engines" --batch 1 --threads "$threads" \
      --warmup-s 0.3 --min-time-s 0.5 --retry-invalid --quiet > /dev/null
done
"$build/edgejoule" export --db "$db" --format csv > "$out/points.csv"
"$build/edgejoule" list --db "$db" | sed -n '/^engines compared/,$p' > "$out/engines-compared.txt"
/usr/bin/python3 - "$out/points.csv" "$focus" "$zoo/zoo.json" > "$out/summary.md" <<'PY'
import csv, json, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
focus = sys.argv[2]
manifest = json.load(open(sys.argv[3]))
engines = sorted({r["engine"] for r in rows})
models = sorted({r["model"] for r in rows})
valid = {(r["model"], r["engine"]): r for r in rows if r["status"] == "VALID"}
runs = {(r["model"], r["engine"]) for r in rows if r["status"] in ("VALID", "INVALID")}
print(f"# Engines on the whole ImageNet zoo ({len(models)} models, batch 1, threads {rows[0]['threads']})\n")
print("| engine | version | models it runs | VALID points |")
print("|---|---|---|---|")
for e in engines:
    version = next(r["engine_version"] for r in rows if r["engine"] == e)
    print(f"| {e} | {version} | {sum((m, e) in runs for m in models)} | {sum((m, e) in valid for m in models)} |")
print("\nPer model, VALID points only: p50 ms, and the ratios of " + focus + "'s p50 latency and energy per "
      f"inference ({rows[0]['energy_provenance']}) to each other engine's.\n")
others = [e for e in engines if e != focus]
print("| model | " + " | ".join(f"{e} ms" for e in engines) + " | " +
      " | ".join(f"/{e} latency | /{e} energy" for e in others) + " |")
print("|---" * (1 + len(engines) + 2 * len(others)) + "|")
ratios = {e: [] for e in others}
for m in models:
    cells = [f"{float(valid[(m, e)]['latency_ms_p50']):.2f}" if (m, e) in valid else "-" for e in engines]
    for e in others:
        if (m, focus) in valid and (m, e) in valid:
            lat = float(valid[(m, focus)]["latency_ms_p50"]) / float(valid[(m, e)]["latency_ms_p50"])
            en = (float(valid[(m, focus)]["energy_j_per_inference"]) /
                  float(valid[(m, e)]["energy_j_per_inference"]))
            ratios[e].append((lat, en))
            cells += [f"{lat:.2f}", f"{en:.2f}"]
        else:
            cells += ["-", "-"]
    print(f"| {m} | " + " | ".join(cells) + " |")
print()
for e in others:
    if ratios[e]:
        lat = [x for x, _ in ratios[e]]
        en = [y for _, y in ratios[e]]
        print(f"- {focus} / {e} over {len(lat)} models VALID in both: latency median {statistics.median(lat):.2f} "
              f"(min {min(lat):.2f}, max {max(lat):.2f}), {focus} faster on {sum(x < 1 for x in lat)}; "
              f"energy median {statistics.median(en):.2f}")
# The zoo build's check: the focus engine's output vs LibTorch's on the same input, batch 1, fp32.
checks = [(m["name"], m.get("engines", {}).get(focus)) for m in manifest["models"]]
checks = [(n, c) for n, c in checks if c is not None]
agree = [n for n, c in checks if c.get("runs") and c.get("top1_agrees_with_torchscript")]
diffs = [c["max_rel_diff_vs_torchscript"] for n, c in checks if c.get("runs") and "max_rel_diff_vs_torchscript" in c]
print(f"\nOutput vs LibTorch (zoo build's check, same input, fp32): {focus} ran {sum(bool(c.get('runs')) for _, c in checks)} "
      f"of {len(checks)} ONNX files; top-1 the same on {len(agree)}; max relative difference median "
      f"{statistics.median(diffs) if diffs else float('nan'):.1e}, worst {max(diffs) if diffs else float('nan'):.1e}.\n")
print("| model | runs | max rel diff vs LibTorch | top-1 same | why not |")
print("|---|---|---|---|---|")
for n, c in checks:
    print(f"| {n} | {'yes' if c.get('runs') else 'no'} | "
          f"{c['max_rel_diff_vs_torchscript']:.1e} | " if "max_rel_diff_vs_torchscript" in c else f"| {n} | {'yes' if c.get('runs') else 'no'} | - | ",
          end="")
    print(f"{'yes' if c.get('top1_agrees_with_torchscript') else ('-' if not c.get('runs') else 'NO')} | "
          f"{c.get('reason', '').replace('|', '/')} |")
PY
cat "$out/summary.md" | tail -5
