#!/usr/bin/env python3
"""Combines the benchmark results of one scripts/bench.sh run: prints every row that has a
target with whether it was met, and writes benchmarks/results/all-<timestamp>.json naming the
files it read.

    summary.py [--quick] RESULTS.json...

--quick (QUICK=1 bench.sh, the CI smoke run): the run took fewer samples than a target's
figure needs, so a row whose target is a sample count is shown as a short run, "n/a (QUICK)",
not as a missed target, and the tail percentiles it feeds are marked as taken from that few.
Exits 0 whatever the figures: a benchmark run fails only when a benchmark could not run."""
import argparse
import datetime
import json
import os
import re

# Rows whose target is how many samples a full run takes, not a figure of the product.
SAMPLE_COUNT = re.compile(r"edges injected")


def met_text(row, quick):
    if quick and SAMPLE_COUNT.search(row["metric"]):
        return "n/a (QUICK)"
    met = row.get("met")
    return "?" if met is None else ("yes" if met else "NO")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a QUICK=1 run: sample-count targets are labelled, not missed")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    rows, sources, short = [], [], {}
    for path in a.results:
        with open(path) as f:
            data = json.load(f)
        name = data.get("benchmark", os.path.basename(path))
        sources.append({"benchmark": name, "file": os.path.relpath(path)})
        for r in data.get("table", []):
            if a.quick and SAMPLE_COUNT.search(r["metric"]):
                short[name] = r["value"]
            if r.get("target"):
                rows.append({"benchmark": name, **r})
    for r in rows:
        r["met_text"] = met_text(r, a.quick)
        if a.quick and r["benchmark"] in short and not SAMPLE_COUNT.search(r["metric"]) and "p99" in r["metric"]:
            r["value"] += f" (of {short[r['benchmark']]} samples, QUICK)"
    w0 = max([len("benchmark")] + [len(r["benchmark"]) for r in rows])
    w1 = max([len("metric")] + [len(r["metric"]) for r in rows])
    w2 = max([len("value")] + [len(r["value"]) for r in rows])
    w3 = max([len("target")] + [len(r["target"]) for r in rows])
    print()
    if a.quick:
        print("QUICK run: fewer samples than the targets are set for; a smoke run, not the figures of record.")
    print(f"{'benchmark'.ljust(w0)} | {'metric'.ljust(w1)} | {'value'.ljust(w2)} | {'target'.ljust(w3)} | met?")
    for r in rows:
        print(f"{r['benchmark'].ljust(w0)} | {r['metric'].ljust(w1)} | {r['value'].ljust(w2)} | {r['target'].ljust(w3)} | {r['met_text']}")
    met = [r for r in rows if r["met_text"] == "yes"]
    missed = [r for r in rows if r["met_text"] == "NO"]
    other = [r for r in rows if r["met_text"] not in ("yes", "NO")]
    line = f"\ntargets met: {len(met)}; not met: {len(missed)}"
    if missed:
        line += " (" + "; ".join(f"{r['benchmark']}: {r['metric']}" for r in missed) + ")"
    if other:
        line += f"; not judged: {len(other)}"
    print(line)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = os.path.join(os.path.dirname(os.path.abspath(a.results[0])), f"all-{stamp}.json")
    with open(out, "w") as f:
        json.dump({"benchmark": "all", "quick": a.quick, "sources": sources, "targets": rows}, f, indent=2)
    print(f"benchmark results written to {out}")


if __name__ == "__main__":
    main()
