import ArgumentParser
import Foundation
import TreadCore
import TreadHardware

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Any calibration will do: the benchmark only needs run setpoints the drive accepts.
let benchCalibration = BeltCalibration(kmhPerHz: 0.3333)

func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// First line of a command's output (stdout and stderr), or "unknown".
///
/// popen/pclose rather than Foundation's Process: Process.waitUntilExit was seen to hang for
/// minutes in the VM lane's emulated guest, and pclose is a plain waitpid.
func firstLine(_ arguments: [String]) -> String {
    let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ") + " 2>&1"
    guard let pipe = popen(command, "r") else { return "unknown" }
    var output = ""
    var buffer = [CChar](repeating: 0, count: 512)
    while fgets(&buffer, Int32(buffer.count), pipe) != nil {
        output += String(cString: buffer)
    }
    let status = pclose(pipe)
    let line = output.split(separator: "\n").first.map(String.init) ?? ""
    return status == 0 && !line.isEmpty ? line.trimmingCharacters(in: .whitespaces) : "unknown"
}

struct Treadbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadbench",
        abstract: "Benchmarks against a running treadsim: the drive layer (the default), or the interlock's reaction latency.",
        discussion: "`treadbench --port ...` runs the drive benchmark, as scripts/bench-drive.sh calls it; "
            + "`treadbench interlock --port ...` (scripts/bench-interlock.sh) the interlock one. See docs/benchmarks.md.",
        subcommands: [DriveBench.self, InterlockBench.self, HistoryBench.self, SubscriberBench.self, FleetSessionsBench.self],
        defaultSubcommand: DriveBench.self)
}

struct DriveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drive",
        abstract: "Benchmarks the drive layer against a running treadsim: status-poll rate against raw libmodbus, and stop latency through DriveLink (the default).",
        discussion: "Usually run by scripts/bench-drive.sh, which builds everything, starts treadsim and compiles benchmarks/raw_poll.c.")

    @Option(help: "treadsim's Modbus TCP host.")
    var host: String = "127.0.0.1"

    @Option(help: "treadsim's Modbus TCP port.")
    var port: Int

    @Option(help: "Modbus unit id.")
    var unit: Int = 1

    @Option(help: "Drive profile treadsim serves (status in one block, or one register at a time).")
    var profile: String = "Config/drives/delta-ms300.toml"

    @Option(name: .customLong("raw-poll"), help: ArgumentHelp("The compiled benchmarks/raw_poll.c.", valueName: "path"))
    var rawPoll: String

    @Option(help: "Seconds of polling per side (drive layer, raw) in total, split over the pairs.")
    var duration: Double = 10

    // Ten pairs: on a shared machine one round in five or so loses the CPU for most of its
    // second, and the median needs enough pairs to step over it.
    @Option(help: "Alternations drive, raw, drive, raw ...: each run lasts duration/pairs seconds.")
    var pairs: Int = 10

    @Option(help: "Untimed polls before each timed run.")
    var warmup: Int = 200

    @Option(help: "Stops to time.")
    var stops: Int = 2000

    @Option(name: .customLong("stop-time-limit"), help: "Upper bound in seconds on the stop-latency run.")
    var stopTimeLimit: Double = 50

    @Option(name: .customLong("link-poll-interval-ms"), help: "DriveLink poll interval during the stop-latency run; 0 polls back to back, so a poll is almost always in flight.")
    var linkPollIntervalMs: Double = 0

    @Option(name: .customLong("max-delay-ms"), help: "Upper bound of the random pause before each run and stop submit.")
    var maxDelayMs: Double = 2

    @Option(help: "Seed of the random submission schedule.")
    var seed: UInt64 = 1

    @Option(name: .customLong("results-dir"), help: "Where drive-<timestamp>.json is written.")
    var resultsDir: String = "benchmarks/results"

    @Option(name: .customLong("target-ratio"), help: "Target for the drive/raw poll-rate ratio.")
    var targetRatio: Double = 0.95

    @Option(name: .customLong("target-beyond-ms"), help: "Target for stop latency beyond the in-flight transaction, in ms.")
    var targetBeyondMs: Double = 2

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        guard duration > 0, pairs >= 1, warmup >= 0 else { throw ValidationError("--duration must be above 0, --pairs at least 1, --warmup at least 0") }
        guard stops >= 1, stopTimeLimit > 0, linkPollIntervalMs >= 0, maxDelayMs >= 0 else { throw ValidationError("bad stop-latency options") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let drive: DriveProfile
        do { drive = try DriveProfile.load(path: profile) } catch { throw BenchError(error.description) }
        let settings = ModbusSettings(transport: .tcp(host: host, port: port), unit: unit)
        progress("treadbench: \(drive.name) at \(settings.transport); status poll = FC03 \(rawPollReads(drive)) (address:count)")
        progress("status-poll rate: \(duration) s per side, as \(pairs) x (drive layer, raw libmodbus) of \(duration / Double(pairs)) s each")
        let rate = try measurePollRate(profile: drive, settings: settings, host: host, port: port, rawPoll: rawPoll,
                                       seconds: duration / Double(pairs), pairs: pairs, warmup: warmup)
        progress("stop latency: \(stops) stops, DriveLink poll interval \(linkPollIntervalMs) ms, random pauses 0...\(maxDelayMs) ms")
        let stop = try measureStopLatency(profile: drive, settings: settings, stops: stops, timeLimit: stopTimeLimit,
                                          pollInterval: linkPollIntervalMs / 1000, maxDelay: maxDelayMs / 1000, seed: seed)
        guard let latency = stop.latency, let beyond = stop.beyond else { throw BenchError("no stop was timed") }

        // The table.
        var rows: [Row] = [
            Row(metric: "status polls/s, drive layer (ModbusDrive.readReport)", value: String(format: "%.0f", rate.rate(.drive)), target: "", met: nil),
            Row(metric: "status polls/s, raw libmodbus (raw_poll.c)", value: String(format: "%.0f", rate.rate(.raw)), target: "", met: nil),
            Row(metric: "poll rate ratio drive/raw, all polls", value: String(format: "%.3f", rate.ratio), target: "", met: nil),
            Row(metric: "poll rate ratio drive/raw, median of \(pairs) pairs", value: String(format: "%.3f", rate.medianPairRatio),
                target: String(format: ">= %.2f", targetRatio), met: rate.medianPairRatio >= targetRatio),
        ]
        for (name, v) in [("p50", latency.p50), ("p99", latency.p99), ("p99.9", latency.p999), ("max", latency.max)] {
            rows.append(Row(metric: "stop latency \(name) (submit -> stop write)", value: ms(v), target: "", met: nil))
        }
        for (name, v) in [("p50", beyond.p50), ("p99", beyond.p99), ("p99.9", beyond.p999), ("max", beyond.max)] {
            rows.append(Row(metric: "stop latency beyond in-flight transaction \(name)", value: ms(v), target: String(format: "<= %g ms", targetBeyondMs),
                            met: v <= targetBeyondMs))
        }
        let table = renderTable(rows)
        let total = stop.samples.count
        let notes = [
            "poll rate drive/raw per pair: " + rate.pairRatios.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                + String(format: "; client CPU per poll: drive layer %.1f us, raw libmodbus %.1f us", rate.cpuMicrosPerPoll(.drive), rate.cpuMicrosPerPoll(.raw)),
            String(format: "stops timed: %d in %.1f s (%d not written within 1 s); in flight at submit: poll %d, run command %d, nothing %d",
                   total, stop.seconds, stop.missed, stop.count(.poll), stop.count(.run_command), stop.count(.none)),
            stop.pollDuration.map { String(format: "DriveLink status poll duration: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d polls)", $0.p50, $0.p99, $0.max, $0.count) } ?? "",
            stop.beyondPollInFlight.map { String(format: "beyond in-flight, stops with a poll in flight only: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms", $0.p50, $0.p99, $0.p999, $0.max) } ?? "",
            stop.stopWrite.map { String(format: "stop write (FC06) itself: p50 %.3f ms, max %.3f ms", $0.p50, $0.max) } ?? "",
        ].filter { !$0.isEmpty }

        // The JSON.
        let machine = machineInfo()
        let now = Date()
        let iso = ISO8601DateFormatter()
        let d = rate.total(.drive), r = rate.total(.raw)
        let json: [String: Any] = [
            "benchmark": "drive, " + drive.name + (drive.statusReadTransactions > 1 ? " (status one register at a time)" : " (status in one block)"),
            "time": iso.string(from: now),
            "machine": machine,
            "profile": ["path": profile, "name": drive.name],
            "server": "treadsim over tcp \(host):\(port) unit \(unit)",
            "poll_rate": [
                "status_reads": drive.statusReads.map { ["function": 3, "address": Int($0.address), "count": $0.count] },
                "seconds_per_side": duration, "seconds_per_run": duration / Double(pairs), "pairs": pairs, "warmup_polls": warmup,
                "rounds": rate.rounds.map(\.json),
                "drive_per_second": rate.rate(.drive), "raw_per_second": rate.rate(.raw),
                "drive_polls": d.polls, "raw_polls": r.polls, "drive_errors": d.errors, "raw_errors": r.errors,
                "ratio_drive_over_raw": rate.ratio, "ratio_per_pair": rate.pairRatios, "ratio_median_of_pairs": rate.medianPairRatio,
                "client_cpu_us_per_poll": ["drive": rate.cpuMicrosPerPoll(.drive), "raw": rate.cpuMicrosPerPoll(.raw)], "target_ratio_min": targetRatio, "met": rate.medianPairRatio >= targetRatio,
            ] as [String: Any],
            "stop_latency": [
                "stops": total, "missed": stop.missed, "seconds": stop.seconds,
                "link_poll_interval_ms": linkPollIntervalMs, "max_random_pause_ms": maxDelayMs, "seed": Double(seed),
                "in_flight_at_submit": ["poll": stop.count(.poll), "run_command": stop.count(.run_command), "none": stop.count(.none)],
                "latency_ms": latency.json,
                "beyond_in_flight_ms": beyond.json,
                "beyond_in_flight_ms_poll_in_flight_only": stop.beyondPollInFlight?.json ?? [:],
                "in_flight_remainder_ms_poll_in_flight_only": stop.remainderPollInFlight?.json ?? [:],
                "stop_write_ms": stop.stopWrite?.json ?? [:],
                "link_poll_duration_ms": stop.pollDuration?.json ?? [:],
                "link_stats": ["transactions": stop.linkStats.transactions, "errors": stop.linkStats.errors, "reconnects": stop.linkStats.reconnects],
                "target_beyond_in_flight_ms_max": targetBeyondMs, "met": beyond.max <= targetBeyondMs,
            ] as [String: Any],
            "table": rows.map(\.json),
        ]

        try report(name: "drive", at: now, table: table, notes: notes, machine: machine, json: json, dir: resultsDir)
    }
}

Treadbench.main()
