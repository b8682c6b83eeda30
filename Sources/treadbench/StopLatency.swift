import Foundation
import Logging
import TreadCore
import TreadHardware

/// One stop: when it was submitted, when its frame started and finished being written, and
/// what the drive thread was doing at the moment of the submit.
struct StopSample: Sendable {
    enum InFlight: String, Sendable { case poll, run_command, none }
    var submit: UInt64
    var writeStart: UInt64
    var writeEnd: UInt64
    var inFlight: InFlight
    /// End of the in-flight transaction minus the submit time; 0 when none was in flight.
    var remainder: UInt64

    var latencyMs: Double { Double(writeStart - submit) / 1e6 }
    var beyondInFlightMs: Double { Double(writeStart - submit) / 1e6 - Double(remainder) / 1e6 }
    var stopWriteMs: Double { Double(writeEnd - writeStart) / 1e6 }
}

struct StopLatencyResult {
    var samples: [StopSample]
    var missed: Int
    var polls: [Span]
    var seconds: Double
    var linkStats: DriveLink.Stats

    func count(_ k: StopSample.InFlight) -> Int { samples.filter { $0.inFlight == k }.count }
    var latency: Percentiles? { Percentiles(samples.map(\.latencyMs)) }
    var beyond: Percentiles? { Percentiles(samples.map(\.beyondInFlightMs)) }
    var beyondPollInFlight: Percentiles? { Percentiles(samples.filter { $0.inFlight == .poll }.map(\.beyondInFlightMs)) }
    var remainderPollInFlight: Percentiles? { Percentiles(samples.filter { $0.inFlight == .poll }.map { Double($0.remainder) / 1e6 }) }
    var stopWrite: Percentiles? { Percentiles(samples.map(\.stopWriteMs)) }
    var pollDuration: Percentiles? { Percentiles(polls.filter { !$0.failed }.map { Double($0.end - $0.start) / 1e6 }) }
}

/// Drives a real `DriveLink` (its own thread, the production loop) with run and stop
/// setpoints submitted at random moments, and times each stop from `submit(.stop)` to the
/// entry of `command(.stop)` on the drive thread.
///
/// Each stop is submitted only after the preceding run command has been written, and the
/// next run only after the stop has been written, so every submitted stop maps to exactly
/// one stop write (the first `command(.stop)` that starts after the submit).
func measureStopLatency(profile: DriveProfile, settings: ModbusSettings, stops: Int, timeLimit: Double, pollInterval: Double,
                        maxDelay: Double, seed: UInt64) throws -> StopLatencyResult {
    let log = SpanLog()
    var logger = Logger(label: "treadbench")
    logger.logLevel = .warning
    let link = DriveLink(pollInterval: .nanoseconds(Int64(pollInterval * 1e9)), logger: logger) { @Sendable in
        TimingDrive(ModbusDrive(profile: profile, settings: settings, calibration: benchCalibration, acceleration: 1.0, deceleration: 1.0), log: log)
    }
    link.start()
    defer { link.shutdown() }

    let online = Date().addingTimeInterval(5)
    while true {
        if case .online = link.currentFeedback { break }
        if case .offline(let reason) = link.currentFeedback, Date() > online { throw BenchError("drive link offline: \(reason)") }
        guard Date() < online else { throw BenchError("drive link not online after 5 s") }
        sleepNanos(1_000_000)
    }

    var rng = SplitMix64(seed: seed)
    let maxDelayNanos = UInt64(maxDelay * 1e9)
    func randomPause() { sleepNanos(maxDelayNanos == 0 ? 0 : UInt64.random(in: 0...maxDelayNanos, using: &rng)) }
    let run = DriveSetpoint.run(.forward, .kmh(3.0))

    var submits: [(submit: UInt64, write: Span)] = []
    var missed = 0
    let begin = monotonicNanos()
    let limit = begin + UInt64(timeLimit * 1e9)
    while submits.count < stops, monotonicNanos() < limit {
        let tRun = monotonicNanos()
        link.submit(run)
        guard log.waitForCommand(.run, startedAtOrAfter: tRun, timeout: 1) != nil else {
            throw BenchError("the run command was not written within 1 s (link stats \(link.currentStats))")
        }
        randomPause()
        let tStop = monotonicNanos()
        link.submit(.stop)
        if let w = log.waitForCommand(.stop, startedAtOrAfter: tStop, timeout: 1) {
            submits.append((tStop, w))
        } else {
            missed += 1
        }
        randomPause()
        if submits.count % 500 == 0, !submits.isEmpty { progress("  \(submits.count) stops") }
    }
    let seconds = Double(monotonicNanos() - begin) / 1e9
    let stats = link.currentStats
    let (polls, commands) = log.snapshot()
    let runs = commands.filter { $0.kind == .run }

    let containing = spanContaining
    let samples = submits.map { s -> StopSample in
        if let p = containing(s.submit, polls) {
            return StopSample(submit: s.submit, writeStart: s.write.start, writeEnd: s.write.end, inFlight: .poll, remainder: p.end - s.submit)
        }
        if let r = containing(s.submit, runs) {
            return StopSample(submit: s.submit, writeStart: s.write.start, writeEnd: s.write.end, inFlight: .run_command, remainder: r.end - s.submit)
        }
        return StopSample(submit: s.submit, writeStart: s.write.start, writeEnd: s.write.end, inFlight: .none, remainder: 0)
    }
    return StopLatencyResult(samples: samples, missed: missed, polls: polls.filter { $0.start >= begin }, seconds: seconds, linkStats: stats)
}
