#!/usr/bin/env python3
"""The fleet's figures (issue 18, docs/fleet.md): one machine's outbox through the real
treadsync, Debian's mosquitto and the real `treadfleet serve` into PostgreSQL, all on loopback,
started by the project's own scripts (scripts/fleet/).

  1. baselines of the same run: the broker alone (mosquitto_pub -> mosquitto_sub, QoS 1) and
     PostgreSQL alone (one-row INSERT transactions through psql, fsync on), messages a second;
  2. a backlog: N sessions queued while treadsync was away (an outage), then treadsync
     started; the time until the last is in PostgreSQL, and sessions a second;
  3. treadsync idle afterwards: RSS and CPU over a window;
  4. end-to-end delay: sessions written one by one at a steady rate while everything runs,
     each from its `ended_at` (the moment it was written) to `received_at` of its central row.

Writes benchmarks/results/fleet-<timestamp>.json. Needs the release (or debug) binaries of
treadsync, treadfleet and treadbench in --bin, and mosquitto, mosquitto-clients and
postgresql-15 installed (scripts/install-deps.sh).
  python3 benchmarks/fleet_figures.py --bin .build/release [--backlog 10000] [--paced 300 --rate 20]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from results_file import finish

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"fleet_figures: timed out after {timeout} s waiting for {what}")


class Rig:
    def __init__(self, bin_dir, work):
        self.bin = bin_dir
        self.work = work
        self.pg_dir = os.path.join(work, "pg")
        self.pg_port = free_port()
        self.mqtt_port = free_port()
        self.procs = []

    def psql(self, sql, db="treadfleet"):
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", db,
                              "-v", "ON_ERROR_STOP=1", "-Atqc", sql], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def start(self):
        subprocess.run(["bash", os.path.join(ROOT, "scripts/fleet/postgres.sh"), "start", self.pg_dir, str(self.pg_port)],
                       check=True, stdout=subprocess.DEVNULL)
        broker_dir = os.path.join(self.work, "broker")
        self.spawn("mosquitto", ["bash", os.path.join(ROOT, "scripts/fleet/mosquitto.sh"), broker_dir, str(self.mqtt_port)])
        wait_for("mosquitto", lambda: self.accepts(self.mqtt_port), 10)

    def spawn(self, name, argv):
        log = open(os.path.join(self.work, name + ".log"), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def log(self, name):
        with open(os.path.join(self.work, name + ".log")) as f:
            return f.read()

    @staticmethod
    def accepts(port):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        subprocess.run(["bash", os.path.join(ROOT, "scripts/fleet/postgres.sh"), "stop", self.pg_dir],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def broker_baseline(rig, n):
    """QoS 1 messages a second through the broker alone, publisher to subscriber."""
    log = os.path.join(rig.work, "baseline-sub.log")
    with open(log, "w") as f:
        sub = subprocess.Popen(["stdbuf", "-oL", "mosquitto_sub", "-d", "-h", "127.0.0.1", "-p", str(rig.mqtt_port), "-q", "1", "-t", "baseline/x",
                                "-C", str(n)], stdout=f, stderr=subprocess.STDOUT)
    wait_for("the baseline subscription", lambda: "received SUBACK" in open(log).read(), 10)
    payload = ("x" * 900 + "\n") * n   # about a session envelope's size
    t0 = time.monotonic()
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(rig.mqtt_port), "-q", "1", "-t", "baseline/x", "-l"],
                   input=payload, text=True, check=True)
    sub.wait(60)
    return n / (time.monotonic() - t0)


def postgres_baseline(rig, n):
    """One-row INSERT transactions a second into PostgreSQL through one connection (what the
    ingest does per message, without its second statement and bookkeeping)."""
    rig.psql("CREATE TABLE baseline (id uuid PRIMARY KEY, body jsonb NOT NULL)")
    script = "".join(f"INSERT INTO baseline VALUES (gen_random_uuid(), '{{\"n\": {i}}}');\n" for i in range(n))
    t0 = time.monotonic()
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(rig.pg_port), "-U", "postgres", "-d", "treadfleet", "-q",
                    "-v", "ON_ERROR_STOP=1"], input=script, text=True, check=True, stdout=subprocess.DEVNULL)
    return n / (time.monotonic() - t0)


def proc_figures(pid, window):
    def cpu_ticks():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    def rss_kib():
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0
    hz = os.sysconf("SC_CLK_TCK")
    c0, t0 = cpu_ticks(), time.monotonic()
    time.sleep(window)
    cpu = (cpu_ticks() - c0) / hz / (time.monotonic() - t0) * 100
    return rss_kib() / 1024, cpu


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--backlog", type=int, default=10_000, help="sessions queued during the outage")
    ap.add_argument("--paced", type=int, default=300, help="sessions written at --rate for the delay figures")
    ap.add_argument("--rate", type=float, default=20, help="sessions a second for the delay figures")
    ap.add_argument("--baseline", type=int, default=5_000, help="messages or rows in each baseline")
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--results-dir", default=os.path.join(ROOT, "benchmarks/results"))
    a = ap.parse_args()
    bin_dir = os.path.abspath(a.bin)
    for b in ("treadsync", "treadfleet", "treadbench"):
        if not os.access(os.path.join(bin_dir, b), os.X_OK):
            sys.exit(f"fleet_figures: no {b} in {bin_dir} (swift build -c release first)")
    for tool in ("mosquitto_pub", "mosquitto_sub", "psql"):
        if not shutil.which(tool):
            sys.exit(f"fleet_figures: {tool} not found (bash scripts/install-deps.sh)")

    work = tempfile.mkdtemp(prefix="treadd-fleet-bench-")
    rig = Rig(bin_dir, work)
    out = {"benchmark": "fleet", "backlog": a.backlog, "paced": a.paced, "rate": a.rate}
    try:
        rig.start()
        out["broker_baseline_per_s"] = broker_baseline(rig, a.baseline)
        out["postgres_baseline_per_s"] = postgres_baseline(rig, a.baseline)

        history = os.path.join(work, "history.sqlite")
        subprocess.run([os.path.join(bin_dir, "treadbench"), "fleet-sessions", "--history", history, "--count", str(a.backlog),
                        "--title", "backlog"], check=True)
        config = os.path.join(work, "treadsync.toml")
        with open(config, "w") as f:
            f.write(f'[machine]\nsite = "bench"\nid = "tm-1"\n[broker]\nhost = "127.0.0.1"\nport = {rig.mqtt_port}\n'
                    f'[sync]\nhistory = "{history}"\nledger = "{work}/ledger.sqlite"\nmembers = "{work}/members"\n')
        rig.spawn("treadfleet", [os.path.join(bin_dir, "treadfleet"), "serve", "--pg-host", "127.0.0.1", "--pg-port", str(rig.pg_port),
                                 "--pg-user", "postgres", "--pg-database", "treadfleet", "--mqtt-host", "127.0.0.1",
                                 "--mqtt-port", str(rig.mqtt_port), "--client-id", "treadfleet-bench"])
        wait_for("treadfleet subscribed", lambda: "subscribed" in rig.log("treadfleet"), 60)

        t0 = time.monotonic()
        sync = rig.spawn("treadsync", [os.path.join(bin_dir, "treadsync"), "run", "--config", config])
        count = lambda title: int(rig.psql(f"SELECT count(*) FROM sessions WHERE title = '{title}'") or 0)
        wait_for(f"{a.backlog} sessions in PostgreSQL", lambda: count("backlog") >= a.backlog, 1800, every=0.2)
        drain = time.monotonic() - t0
        out["backlog_drain_s"] = drain
        out["backlog_sessions_per_s"] = a.backlog / drain
        out["duplicates"] = int(rig.psql("SELECT count(*) - count(DISTINCT id) FROM sessions"))

        # Idle once drained and the members' summaries have stopped coming (treadfleet sends
        # each changed member's at most once a second; the broker queues them for treadsync).
        members = os.path.join(work, "members")
        def settled():
            newest = 0.0
            for f in (os.listdir(members) if os.path.isdir(members) else []):
                try:
                    newest = max(newest, os.path.getmtime(os.path.join(members, f)))
                except FileNotFoundError:   # a temporary file renamed into place meanwhile
                    return False
            return newest > 0 and time.time() - newest > 3
        wait_for("the members' summaries to settle", settled, 300, every=0.5)
        out["member_summaries_kept"] = len([f for f in os.listdir(members) if f.endswith(".json")])
        out["treadsync_idle_rss_mib"], out["treadsync_idle_cpu_percent"] = proc_figures(sync.pid, a.idle_seconds)

        subprocess.run([os.path.join(bin_dir, "treadbench"), "fleet-sessions", "--history", history, "--count", str(a.paced),
                        "--rate", str(a.rate), "--title", "paced"], check=True)
        wait_for(f"{a.paced} paced sessions", lambda: count("paced") >= a.paced, 300, every=0.2)
        delays = [float(x) for x in rig.psql(
            "SELECT extract(epoch FROM received_at - ended_at) FROM sessions WHERE title = 'paced'").split()]
        out["delay_s"] = {"p50": percentile(delays, 0.5), "p99": percentile(delays, 0.99), "max": max(delays), "n": len(delays)}
        out["dead_letters"] = int(rig.psql("SELECT count(*) FROM dead_letters"))
    finally:
        rig.close()

    ratio_pg = out["backlog_sessions_per_s"] / out["postgres_baseline_per_s"]
    ratio_mq = out["backlog_sessions_per_s"] / out["broker_baseline_per_s"]
    rows = [
        ("broker alone, QoS 1 (baseline)", f"{out['broker_baseline_per_s']:.0f} msg/s", "", None),
        ("PostgreSQL alone, one-row transactions (baseline)", f"{out['postgres_baseline_per_s']:.0f} rows/s", "", None),
        (f"backlog of {a.backlog} drained", f"{out['backlog_drain_s']:.1f} s, {out['backlog_sessions_per_s']:.0f} sessions/s", "", None),
        ("  against PostgreSQL alone / the broker alone", f"{ratio_pg:.2f}x / {ratio_mq:.2f}x", "", None),
        ("duplicate rows / dead letters", f"{out['duplicates']} / {out['dead_letters']}", "0 / 0", out["duplicates"] == 0 and out["dead_letters"] == 0),
        (f"session end -> central row p50 / p99 ({a.rate:g}/s)", f"{out['delay_s']['p50'] * 1000:.0f} / {out['delay_s']['p99'] * 1000:.0f} ms", "", None),
        ("treadsync RSS idle", f"{out['treadsync_idle_rss_mib']:.1f} MiB", "", None),
        ("members' summaries kept by treadsync", f"{out['member_summaries_kept']}", "", None),
        ("treadsync idle CPU", f"{out['treadsync_idle_cpu_percent']:.2f} % of a core", "", None),
    ]
    finish("fleet", out, rows, a.results_dir)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
