import Foundation
import TreadDaemon
import TreadHardware

/// The interlock benchmark's figures, computed from the edges once the daemon and the
/// subscribers have stopped.
struct InterlockFigures {
    var enable: Percentiles?
    var stopLatency: Percentiles?
    var beyond: Percentiles?
    var missedStops: Int
    var missedEnable: Int
    var controlFirst: Int
    var remainderPoll: Percentiles?
    var stopWrite: Percentiles?
    var pollDuration: Percentiles?
    /// Status polls and stop writes that started during the run.
    var runPolls: Int
    var stopWrites: Int
    /// When treadd dropped subscribers during the run (seconds into it; it drops one whose
    /// socket stops draining), how many were connected at its start, and the mean over it.
    var drops: [Double]
    var connectedAtStart: Int
    var meanConnected: Double

    init(_ run: InterlockBench.EdgeRun, log: SpanLog, subs: Subscribers, subscribers: Int) {
        let (begin, end, seconds, samples) = (run.begin, run.end, run.seconds, run.samples)
        drops = subs.closedAt.filter { $0 >= begin && $0 < end }.map { Double($0 - begin) / 1e9 }
        connectedAtStart = subscribers - run.closedBefore
        meanConnected = (Double(connectedAtStart) * seconds - drops.reduce(0) { $0 + (seconds - $1) }) / seconds

        let (polls, commands) = log.snapshot()
        let runPolls = polls.filter { $0.start >= begin && $0.start < end }
        self.runPolls = runPolls.count
        stopWrites = commands.filter { $0.kind == .stop && $0.start >= begin && $0.start < end }.count

        enable = Percentiles(samples.compactMap(\.enableMs))
        stopLatency = Percentiles(samples.compactMap(\.stopMs))
        beyond = Percentiles(samples.compactMap(\.beyondMs))
        missedStops = samples.filter { $0.stop == nil }.count
        missedEnable = samples.filter { $0.enableWrite == 0 }.count
        controlFirst = samples.filter(\.controlLoopFirst).count
        remainderPoll = Percentiles(samples.filter { $0.stop != nil && $0.inFlight == .poll }.map { Double($0.remainder) / 1e6 })
        stopWrite = Percentiles(samples.compactMap { $0.stop.map { Double($0.end - $0.start) / 1e6 } })
        pollDuration = Percentiles(runPolls.filter { !$0.failed }.map { Double($0.end - $0.start) / 1e6 })
    }
}

// MARK: Report

extension InterlockBench {
    /// The table: the edges, the latencies against their targets, and the load.
    func tableRows(_ run: EdgeRun, _ f: InterlockFigures) -> [Row] {
        let seconds = run.seconds
        var rows: [Row] = [
            Row(metric: "e-stop open edges injected (each followed by a close edge)", value: "\(run.samples.count)", target: ">= 10000", met: run.samples.count >= 10_000),
        ]
        if let e = f.enable {
            for (name, v) in [("p50", e.p50), ("p99", e.p99), ("p99.9", e.p999), ("max", e.max)] {
                let targeted = name == "p99.9"
                rows.append(Row(metric: "edge -> enable write \(name)", value: ms(v), target: targeted ? String(format: "<= %g ms", targetEnableMs) : "",
                                met: targeted ? v <= targetEnableMs : nil))
            }
        }
        if let tail = SlowEdges(run.samples) {
            rows.append(Row(metric: "edges slower than p99 to the enable write: count / with a lock wait / preempted / neither",
                            value: "\(tail.count) / \(tail.blocked) / \(tail.preempted) / \(tail.neither)", target: "", met: nil))
            rows.append(Row(metric: "  their wall time p50 / the injecting thread's CPU time in set() p50", value: String(format: "%.3f / %.3f ms", tail.wallMs, tail.cpuMs),
                            target: "", met: nil))
        }
        if let first = run.samples.first, first.enableWrite > 0 {
            let after = run.releasedStartupKiB.map { "after \($0) KiB of start-up pages were released" } ?? "start-up pages kept"
            rows.append(Row(metric: "first edge -> enable write, \(after)", value: ms(Double(first.enableWrite - first.t0) / 1e6), target: "", met: nil))
        }
        if let s = f.stopLatency {
            for (name, v) in [("p50", s.p50), ("p99", s.p99), ("p99.9", s.p999), ("max", s.max)] {
                rows.append(Row(metric: "edge -> stop write \(name)", value: ms(v), target: "", met: nil))
            }
        }
        if let b = f.beyond {
            for (name, v) in [("p50", b.p50), ("p99", b.p99), ("p99.9", b.p999), ("max", b.max)] {
                let targeted = name == "p99.9"
                rows.append(Row(metric: "edge -> stop write beyond in-flight transaction \(name)", value: ms(v),
                                target: targeted ? String(format: "<= %g ms", targetBeyondMs) : "", met: targeted ? v <= targetBeyondMs : nil))
            }
        }
        rows += [
            Row(metric: "edges whose stop write was not seen within 1 s", value: "\(f.missedStops)", target: "", met: nil),
            Row(metric: "edges without an enable write on the safety path", value: "\(f.missedEnable)", target: "", met: nil),
            Row(metric: "control-loop ticks during the run", value: String(format: "%d (%.1f/s)", run.ticks, Double(run.ticks) / seconds), target: "", met: nil),
            Row(metric: "subscriber lines received during the run", value: String(format: "%d (%.0f/s, %.1f MB)", run.lines, Double(run.lines) / seconds, Double(run.bytes) / 1e6),
                target: "", met: nil),
            Row(metric: "subscribers at start / dropped by treadd during the run", value: "\(f.connectedAtStart) / \(f.drops.count)", target: "", met: nil),
            Row(metric: "drive status polls during the run", value: String(format: "%d (%.1f/s)", f.runPolls, Double(f.runPolls) / seconds), target: "", met: nil),
        ]
        return rows
    }

    /// The notes under the table: what was measured and how, and the run's circumstances.
    func reportNotes(_ cfg: DaemonConfig, before: SessionBefore, _ run: EdgeRun, _ f: InterlockFigures, subs: Subscribers) -> [String] {
        let seconds = run.seconds
        let timed = run.samples.count - f.missedStops
        var notes: [String] = []
        notes.append(String(format: "%d edges in %.1f s; session %@ with enable %@ before the first edge; after the run: state %@, fault %@",
                            run.samples.count, seconds, before.state, before.enabled ? "on" : "off", run.stateAfter, run.faultAfter))
        notes.append("Only the first edge hit a running belt: after it the treadmill is faulted (latched; the benchmark never resets it), so the "
            + "relay is already de-energised and what is measured on later edges is the time until the safety path writes the enable "
            + "line (SafetyGate.trip() writes it on every trip) and until DriveLink.stopNow()'s stop frame goes out (every trip writes one).")
        notes.append("enable write = first EnableOutput.set(false) on the injecting thread after the edge (the safety path runs there, inside "
            + "SimulatedInputs.set); the control loop's tick wrote enable off first on \(f.controlFirst) edges (not counted as the reaction).")
        notes.append("stop write = entry of the first TimingDrive.command(.stop) that started at or after the edge; beyond in-flight = that minus "
            + "the rest of the transaction on the wire at the edge.")
        notes.append(String(format: "in flight on the drive thread at the edge (of %d timed): poll %d, stop command %d, run command %d, fault reset %d, other %d, nothing %d",
                            timed, run.count(.poll), run.count(.stop_command), run.count(.run_command), run.count(.fault_reset), run.count(.other), run.count(.none)))
        notes.append("profile \(cfg.profile.name): status read as " + (cfg.profile.statusReadTransactions > 1
            ? "\(cfg.profile.statusReadTransactions) transactions of one register each" : "one block read")
            + (cfg.profile.startSequence.isEmpty ? ", no start-up sequence" : ", a start-up sequence of \(cfg.profile.startSequence.count) steps"))
        if during == .faultReset {
            notes.append("each edge came 0...\(resetDelayMaxUs) us after a fault reset began (DriveLink.submit(.stop, resetFault: true)); "
                + "resets not seen within 1 s: \(run.resetsMissed)")
        }
        if let r = f.remainderPoll {
            notes.append(String(format: "in-flight poll remainder at the edge: p50 %.3f ms, max %.3f ms (%d edges)", r.p50, r.max, r.count))
        }
        if let d = f.pollDuration {
            notes.append(String(format: "DriveLink status poll duration: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d polls)", d.p50, d.p99, d.max, d.count))
        }
        if let w = f.stopWrite {
            notes.append(String(format: "stop write (FC06) itself: p50 %.3f ms, max %.3f ms; stop writes during the run: %d", w.p50, w.max, f.stopWrites))
        }
        let dropped = f.drops.count
        if dropped > 0 {
            notes.append(String(format: "treadd dropped %d subscribers whose sockets stopped draining (first %.1f s, last %.1f s into the %.1f s run); "
                                + "mean connected over the run %.1f; the one reader thread used %.1f s CPU",
                                dropped, f.drops.first!, f.drops.last!, seconds, f.meanConnected, subs.readerCPUSeconds))
        } else {
            notes.append(String(format: "no subscriber was dropped; the one reader thread used %.1f s CPU", subs.readerCPUSeconds))
        }
        let link = run.linkDelta
        notes.append("drive link during the run: \(link.transactions) transactions, \(link.errors) errors, \(link.reconnects) reconnects")
        return notes
    }

    /// The results file's JSON: the options, the figures, the load, the table and the notes.
    func resultJSON(_ cfg: DaemonConfig, at now: Date, machine: [String: Any], injectorPriority: String, before: SessionBefore,
                    _ run: EdgeRun, _ f: InterlockFigures, subs: Subscribers, rows: [Row], notes: [String]) -> [String: Any] {
        let seconds = run.seconds
        let (ticks, lines, bytes, link) = (run.ticks, run.lines, run.bytes, run.linkDelta)
        let enableMet = f.enable.map { $0.p999 <= targetEnableMs } ?? false
        let beyondMet = f.beyond.map { $0.p999 <= targetBeyondMs } ?? false
        return [
            "benchmark": "interlock" + caseLabel(cfg.profile) + ", " + (cfg.realtime?.description ?? "normal priority"),
            "during": during.rawValue, "resets_not_seen": run.resetsMissed, "drive_yields": !driveNeverYields,
            "time": ISO8601DateFormatter().string(from: now),
            "machine": machine,
            "config": config,
            "profile": cfg.profile.name,
            "server": "treadsim over tcp \(host):\(port) unit \(cfg.modbus.unit)",
            "control_hz": cfg.controlHz, "drive_poll_interval_ms": Self.milliseconds(cfg.pollInterval), "program": program,
            "drive_thread_priority": cfg.realtime?.description ?? "normal", "injecting_thread_priority": injectorPriority,
            "edges": run.samples.count, "edges_requested": edges, "seconds": seconds, "max_random_pause_ms": maxPauseMs, "seed": Double(seed),
            "edges_stop_not_seen_within_1s": f.missedStops, "edges_without_safety_path_enable_write": f.missedEnable,
            "edges_control_loop_wrote_enable_first": f.controlFirst,
            "enable_write_ms": f.enable?.json ?? [:],
            "stop_write_latency_ms": f.stopLatency?.json ?? [:],
            "stop_write_beyond_in_flight_ms": f.beyond?.json ?? [:],
            "in_flight_at_edge": Dictionary(uniqueKeysWithValues: EdgeSample.InFlight.allCases.map { ($0.rawValue, run.count($0)) }),
            "in_flight_remainder_ms_poll_in_flight_only": f.remainderPoll?.json ?? [:],
            "stop_write_ms": f.stopWrite?.json ?? [:],
            "link_poll_duration_ms": f.pollDuration?.json ?? [:],
            "load": [
                "control_loop_ticks": ticks, "control_loop_ticks_per_second": Double(ticks) / seconds,
                "subscribers": subscribers, "subscribers_at_start": f.connectedAtStart, "subscribers_dropped": f.drops.count,
                "subscriber_drop_times_s": f.drops, "subscribers_mean_connected": f.meanConnected, "subscriber_reader_cpu_seconds": subs.readerCPUSeconds,
                "subscriber_lines": lines, "subscriber_bytes": bytes, "subscriber_lines_per_second": Double(lines) / seconds,
                "drive_polls": f.runPolls,
                "link": ["transactions": link.transactions, "errors": link.errors, "reconnects": link.reconnects],
            ] as [String: Any],
            "session": ["state_before": before.state, "enable_before": before.enabled, "state_after": run.stateAfter, "fault_after": run.faultAfter],
            "targets": [
                "enable_write_p99_9_ms_max": targetEnableMs, "enable_met": enableMet,
                "stop_beyond_in_flight_p99_9_ms_max": targetBeyondMs, "stop_met": beyondMet,
            ],
            "notes": notes,
            "table": rows.map(\.json),
        ]
    }
}

/// Where the slowest edges' time went: the edges above the p99 of edge -> enable write, by
/// what the injecting thread did during `set` (`ThreadUsage`). "Neither" means no switch in or
/// out was recorded, so time beyond the thread's CPU time was lost outside this guest's view.
struct SlowEdges {
    var count: Int
    var blocked: Int
    var preempted: Int
    var neither: Int
    var wallMs: Double
    var cpuMs: Double

    init?(_ samples: [EdgeSample]) {
        let timed = samples.filter { $0.enableMs != nil && $0.usage != nil }
        guard timed.count >= 100, let p99 = Percentiles(timed.compactMap(\.enableMs))?.p99 else { return nil }
        let slow = timed.filter { $0.enableMs! > p99 }
        guard !slow.isEmpty else { return nil }
        count = slow.count
        blocked = slow.filter { $0.usage!.voluntarySwitches > 0 }.count
        preempted = slow.filter { $0.usage!.voluntarySwitches == 0 && $0.usage!.involuntarySwitches > 0 }.count
        neither = count - blocked - preempted
        wallMs = Percentiles(slow.compactMap(\.enableMs))!.p50
        cpuMs = Percentiles(slow.map { Double($0.usage!.cpuNanos) / 1e6 })!.p50
    }
}
