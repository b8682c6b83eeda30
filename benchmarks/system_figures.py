#!/usr/bin/env python3
"""Whole-process figures of treadd, measured from outside as systemd and a technician see it.

Starts treadsim and treadd (Config/demo.toml with its socket, history and drive port moved to a
scratch folder) and measures: start-up to READY=1 on a notify socket this script plays;
idle CPU and RSS; CPU and RSS with a session running and subscribers reading `watch`;
`treadctl status` round trips; config and program load times. Prints a table and writes
benchmarks/results/system-<timestamp>.json. Run by scripts/bench.sh; alone:

    python3 benchmarks/system_figures.py --bin .build/release [--subscribers 500] [--seconds 10]
"""
import argparse
import json
import os
import re
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from results_file import finish

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pct(values, q):
    """The q-quantile (0..1) by nearest rank; None for no values."""
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def rss_kib(pid, key="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def smaps_rollup_kib(pid):
    """Rss, Anonymous, Referenced, ... from /proc/PID/smaps_rollup, in KiB."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def cpu_share(pid, seconds):
    """Share of one core the process used over `seconds` of wall time."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)  # the measurement window itself, not synchronisation
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


class Rig:
    def __init__(self, bin_dir, work):
        self.bin = bin_dir
        self.work = work
        self.sim = None
        self.daemon = None
        self.socket = os.path.join(work, "treadd.sock")
        self.config = os.path.join(work, "treadd.toml")

    def start_sim(self):
        err = open(os.path.join(self.work, "treadsim.err"), "w+")
        self.sim = subprocess.Popen([os.path.join(self.bin, "treadsim"), "--profile",
                                     os.path.join(ROOT, "Config/drives/delta-ms300.toml"), "--tcp", "127.0.0.1:0"],
                                    stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            err.seek(0)
            m = re.search(r"on tcp 127\.0\.0\.1:(\d+) unit", err.read())
            if m:
                return int(m.group(1))
            if self.sim.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("treadsim did not report its port")

    def write_config(self, port):
        text = open(os.path.join(ROOT, "Config/demo.toml")).read()
        text = re.sub(r'(?m)^socket = .*$', f'socket = "{self.socket}"', text)
        text = re.sub(r'(?m)^programs = .*$', f'programs = "{os.path.join(ROOT, "Config/programs")}"', text)
        text = re.sub(r'(?m)^profile = .*$', f'profile = "{os.path.join(ROOT, "Config/drives/delta-ms300.toml")}"', text)
        text = re.sub(r'(?m)^port = .*$', f'port = {port}', text)
        text = re.sub(r'(?m)^path = .*history.*$', f'path = "{os.path.join(self.work, "history.sqlite")}"', text)
        with open(self.config, "w") as f:
            f.write(text)

    def start_daemon(self, timeout=20):
        """Starts treadd with a notify socket; returns seconds from spawn to READY=1."""
        notify_path = os.path.join(self.work, "notify.sock")
        if os.path.exists(notify_path):
            os.unlink(notify_path)
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(timeout)
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        log = open(os.path.join(self.work, "treadd.log"), "a")
        t0 = time.monotonic()
        self.daemon = subprocess.Popen([os.path.join(self.bin, "treadd"), "--config", self.config],
                                       stdout=log, stderr=log, env=env)
        try:
            while True:
                msg = notify.recv(4096).decode(errors="replace")
                if "READY=1" in msg.split("\n"):
                    return time.monotonic() - t0
        except socket.timeout:
            raise SystemExit(f"treadd sent no READY=1 within {timeout} s (log: {log.name})")
        finally:
            notify.close()

    def stop_daemon(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None

    def ctl(self, *args):
        return subprocess.run([os.path.join(self.bin, "treadctl"), *args], capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, TREADD_SOCKET=self.socket))

    def close(self):
        self.stop_daemon()
        if self.sim and self.sim.poll() is None:
            self.sim.terminate()
            self.sim.wait()


def request(sock_path, method, params=None):
    """One request on a fresh connection; returns the reply object."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    f = s.makefile("rw")
    json.loads(f.readline())  # hello
    f.write(json.dumps({"id": 1, "method": method, "params": params or {}}) + "\n")
    f.flush()
    while True:
        m = json.loads(f.readline())
        if m.get("id") == 1:
            s.close()
            return m


class Subscribers:
    """`watch` clients read on one thread-free selector loop, so they keep up with treadd."""

    def __init__(self, sock_path, count):
        self.sel = selectors.DefaultSelector()
        self.lines = 0
        self.closed = 0
        self.socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            s.sendall(b'{"id":1,"method":"watch"}\n')
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
            self.socks.append(s)

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for key, _ in self.sel.select(timeout=0.1):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(key.fileobj)
                    self.closed += 1
                    continue
                self.lines += data.count(b"\n")

    def close(self):
        for s in self.socks:
            s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="folder with treadd, treadctl, treadsim")
    ap.add_argument("--subscribers", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=10, help="each CPU measurement window")
    ap.add_argument("--starts", type=int, default=5, help="start-ups timed to READY")
    ap.add_argument("--round-trips", type=int, default=50)
    ap.add_argument("--results-dir", default=os.path.join(ROOT, "benchmarks/results"))
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="bench-system.")
    rig = Rig(os.path.abspath(a.bin), work)
    out = {"benchmark": "system", "subscribers": a.subscribers, "window_s": a.seconds}
    try:
        rig.write_config(rig.start_sim())

        # Start-up to READY (the drive connected, inputs requested, socket listening).
        ready = []
        for _ in range(a.starts):
            ready.append(rig.start_daemon())
            rig.stop_daemon()
        out["ready_ms"] = {"p50": statistics.median(ready) * 1000, "max": max(ready) * 1000, "count": len(ready)}

        rig.start_daemon()
        pid = rig.daemon.pid
        time.sleep(2)  # let start-up work (first polls, history open) pass before the idle window
        # Clearing the referenced bits first makes "Referenced" afterwards the pages the idle
        # daemon actually touched in the window: its working set, against the pages start-up
        # left mapped (RSS).
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("1")
        out["idle_cpu_percent"] = cpu_share(pid, a.seconds) * 100
        out["idle_rss_mib"] = rss_kib(pid) / 1024
        rollup = smaps_rollup_kib(pid)
        out["idle_memory_kib"] = {"rss": rollup.get("Rss"), "anonymous": rollup.get("Anonymous"),
                                  "file_backed": rollup.get("Rss", 0) - rollup.get("Anonymous", 0),
                                  "referenced_in_window": rollup.get("Referenced")}

        # Round trips and load times, with the daemon idle.
        trips = []
        for _ in range(a.round_trips):
            t0 = time.monotonic()
            r = rig.ctl("status", "--json")
            trips.append(time.monotonic() - t0)
            if r.returncode != 0:
                raise SystemExit(f"treadctl status failed: {r.stderr}")
        out["status_round_trip_ms"] = {"p50": pct(trips, 0.5) * 1000, "p99": pct(trips, 0.99) * 1000}
        checks = []
        for _ in range(10):
            t0 = time.monotonic()
            r = subprocess.run([os.path.join(rig.bin, "treadd"), "--check-config", "--config", rig.config],
                               capture_output=True, text=True)
            checks.append(time.monotonic() - t0)
            if r.returncode != 0:
                raise SystemExit(f"treadd --check-config failed: {r.stderr}")
        out["check_config_ms"] = {"p50": pct(checks, 0.5) * 1000, "max": max(checks) * 1000}
        program = os.path.join(ROOT, "Config/programs/target-40-60.toml")
        loads = []
        for _ in range(10):
            t0 = time.monotonic()
            r = rig.ctl("programs", "validate", program)
            loads.append(time.monotonic() - t0)
        out["program_validate_ms"] = {"p50": pct(loads, 0.5) * 1000, "max": max(loads) * 1000, "program": "target-40-60"}

        # Under load: a session running, the rails held, subscribers reading.
        for rail in ("rail_left=held", "rail_right=held"):
            rig.ctl("sim", "set", rail)
        started = request(rig.socket, "start", {"program": "target-40-60"})
        if "error" in started:
            raise SystemExit(f"start refused: {started['error']}")
        subs = Subscribers(rig.socket, a.subscribers)
        subs.pump(2)
        c0, t0 = cpu_seconds(pid), time.monotonic()
        lines0 = subs.lines
        subs.pump(a.seconds)
        span = time.monotonic() - t0
        out["load_cpu_percent"] = (cpu_seconds(pid) - c0) / span * 100
        out["load_rss_mib"] = rss_kib(pid) / 1024
        out["peak_rss_mib"] = rss_kib(pid, "VmHWM") / 1024
        out["subscriber_lines_per_s"] = (subs.lines - lines0) / span
        out["subscribers_dropped"] = subs.closed
        subs.close()
        request(rig.socket, "stop")
    finally:
        rig.close()

    rows = [
        ("start-up to READY=1 p50 / max", f"{out['ready_ms']['p50']:.0f} / {out['ready_ms']['max']:.0f} ms", "<= 300 ms", out["ready_ms"]["max"] <= 300),
        ("idle CPU", f"{out['idle_cpu_percent']:.3f} % of a core", "< 1 %", out["idle_cpu_percent"] < 1),
        ("RSS idle", f"{out['idle_rss_mib']:.1f} MiB", "<= 20 MB", out["idle_rss_mib"] * 1.048576 <= 20),
        ("  of it: anonymous / file-backed (code, data)", f"{out['idle_memory_kib']['anonymous'] / 1024:.1f} / {out['idle_memory_kib']['file_backed'] / 1024:.1f} MiB", "", None),
        (f"  touched while idle ({a.seconds:g} s, working set)", f"{out['idle_memory_kib']['referenced_in_window'] / 1024:.1f} MiB", "", None),
        (f"CPU with a session and {a.subscribers} subscribers", f"{out['load_cpu_percent']:.1f} % of a core", "", None),
        ("RSS under load / peak", f"{out['load_rss_mib']:.1f} / {out['peak_rss_mib']:.1f} MiB", "", None),
        ("subscriber lines received", f"{out['subscriber_lines_per_s']:.0f}/s, {out['subscribers_dropped']} dropped", "", None),
        ("treadctl status round trip p50 / p99", f"{out['status_round_trip_ms']['p50']:.1f} / {out['status_round_trip_ms']['p99']:.1f} ms", "", None),
        ("treadd --check-config p50 / max", f"{out['check_config_ms']['p50']:.0f} / {out['check_config_ms']['max']:.0f} ms", "", None),
        ("treadctl programs validate (60 min program) p50", f"{out['program_validate_ms']['p50']:.0f} ms", "", None),
    ]
    finish("system", out, rows, a.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
