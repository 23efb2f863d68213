#!/usr/bin/env python3
"""A frontier-directed store against the full grid's: points measured, device time, frontier
recall (the grid's frontier points, and models, the store measured), and recommend's pick over
20 log-spaced budgets between the grid's cheapest and dearest point: how many picks are the
grid's point, how many the grid's model (same accuracy), at how many budgets the pick is less
accurate (the largest accuracy regret, and the budgets where nothing fits though the grid's
pick did), and violations (the pick costing more than the budget as the grid measured that
point). The grid measured again goes through the same table: how far the grid's own picks move
with the measurement noise, the yardstick for the rest; with it, each store's picks are also
compared with the re-measured grid's.

  frontier_summary.py EDGEJOULE GRID_DB GRID_SECONDS [LABEL STORE_DB SECONDS]... [--again REGRID_DB]
"""
import json
import subprocess
import sys


def main():
    args = sys.argv[1:]
    again = None
    if "--again" in args:
        i = args.index("--again")
        again = args[i + 1]
        del args[i:i + 2]
    binary, grid_db, grid_seconds = args[0], args[1], float(args[2])
    rest = args[3:]
    runs = [(rest[i], rest[i + 1], float(rest[i + 2])) for i in range(0, len(rest), 3)]

    def run(*a):
        return json.loads(subprocess.run([binary, *a], capture_output=True, text=True).stdout or "null")

    def key(p):
        c = p["config"]
        return (p["model"]["name"], c["engine"], c["batch"], c["threads"])

    grid_all = run("list", "--db", grid_db, "--json")
    grid = {key(p): p for p in grid_all if p["status"] == "VALID"}
    frontier = [key(f["candidate"]["point"]) for f in run("frontier", "--db", grid_db, "--json")["frontier"]]
    frontier_models = {k[0] for k in frontier}
    energies = sorted(p["energy"]["j_per_inference"] for p in grid.values())
    lo, hi = energies[0], energies[-1]
    budgets = [lo * (hi / lo) ** (i / 19) for i in range(20)]

    def picks(db):
        out = []
        for b in budgets:
            r = run("recommend", "--db", db, "--energy-budget-j", repr(b), "--json")
            p = r["chosen"]["point"] if r and r.get("chosen") else None
            out.append((key(p), p["accuracy"]["top1"]) if p else (None, None))
        return out

    grid_picks = picks(grid_db)
    again_picks = picks(again) if again else None
    print("| strategy | points measured | device time (s) | frontier recall: points; models | picks: the grid's "
          "point; its model" + ("; the re-measured grid's model" if again else "") + " (of 20) | less accurate "
          "than the grid's pick: budgets (largest regret, points) | nothing fits where the grid's pick did | "
          "budget violations |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| grid | {len(grid_all)} ({len(grid)} VALID) | {grid_seconds:.0f} | {len(frontier)} of {len(frontier)}; "
          f"{len(frontier_models)} of {len(frontier_models)} | 20; 20" + ("" if not again else "; " + str(
              sum(1 for (g, _), (a, _) in zip(grid_picks, again_picks) if (g and g[0]) == (a and a[0])))) +
          " | 0 | 0 | 0 |")
    for label, db, seconds in runs:
        every = run("list", "--db", db, "--json")
        valid = {key(p) for p in every if p["status"] == "VALID"}
        found = sum(1 for k in frontier if k in valid)
        models_found = len(frontier_models & {k[0] for k in valid})
        mine = picks(db)
        same_point = sum(1 for (g, _), (m, _) in zip(grid_picks, mine) if g == m)
        same_model = sum(1 for (g, _), (m, _) in zip(grid_picks, mine) if (g and g[0]) == (m and m[0]))
        worse = [gt - mt for (g, gt), (m, mt) in zip(grid_picks, mine) if g and m and mt < gt]
        nothing = sum(1 for (g, _), (m, _) in zip(grid_picks, mine) if g and not m)
        violations = sum(1 for b, (m, _) in zip(budgets, mine) if m in grid and grid[m]["energy"]["j_per_inference"] > b)
        vs_again = ""
        if again_picks:
            vs_again = "; " + str(sum(1 for (a, _), (m, _) in zip(again_picks, mine) if (a and a[0]) == (m and m[0])))
        print(f"| {label} | {len(every)} ({len(valid)} VALID) | {seconds:.0f} ({100 * seconds / grid_seconds:.0f} % "
              f"of the grid's) | {found} of {len(frontier)}; {models_found} of {len(frontier_models)} | "
              f"{same_point}; {same_model}{vs_again} | {len(worse)}" + (f" ({max(worse):.2f})" if worse else "") +
              f" | {nothing} | {violations} |")


if __name__ == "__main__":
    main()
