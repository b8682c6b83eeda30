import ArgumentParser
import Foundation
import Logging
import TreadCore
import TreadDaemon
import TreadHardware

#if canImport(Glibc)
import Glibc
#endif

/// `treadbench subscribers`: what 500 `watch` subscribers cost the daemon. A whole treadd in
/// process (its drive a real treadsim) runs a session; the control loop's tick lateness
/// (jitter) is measured first with no subscribers, then with `--subscribers` receiving
/// progress at `--rate-hz`, in the same run; then the daemon's CPU while serving them and
/// the `treadctl status` round trip with them connected.
struct SubscriberBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers",
        abstract: "Control-loop jitter with and without socket subscribers, daemon CPU, and treadctl status round trip.",
        discussion: "Usually run by scripts/bench-subscribers.sh, which builds in release and starts treadsim. See docs/benchmarks.md.")

    @Option(help: "treadsim's Modbus TCP host.") var host: String = "127.0.0.1"
    @Option(help: "treadsim's Modbus TCP port.") var port: Int
    @Option(help: "treadd config (simulated inputs).") var config: String = "Config/demo.toml"
    @Option(help: "Socket clients subscribed with `watch` in the loaded phase.") var subscribers: Int = 500
    @Option(name: .customLong("rate-hz"), help: "Progress events per second to each subscriber.") var rateHz: Double = 10
    @Option(help: "Seconds each phase runs.") var seconds: Double = 20
    @Option(name: .customLong("status-rounds"), help: "`treadctl status` processes run for the round trip.") var statusRounds: Int = 50
    @Option(help: "The treadctl binary (default: next to treadbench).") var treadctl: String?
    @Option(name: .customLong("results-dir"), help: "Where subscribers-<timestamp>.json is written.") var resultsDir: String = "benchmarks/results"

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard subscribers >= 1, rateHz > 0, seconds > 0, statusRounds >= 1 else { throw ValidationError("bad subscriber options") }
    }

    /// A forward walk long enough for both phases, sent inline so no programs folder matters.
    static let walk = "title = \"benchmark walk\"\n[[steps]]\ndirection = \"forward\"\nspeed_kmh = 3.0\nduration = \"60m\"\n"

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var cfg: DaemonConfig
        do { cfg = try DaemonConfig.load(path: config) } catch { throw BenchError("\(config): \(error)") }
        var template = Array("/tmp/treadbench-subscribers.XXXXXX".utf8CString)
        guard let dirPtr = mkdtemp(&template) else { throw BenchError("mkdtemp: \(String(cString: strerror(errno)))") }
        let dir = String(cString: dirPtr)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        cfg.socketPath = dir + "/treadd.sock"
        cfg.modbus.transport = .tcp(host: host, port: port)
        cfg.progressInterval = .nanoseconds(Int64(1e9 / rateHz))
        var logger = Logger(label: "treadd")
        logger.logLevel = .error
        let daemon: Daemon
        do { daemon = try Daemon(config: cfg, logger: logger) } catch { throw BenchError("daemon: \(error)") }
        try daemon.start()
        var daemonStopped = false
        defer { if !daemonStopped { daemon.stop() } }
        progress("treadbench subscribers: treadd from \(config) (control \(cfg.controlHz) Hz, progress \(rateHz) Hz) on tcp \(host):\(port)")
        try waitFor("the drive link online", timeout: 10) { daemon.control.status.drive == "online" }

        let control = try LineClient(path: cfg.socketPath)
        let source = #"{"file":"walk.toml","text":"\#(Self.walk.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))"}"#
        let reply = try control.request(#"{"id":1,"method":"start","params":{"program_source":\#(source)}}"#, id: 1)
        guard reply["result"] != nil else { throw BenchError("start refused: \(reply)") }
        try waitFor("the belt at speed", timeout: 15) { (daemon.control.status.beltSpeedKmh ?? 0) > 2.5 }

        // Phase 1: no subscribers.
        progress("phase 1: 0 subscribers for \(seconds) s")
        let idle = measure(daemon, seconds: seconds)

        // Phase 2: the subscribers, read by one thread of this process.
        progress("phase 2: connecting \(subscribers) subscribers")
        let subs = try Subscribers(path: cfg.socketPath, count: subscribers)
        subs.start()
        var subsStopped = false
        defer { if !subsStopped { subs.stop() } }
        guard subs.waitSubscribed(timeout: 30) else { throw BenchError("only \(subs.subscribed) of \(subscribers) subscribed after 30 s") }
        let lines0 = subs.lines, closed0 = subs.closedByServer
        progress("phase 2: \(subscribers) subscribers for \(seconds) s")
        let loaded = measure(daemon, seconds: seconds)
        let lines = subs.lines - lines0, dropped = subs.closedByServer - closed0

        // treadctl status, with the subscribers still connected.
        progress("treadctl status x \(statusRounds)")
        let ctl = treadctl ?? (URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("treadctl").path)
        let roundTrips = try statusRoundTrips(ctl, socket: cfg.socketPath)
        let socketTrips = try (0..<200).map { i -> Double in
            let t0 = monotonicNanos()
            _ = try control.request(#"{"id":\#(i + 10),"method":"status"}"#, id: i + 10)
            return Double(monotonicNanos() - t0) / 1e6
        }

        let stateAtEnd = daemon.control.status.state
        daemonStopped = true
        daemon.stop()
        subsStopped = true
        subs.stop()
        let readerCPU = subs.readerCPUSeconds
        let daemonCPU = max(0, loaded.processCPU - readerCPU)

        guard let j0 = Percentiles(idle.latenessMs), let j1 = Percentiles(loaded.latenessMs),
              let rt = Percentiles(roundTrips), let st = Percentiles(socketTrips) else { throw BenchError("no samples") }
        let perSubscriberHz = Double(lines) / Double(subscribers) / loaded.seconds
        let rows = [
            Row(metric: "tick lateness p99, 0 subscribers", value: ms(j0.p99), target: "", met: nil),
            Row(metric: "tick lateness p99, \(subscribers) subscribers at \(rateHz) Hz", value: ms(j1.p99), target: "<= 0 subs + 1 ms", met: j1.p99 <= j0.p99 + 1),
            Row(metric: "tick lateness max, 0 / \(subscribers) subscribers", value: "\(ms(j0.max)) / \(ms(j1.max))", target: "", met: nil),
            Row(metric: "ticks measured, 0 / \(subscribers) subscribers", value: "\(j0.count) / \(j1.count)", target: "", met: nil),
            Row(metric: "events received per subscriber per second", value: String(format: "%.1f", perSubscriberHz), target: ">= \(rateHz * 0.9)", met: perSubscriberHz >= rateHz * 0.9),
            Row(metric: "subscribers dropped by treadd", value: "\(dropped)", target: "0", met: dropped == 0),
            Row(metric: "daemon CPU, 0 subscribers", value: String(format: "%.1f %%", idle.processCPU / idle.seconds * 100), target: "", met: nil),
            Row(metric: "daemon CPU, \(subscribers) subscribers", value: String(format: "%.1f %%", daemonCPU / loaded.seconds * 100), target: "", met: nil),
            Row(metric: "treadctl status round trip p50 / p99 (process)", value: "\(ms(rt.p50)) / \(ms(rt.p99))", target: "", met: nil),
            Row(metric: "status request round trip p50 / p99 (socket)", value: "\(ms(st.p50)) / \(ms(st.p99))", target: "", met: nil),
        ]
        let notes = [
            "Tick lateness: how long after its scheduled instant each control tick began (CLOCK_MONOTONIC), ticks brought forward by a request or input edge excluded.",
            "Daemon CPU: this process's CPU time (getrusage) over the phase, minus the subscriber reader thread's own (\(String(format: "%.2f", readerCPU)) s); the 500 clients run in this process.",
            "treadctl round trip: fork/exec of `treadctl status` to its exit, connect, greeting and one request included.",
            "session state at the end: \(stateAtEnd)",
        ]
        let machine = machineInfo()
        let json: [String: Any] = [
            "benchmark": "subscribers", "config": config, "control_hz": cfg.controlHz, "rate_hz": rateHz, "seconds_per_phase": seconds, "subscribers": subscribers,
            "lateness_ms_0_subscribers": j0.json, "lateness_ms_loaded": j1.json,
            "events_per_subscriber_per_s": perSubscriberHz, "subscribers_dropped": dropped,
            "cpu_fraction_0_subscribers": idle.processCPU / idle.seconds, "cpu_fraction_loaded": daemonCPU / loaded.seconds,
            "subscriber_reader_cpu_seconds": readerCPU,
            "treadctl_status_ms": rt.json, "socket_status_ms": st.json, "machine": machine, "table": rows.map(\.json),
        ]
        try report(name: "subscribers", at: Date(), table: renderTable(rows), notes: notes, machine: machine, json: json, dir: resultsDir)
    }

    struct Phase {
        var seconds: Double
        var latenessMs: [Double]
        var processCPU: Double
    }

    private func measure(_ daemon: Daemon, seconds: Double) -> Phase {
        _ = daemon.control.takeTickLateness()
        let cpu0 = processCPUSeconds(), t0 = monotonicNanos()
        sleepNanos(UInt64(seconds * 1e9))
        let late = daemon.control.takeTickLateness().map { Double($0.components.seconds) * 1e3 + Double($0.components.attoseconds) / 1e15 }
        return Phase(seconds: Double(monotonicNanos() - t0) / 1e9, latenessMs: late, processCPU: processCPUSeconds() - cpu0)
    }

    private func statusRoundTrips(_ ctl: String, socket: String) throws -> [Double] {
        guard FileManager.default.isExecutableFile(atPath: ctl) else { throw BenchError("no treadctl at \(ctl) (--treadctl)") }
        return try (0..<statusRounds).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ctl)
            p.arguments = ["status", "--socket", socket]
            p.standardOutput = FileHandle.nullDevice
            let t0 = monotonicNanos()
            try p.run()
            p.waitUntilExit()
            let elapsed = Double(monotonicNanos() - t0) / 1e6
            guard p.terminationStatus == 0 else { throw BenchError("treadctl status exited \(p.terminationStatus)") }
            return elapsed
        }
    }

    private func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) throws {
        let deadline = monotonicNanos() + UInt64(timeout * 1e9)
        while !condition() {
            guard monotonicNanos() < deadline else { throw BenchError("timed out after \(timeout) s waiting for \(what)") }
            sleepNanos(5_000_000)
        }
    }
}

/// This process's CPU time (user + system, every thread), in seconds.
func processCPUSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}
