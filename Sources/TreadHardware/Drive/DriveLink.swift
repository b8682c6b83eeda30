import Foundation
import Logging
import Synchronization
import TreadCore

/// Runs a `MotorDrive` on its own thread: connects (and reconnects with backoff), writes the
/// latest setpoint, polls status often enough to keep the drive's comm-loss timer fed, and
/// publishes feedback. The control loop only ever posts a setpoint and reads the last
/// feedback; neither call blocks on the bus.
///
/// A new setpoint wakes the thread at once, and a stop interrupts whatever the thread is in
/// the middle of (a fault-reset sequence with its status polls, a status read of several
/// registers, a run command's second write; see `MotorDrive.shouldYield`), so a stop waits
/// behind at most the one transaction already on the wire, never behind a queue of them.
///
/// Feedback is dated (`currentReading`) and the thread keeps a heartbeat, so a supervisor
/// can tell a drive thread stuck inside one libmodbus call from a drive that answers.
///
/// What to write, when a run is refused and when the drive counts as offline is decided by
/// `LinkPolicy` (pure, in TreadCore, model-checked with the core); this class is its thread,
/// its lock and its bus.
public final class DriveLink: @unchecked Sendable {
    public struct Stats: Hashable, Sendable {
        public var transactions = 0
        public var errors = 0
        public var reconnects = 0
        public init() {}
    }

    private let makeDrive: @Sendable () -> any MotorDrive
    private let pollInterval: Duration
    private let logger: Logger
    /// Told how long each status poll took (metrics); called on the drive thread, must not block.
    private let onPoll: (@Sendable (Duration) -> Void)?
    private let cond = PriorityInheritingCondition()
    private let clock: any ThreadClock
    // Guarded by `cond`.
    private var policy: LinkPolicy
    private var feedback: DriveFeedback = .connecting
    /// When `feedback` was published (monotonic), nil before the first publication.
    private var feedbackAt: Instant?
    /// The setpoint serial the current step of the loop works for: a stop submitted since
    /// (a higher serial with a stop desired) makes the drive give up its next transaction.
    private var stepSerial = 0
    /// False while the link writes a stop itself: that stop is never interrupted.
    private var yieldable = false
    private var stats = Stats()
    private var stopping = false
    private var finished = false
    private var thread: Thread?
    /// Nanoseconds on `MonotonicClock` of the drive thread's last sign of life. Atomic and
    /// not under `cond`, so a reader never waits on the drive thread to learn it is stuck.
    private let beat: Atomic<Int64>
    /// The longest the thread waits without a heartbeat when nothing happens.
    static let heartbeatPeriod = Duration.milliseconds(20)

    /// The drive thread's SCHED_FIFO priority, nil for normal: a woken stop must not queue for a CPU.
    private let realtime: RealtimePriority?

    /// - Parameters:
    ///   - setpointLifetime: a run setpoint not renewed within this time is replaced by a stop.
    ///     Polling keeps the drive's own comm-loss timer fed, so without this a stalled control
    ///     loop would leave the belt running on its last setpoint.
    ///   - missedPolls: consecutive failed transactions before the drive is declared offline.
    ///   - feedbackBound: no run is written unless a status read completed this recently; the
    ///     daemon passes the core's own bound. By default, `missedPolls` cycles of a poll and
    ///     two one-second response time-outs, plus a poll.
    public init(pollInterval: Duration = .milliseconds(50), setpointLifetime: Duration = .milliseconds(300), missedPolls: Int = 3,
                feedbackBound: Duration? = nil, realtime: RealtimePriority? = nil, logger: Logger,
                onPoll: (@Sendable (Duration) -> Void)? = nil, clock: any ThreadClock = MonotonicThreadClock(),
                makeDrive: @escaping @Sendable () -> any MotorDrive) {
        self.clock = clock
        self.onPoll = onPoll
        self.realtime = realtime
        self.makeDrive = makeDrive
        self.pollInterval = pollInterval
        let bound = feedbackBound ?? (pollInterval + .seconds(2)) * max(1, missedPolls) + pollInterval
        self.policy = LinkPolicy(setpointLifetime: setpointLifetime, missedPolls: missedPolls, feedbackBound: bound)
        self.logger = logger
        self.beat = Atomic(clock.now().nanoseconds)
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
        policy.submit(setpoint, resetFault: resetFault, at: clock.now())
        cond.signal()
        cond.unlock()
    }

    /// `submit` without waking the drive thread, for a caller that holds a lock of its own:
    /// it must call `wake()` once that lock is released. The SafetyGate posts a tick's
    /// setpoint under its lock (so that a trip's priority stop, posted under the same lock,
    /// is never overtaken), but waking the drive thread there let it, at SCHED_FIFO,
    /// preempt the control loop while it held the gate, and an e-stop edge on the input
    /// thread then waited for the gate (docs/benchmarks.md, "Where the time goes").
    public func post(_ setpoint: DriveSetpoint, resetFault: Bool = false) {
        cond.lock()
        policy.submit(setpoint, resetFault: resetFault, at: clock.now())
        cond.unlock()
    }

    /// Wakes the drive thread to act on what was posted.
    public func wake() {
        cond.lock()
        cond.signal()
        cond.unlock()
    }

    /// A priority stop from the safety thread: a stop is written next, even when stop is
    /// already the setpoint (commands latch on most drives, so the stop frame goes out
    /// again), behind at most the one transaction on the wire.
    public func stopNow() {
        cond.lock()
        policy.stopNow(at: clock.now())
        cond.signal()
        cond.unlock()
    }

    /// The latest feedback, with the instant the drive thread published it (for `.online`,
    /// when the status read completed). An outage is reported at least once even when the
    /// link has recovered since, so the control loop always latches it; it is dated when the
    /// link found it.
    public var currentReading: DriveReading {
        cond.lock(); defer { cond.unlock() }
        if let outage = policy.takeOutage() {
            return DriveReading(.offline(outage.reason), at: outage.at)
        }
        return DriveReading(feedback, at: feedbackAt)
    }

    /// `currentReading` without its date, for callers that do not supervise its age yet.
    public var currentFeedback: DriveFeedback { currentReading.feedback }

    /// The drive thread's last sign of life: it beats at the top of every loop iteration,
    /// before and after every transaction, and at least every `heartbeatPeriod` while it
    /// waits. An old heartbeat means the thread is stuck (inside one libmodbus call, say).
    /// Before the thread starts, the instant the link was made.
    public var heartbeat: Instant { Instant(nanoseconds: beat.load(ordering: .relaxed)) }

    private func beatNow() { beat.store(clock.now().nanoseconds, ordering: .relaxed) }

    /// What the drive asks before each transaction: give up when a stop (or shutdown) came
    /// after the current step began, unless the link is writing a stop itself. A changed run
    /// setpoint does not interrupt: during a ramp the setpoint changes every control tick,
    /// and a status read of several registers would then never finish.
    private func stopIsWaiting() -> Bool {
        beatNow()
        cond.lock(); defer { cond.unlock() }
        return yieldable && (stopping || policy.stopWaiting(since: stepSerial))
    }

    /// Marks the start of a step working for setpoint `serial`; `yielding` false while the
    /// step is the link's own stop.
    private func beginStep(serial: Int, yielding: Bool) {
        beatNow()
        cond.lock()
        stepSerial = serial
        yieldable = yielding
        cond.unlock()
    }

    public var currentStats: Stats {
        cond.lock(); defer { cond.unlock() }
        return stats
    }

    /// Writes a final stop, closes the link and joins the thread.
    public func shutdown() {
        cond.lock()
        policy.stopNow(at: clock.now())
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
        drive.shouldYield = { [weak self] in self?.stopIsWaiting() ?? false }
        defer { drive.shouldYield = nil }  // a drive the caller keeps must not keep the link alive
        var backoff = Duration.milliseconds(100)
        var connected = false
        var refusalLogged = false
        // The poll's own latency is real time, whatever clock the link runs on.
        let latencyClock = ContinuousClock()
        while true {
            beatNow()
            cond.lock()
            let quit = stopping
            cond.unlock()
            if !connected {
                if quit { break }
                do {
                    try drive.connect()
                    beatNow()
                    connected = true
                    backoff = .milliseconds(100)
                    cond.lock(); policy.connected(); cond.unlock()
                    logger.info("drive connected", metadata: ["drive": "\(drive.description)"])
                } catch {
                    beatNow()
                    let reason = "\(drive.description): \(error)"
                    cond.lock(); policy.connectFailed(reason, at: clock.now()); cond.unlock()
                    publish(.offline(.cannotConnect(reason)), error: true)
                    logger.warning("drive connect failed", metadata: ["drive": "\(drive.description)", "error": "\(error)"])
                    wait(for: backoff, unlessSerialChangesFrom: nil)
                    backoff = min(backoff * 2, .seconds(2))
                    bump(\.reconnects)
                    continue
                }
            }
            cond.lock()
            let write = policy.next(at: clock.now())
            let (serial, reset) = (policy.serial, policy.resetRequested)
            cond.unlock()
            if let write {
                if write.refusal == .inhibited, !refusalLogged {
                    logger.error("run setpoint refused after an outage or a stalled control loop; stopping the drive")
                }
                refusalLogged = write.refusal == .inhibited
            }
            var resetting = false
            do throws(DriveError) {
                // What the policy says is due: a changed setpoint, a refused run's stop, or the
                // unchanged one again once a second, for a drive that lost a write.
                if let write {
                    beginStep(serial: serial, yielding: write.setpoint != .stop)
                    try drive.command(write.setpoint)
                    beatNow()
                    cond.lock(); policy.wrote(write, at: clock.now()); cond.unlock()
                }
                // From here on a stop submitted since this iteration read the setpoint
                // interrupts the step; the stop is written by the next iteration.
                beginStep(serial: serial, yielding: true)
                if reset {
                    resetting = true
                    try drive.resetFault()
                    beatNow()
                    resetting = false
                    cond.lock(); policy.resetDone(); cond.unlock()
                }
                let polled = latencyClock.now
                let report = try drive.readReport()
                let completed = clock.now()  // the reading's date: when the read completed
                beat.store(completed.nanoseconds, ordering: .relaxed)
                onPoll?(latencyClock.now - polled)
                publish(.online(report), at: completed, error: false)
            } catch .interrupted(let during) {
                beatNow()
                if resetting {
                    // Abandoned, not retried: the control loop asks again once the belt is stopped.
                    cond.lock(); policy.resetDone(); cond.unlock()
                    logger.notice("fault reset abandoned for a stop", metadata: ["during": "\(during)"])
                }
                // Not a failed poll: the drive answered everything it was asked. The stop goes next.
                beginStep(serial: serial, yielding: false)
                cond.lock(); let quitNow = stopping; cond.unlock()
                if quitNow { break }  // the final stop is written below
                continue
            } catch {
                beatNow()
                let reason = "\(drive.description): \(error)"
                cond.lock()
                let down = policy.transactionFailed(reason, needsReconnect: error.needsReconnect, at: clock.now())
                let consecutive = policy.failures
                stats.errors += 1
                cond.unlock()
                logger.warning("drive transaction failed", metadata: ["error": "\(error)", "consecutive": "\(consecutive)"])
                if down {
                    publish(.offline(.notAnswering(reason)), error: true)
                    drive.disconnect()
                    connected = false
                    // Back off before reopening: a vanished port must not become a busy loop.
                    wait(for: backoff, unlessSerialChangesFrom: nil)
                    backoff = min(backoff * 2, .seconds(2))
                    continue
                }
            }
            beginStep(serial: serial, yielding: false)
            if quit { break }
            // A run held back for want of a recent read goes out as soon as the read is in.
            if write?.refusal == .noRecentRead { continue }
            wait(for: pollInterval, unlessSerialChangesFrom: serial)
        }
        beginStep(serial: 0, yielding: false)
        if connected { try? drive.command(.stop) }
        drive.disconnect()
        beatNow()
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    private func publish(_ f: DriveFeedback, at date: Instant? = nil, error: Bool) {
        let at = date ?? clock.now()
        cond.lock()
        feedback = f
        feedbackAt = at
        if case .online = f { policy.readCompleted(at: at) }
        if !error { stats.transactions += 1 }
        cond.unlock()
    }

    private func bump(_ key: WritableKeyPath<Stats, Int>) {
        cond.lock()
        stats[keyPath: key] += 1
        cond.unlock()
    }

    /// Sleeps until the deadline, a new setpoint, or shutdown, whichever comes first,
    /// beating the heartbeat at least every `heartbeatPeriod`.
    private func wait(for d: Duration, unlessSerialChangesFrom serial: Int?) {
        let deadline = clock.now() + d
        cond.lock()
        while !stopping, serial == nil || policy.serial == serial!, serial == nil || policy.resetRequested == false {
            let now = clock.now()
            if now >= deadline { break }
            clock.wait(on: cond, until: min(deadline, now + Self.heartbeatPeriod))
            beatNow()
        }
        cond.unlock()
        beatNow()
    }
}
