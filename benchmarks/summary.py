#!/usr/bin/env python3
"""Combines the benchmark results of one scripts/bench.sh run: prints every row that has a
target (and whether it was met), and writes benchmarks/results/all-<timestamp>.json naming the
files it read."""
import datetime
import json
import os
import sys


def main(paths):
    rows, sources = [], []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        name = data.get("benchmark", os.path.basename(path))
        sources.append({"benchmark": name, "file": os.path.relpath(path)})
        for r in data.get("table", []):
            if r.get("target"):
                rows.append({"benchmark": name, **r})
    w0 = max([len("benchmark")] + [len(r["benchmark"]) for r in rows])
    w1 = max([len("metric")] + [len(r["metric"]) for r in rows])
    w2 = max([len("value")] + [len(r["value"]) for r in rows])
    print()
    print(f"{'benchmark'.ljust(w0)} | {'metric'.ljust(w1)} | {'value'.ljust(w2)} | target | met?")
    for r in rows:
        met = "" if r.get("met") is None else ("yes" if r["met"] else "NO")
        print(f"{r['benchmark'].ljust(w0)} | {r['metric'].ljust(w1)} | {r['value'].ljust(w2)} | {r['target']} | {met}")
    met = [r for r in rows if r.get("met") is True]
    missed = [r for r in rows if r.get("met") is False]
    print(f"\ntargets met: {len(met)}; not met: {len(missed)}" + ("" if not missed else " (" + "; ".join(r["metric"] for r in missed) + ")"))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.join(os.path.dirname(os.path.abspath(paths[0])), f"all-{stamp}.json")
    with open(out, "w") as f:
        json.dump({"benchmark": "all", "sources": sources, "targets": rows}, f, indent=2)
    print(f"benchmark results written to {out}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: summary.py RESULTS.json...")
    main(sys.argv[1:])
