import Foundation
import Logging
import Synchronization
import TreadCore

/// Runs a `MotorDrive` on its own thread: connects (and reconnects with backoff), writes the
/// latest setpoint, polls status often enough to keep the drive's comm-loss timer fed, and
/// publishes feedback. The control loop only ever posts a setpoint and reads the last
/// feedback; neither call blocks on the bus.
///
/// A new setpoint wakes the thread at once, so a stop waits behind at most the one
/// transaction already on the wire, never behind a queue of polls.
public final class DriveLink: @unchecked Sendable {
    public struct Stats: Hashable, Sendable {
        public var transactions = 0
        public var errors = 0
        public var reconnects = 0
        public init() {}
    }

    private let makeDrive: @Sendable () -> any MotorDrive
    private let pollInterval: Duration
    private let setpointLifetime: Duration
    private let logger: Logger
    /// Told how long each status poll took (metrics); called on the drive thread, must not block.
    private let onPoll: (@Sendable (Duration) -> Void)?
    private let cond = PriorityInheritingCondition()
    // Guarded by `cond`.
    private var desired: DriveSetpoint = .stop
    private var desiredSerial = 0
    private var resetRequested = false
    private var feedback: DriveFeedback = .connecting
    private var feedbackAt: Instant?
    private var stats = Stats()
    private var lastSubmit: ContinuousClock.Instant? = nil
    /// Set when the link failed or a setpoint expired: run setpoints are replaced by a stop
    /// until the control loop itself submits a stop, so nothing restarts on its own.
    private var runInhibited = false
    /// An outage to report at least once, even if the link recovers before the next read.
    private var undeliveredOutage: String?
    private var stopping = false
    private var finished = false
    private var thread: Thread?
    /// Monotonic ns of the drive thread's last sign of life, stored without a lock.
    private let beat = Atomic<Int64>(0)

    /// Consecutive failed polls before the link is declared offline (a latched fault upstream).
    private let missedPollsAllowed: Int
    /// The drive thread's SCHED_FIFO priority, nil for normal: a woken stop must not queue for a CPU.
    private let realtime: RealtimePriority?

    /// - Parameter setpointLifetime: a run setpoint not renewed within this time is replaced by
    ///   a stop. Polling keeps the drive's own comm-loss timer fed, so without this a stalled
    ///   control loop would leave the belt running on its last setpoint.
    public init(pollInterval: Duration = .milliseconds(50), setpointLifetime: Duration = .milliseconds(300), missedPolls: Int = 3,
                realtime: RealtimePriority? = nil, logger: Logger, onPoll: (@Sendable (Duration) -> Void)? = nil,
                makeDrive: @escaping @Sendable () -> any MotorDrive) {
        self.onPoll = onPoll
        self.realtime = realtime
        self.missedPollsAllowed = max(1, missedPolls)
        self.makeDrive = makeDrive
        self.pollInterval = pollInterval
        self.setpointLifetime = setpointLifetime
        self.logger = logger
    }

    public func start() {
        let t = Thread { [self] in run() }
        t.name = "treadd-drive"
        t.qualityOfService = .userInteractive
        thread = t
        t.start()
    }

    public func submit(_ setpoint: DriveSetpoint, resetFault: Bool = false) {
        cond.lock()
        if setpoint != desired { desiredSerial += 1 }
        desired = setpoint
        if setpoint == .stop { runInhibited = false }
        if resetFault { resetRequested = true }
        lastSubmit = ContinuousClock.now
        cond.signal()
        cond.unlock()
    }

    /// A priority stop from the safety thread: a stop is written next, even when stop is
    /// already the setpoint (commands latch on most drives, so the stop frame goes out
    /// again), behind at most the one transaction on the wire.
    public func stopNow() {
        cond.lock()
        desired = .stop
        desiredSerial += 1
        runInhibited = false
        lastSubmit = ContinuousClock.now
        cond.signal()
        cond.unlock()
    }

    /// The latest feedback. An outage is reported at least once even when the link has
    /// recovered since, so the control loop always latches it.
    public var currentFeedback: DriveFeedback {
        cond.lock(); defer { cond.unlock() }
        if let outage = undeliveredOutage {
            undeliveredOutage = nil
            return .offline(reason: outage)
        }
        return feedback
    }

    /// The latest feedback with the instant it was published.
    public var currentReading: DriveReading {
        cond.lock(); defer { cond.unlock() }
        if let outage = undeliveredOutage {
            undeliveredOutage = nil
            return DriveReading(.offline(reason: outage), at: feedbackAt)
        }
        return DriveReading(feedback, at: feedbackAt)
    }

    /// When the drive thread last showed life: each loop turn, and while it waits. A thread
    /// stuck inside one libmodbus call leaves this old.
    public var heartbeat: Instant? {
        let n = beat.load(ordering: .relaxed)
        return n == 0 ? nil : Instant(nanoseconds: n)
    }

    private func tickHeartbeat() { beat.store(MonotonicClock.now().nanoseconds, ordering: .relaxed) }

    public var currentStats: Stats {
        cond.lock(); defer { cond.unlock() }
        return stats
    }

    /// Writes a final stop, closes the link and joins the thread.
    public func shutdown() {
        cond.lock()
        desired = .stop
        desiredSerial += 1
        stopping = true
        cond.broadcast()
        while thread != nil && !finished { cond.wait() }
        // The thread's closure holds self: dropping the thread ends the cycle (LeakSanitizer
        // found every DriveLink of the test run still alive at exit).
        thread = nil
        cond.unlock()
    }

    private func run() {
        if let realtime {
            if let refused = realtime.applyToCurrentThread() {
                logger.warning("drive thread: \(refused)")
            } else {
                logger.info("drive thread at \(realtime)")
            }
        }
        let drive = makeDrive()
        var backoff = Duration.milliseconds(100)
        var connected = false
        var written: (serial: Int, at: ContinuousClock.Instant)? = nil
        var failures = 0
        var staleReported = false
        let clock = ContinuousClock()
        while true {
            tickHeartbeat()
            cond.lock()
            let quit = stopping
            cond.unlock()
            if !connected {
                if quit { break }
                do {
                    try drive.connect()
                    connected = true
                    failures = 0
                    backoff = .milliseconds(100)
                    written = nil
                    logger.info("drive connected", metadata: ["drive": "\(drive.description)"])
                } catch {
                    publish(.offline(reason: "\(drive.description): \(error)"), error: true)
                    logger.warning("drive connect failed", metadata: ["drive": "\(drive.description)", "error": "\(error)"])
                    wait(for: backoff, unlessSerialChangesFrom: nil)
                    backoff = min(backoff * 2, .seconds(2))
                    bump(\.reconnects)
                    continue
                }
            }
            cond.lock()
            var (setpoint, token) = (desired, desiredSerial)
            let (serial, reset) = (desiredSerial, resetRequested)
            let fresh = lastSubmit.map { clock.now - $0 <= setpointLifetime } ?? false
            if !fresh, setpoint != .stop, !runInhibited {
                runInhibited = true
                undeliveredOutage = "the control loop stopped renewing the setpoint; the drive was stopped"
            }
            let inhibited = runInhibited
            cond.unlock()
            if inhibited, setpoint != .stop {
                if !staleReported { logger.error("run setpoint refused after an outage or a stalled control loop; stopping the drive") }
                staleReported = true
                setpoint = .stop
                token = -1
            } else {
                staleReported = false
            }
            do {
                // Rewrite the setpoint when it changed, and once a second anyway, so a drive
                // that lost a write (or was power-cycled) converges on what treadd wants.
                if written == nil || written!.serial != token || clock.now - written!.at > .seconds(1) {
                    try drive.command(setpoint)
                    written = (token, clock.now)
                }
                if reset {
                    try drive.resetFault()
                    cond.lock(); resetRequested = false; cond.unlock()
                    written = nil  // the reset may have changed the command word: write ours again
                }
                let polled = clock.now
                let report = try drive.readReport()
                onPoll?(clock.now - polled)
                failures = 0
                publish(.online(report), error: false)
            } catch {
                failures += 1
                bump(\.errors)
                logger.warning("drive transaction failed", metadata: ["error": "\(error)", "consecutive": "\(failures)"])
                if error.needsReconnect || failures >= missedPollsAllowed {
                    let reason = "\(drive.description): \(error)"
                    cond.lock()
                    undeliveredOutage = reason
                    runInhibited = true
                    cond.unlock()
                    publish(.offline(reason: reason), error: true)
                    drive.disconnect()
                    connected = false
                    // Back off before reopening: a vanished port must not become a busy loop.
                    wait(for: backoff, unlessSerialChangesFrom: nil)
                    backoff = min(backoff * 2, .seconds(2))
                    continue
                }
            }
            if quit { break }
            wait(for: pollInterval, unlessSerialChangesFrom: serial)
        }
        if connected { try? drive.command(.stop) }
        drive.disconnect()
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    private func publish(_ f: DriveFeedback, error: Bool) {
        let now = MonotonicClock.now()
        cond.lock()
        feedback = f
        feedbackAt = now
        if !error { stats.transactions += 1 }
        cond.unlock()
    }

    private func bump(_ key: WritableKeyPath<Stats, Int>) {
        cond.lock()
        stats[keyPath: key] += 1
        cond.unlock()
    }

    /// Sleeps until the deadline, a new setpoint, or shutdown, whichever comes first.
    private func wait(for d: Duration, unlessSerialChangesFrom serial: Int?) {
        let deadline = ContinuousClock.now + d
        cond.lock()
        while !stopping, serial == nil || desiredSerial == serial!, serial == nil || resetRequested == false {
            let left = deadline - ContinuousClock.now
            if left <= .zero { break }
            cond.unlock()
            tickHeartbeat()
            cond.lock()
            cond.wait(timeout: min(left, .milliseconds(100)))
        }
        cond.unlock()
    }
}
