"""The end every benchmark script shares: its rows as a table on stdout and, with the
figures, in benchmarks/results/<name>-<timestamp>.json (the file scripts/bench.sh and
summary.py collect, named on the last line printed)."""
import datetime
import json
import os


def finish(name, out, rows, results_dir):
    """rows: (metric, value, target, met) with met True, False or None (no target)."""
    out["table"] = [{"metric": m, "value": v, "target": t, "met": ok} for m, v, t, ok in rows]
    with open("/proc/loadavg") as f:
        out["machine"] = {"nproc": os.cpu_count(), "loadavg": f.read().strip(), "uname_r": os.uname().release}
    now = datetime.datetime.now(datetime.timezone.utc)
    out["time"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    w = max(len(r[0]) for r in rows)
    wv = max(len(r[1]) for r in rows)
    wt = max([len("target")] + [len(r[2]) for r in rows])
    print(f"{'metric'.ljust(w)} | {'value'.ljust(wv)} | {'target'.ljust(wt)} | met?")
    for m, v, t, ok in rows:
        print(f"{m.ljust(w)} | {v.ljust(wv)} | {t.ljust(wt)} | {'' if ok is None else ('yes' if ok else 'NO')}")
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"{name}-" + now.strftime("%Y%m%dT%H%M%SZ") + ".json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    print(f"benchmark results written to {path}")
    return path
