import Foundation
import TreadCore
import TreadHardware

/// What the drive thread was doing, with when it started and ended (monotonic ns).
struct Span: Sendable {
    enum Kind: String, Sendable { case poll, run, stop, reset, other }
    var kind: Kind
    var start: UInt64
    var end: UInt64
    var failed: Bool
}

/// The span containing `t` in a list sorted by start (spans that do not overlap), if any.
func spanContaining(_ t: UInt64, _ spans: [Span]) -> Span? {
    var lo = 0, hi = spans.count  // first index with start > t
    while lo < hi {
        let mid = (lo + hi) / 2
        if spans[mid].start <= t { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0, spans[lo - 1].end > t else { return nil }
    return spans[lo - 1]
}

/// The first of `boundaries` (sorted) after `t`, if any.
func firstAfter(_ t: UInt64, _ boundaries: [UInt64]) -> UInt64? {
    var lo = 0, hi = boundaries.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if boundaries[mid] <= t { lo = mid + 1 } else { hi = mid }
    }
    return lo < boundaries.count ? boundaries[lo] : nil
}

/// Spans recorded by `TimingDrive` on the drive thread, read by the benchmark's thread.
final class SpanLog: @unchecked Sendable {
    private let cond = NSCondition()
    // Guarded by `cond`. Polls and commands apart, each in the order they started (one thread
    // records them, one at a time).
    private var polls: [Span] = []
    private var commands: [Span] = []
    /// When the drive asked `shouldYield`, i.e. was about to start a transaction (or a slice
    /// of a sequence's pause): inside a span of several transactions, where each one begins.
    private var checkpoints: [UInt64] = []
    /// `resetFault` calls entered so far.
    private var resetsEntered = 0

    init() {
        polls.reserveCapacity(1 << 20)
        checkpoints.reserveCapacity(1 << 21)
    }

    func checkpoint(_ t: UInt64) {
        cond.lock()
        checkpoints.append(t)
        cond.unlock()
    }

    func resetEntered() {
        cond.lock()
        resetsEntered += 1
        cond.broadcast()
        cond.unlock()
    }

    var resetCount: Int {
        cond.lock(); defer { cond.unlock() }
        return resetsEntered
    }

    /// Waits until more than `count` resets have been entered; false at the timeout.
    func waitForReset(after count: Int, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock(); defer { cond.unlock() }
        while resetsEntered <= count {
            if !cond.wait(until: deadline) { return resetsEntered > count }
        }
        return true
    }

    var checkpointTimes: [UInt64] {
        cond.lock(); defer { cond.unlock() }
        return checkpoints
    }

    func record(_ span: Span) {
        cond.lock()
        if span.kind == .poll {
            polls.append(span)
        } else {
            commands.append(span)
            cond.broadcast()
        }
        cond.unlock()
    }

    /// Waits until a command of `kind` that started at or after `after` has ended; returns it,
    /// or nil at the timeout.
    func waitForCommand(_ kind: Span.Kind, startedAtOrAfter after: UInt64, timeout: Double) -> Span? {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock()
        defer { cond.unlock() }
        while true {
            for s in commands.reversed() {
                if s.start < after { break }
                if s.kind == kind { return s }
            }
            if !cond.wait(until: deadline) { return nil }
        }
    }

    func snapshot() -> (polls: [Span], commands: [Span]) {
        cond.lock()
        defer { cond.unlock() }
        return (polls, commands)
    }
}

/// A `MotorDrive` that forwards to another (a `ModbusDrive`) and timestamps each call: when
/// `command` and `readReport` are entered and when they return. The stop frame is written
/// by the first thing `ModbusDrive.command(.stop)` does, so the entry time of
/// `command(.stop)` is the stop write's start.
final class TimingDrive: MotorDrive {
    let inner: any MotorDrive
    let log: SpanLog

    /// False makes the wrapped drive never give up a transaction for a stop (the link is
    /// still asked, so its heartbeat beats): the behaviour before issue 16, as a baseline.
    let yields: Bool

    init(_ inner: any MotorDrive, log: SpanLog, yields: Bool = true) {
        self.inner = inner
        self.log = log
        self.yields = yields
    }

    var description: String { inner.description }

    /// Passed through, so the wrapped drive yields to a stop as it would unwrapped; each
    /// question is also logged as the start of a transaction.
    var shouldYield: (@Sendable () -> Bool)? {
        get { inner.shouldYield }
        set {
            guard let newValue else {
                inner.shouldYield = nil
                return
            }
            inner.shouldYield = { [log, yields] in
                log.checkpoint(monotonicNanos())
                return newValue() && yields
            }
        }
    }

    func connect() throws(DriveError) { try inner.connect() }

    func disconnect() { inner.disconnect() }

    func command(_ setpoint: DriveSetpoint) throws(DriveError) {
        let kind: Span.Kind = setpoint == .stop ? .stop : .run
        let start = monotonicNanos()
        do throws(DriveError) {
            try inner.command(setpoint)
        } catch {
            log.record(Span(kind: kind, start: start, end: monotonicNanos(), failed: true))
            throw error
        }
        log.record(Span(kind: kind, start: start, end: monotonicNanos(), failed: false))
    }

    func resetFault() throws(DriveError) {
        let start = monotonicNanos()
        log.resetEntered()
        do throws(DriveError) {
            try inner.resetFault()
        } catch {
            log.record(Span(kind: .reset, start: start, end: monotonicNanos(), failed: true))
            throw error
        }
        log.record(Span(kind: .reset, start: start, end: monotonicNanos(), failed: false))
    }

    func readReport() throws(DriveError) -> DriveReport {
        let start = monotonicNanos()
        let report: DriveReport
        do throws(DriveError) {
            report = try inner.readReport()
        } catch {
            log.record(Span(kind: .poll, start: start, end: monotonicNanos(), failed: true))
            throw error
        }
        log.record(Span(kind: .poll, start: start, end: monotonicNanos(), failed: false))
        return report
    }
}
