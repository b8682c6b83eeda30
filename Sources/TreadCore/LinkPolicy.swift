/// The drive link's decisions, without its thread, its lock or the bus: which setpoint goes
/// on the wire next, when a run setpoint is refused, and when the drive is declared offline.
/// Pure and fed with time, so the model check composes it with the input monitor, the core
/// and the gate, and a mutation of any rule here is caught by a test that needs no drive.
///
/// The rules, each a way a run command could otherwise outlive what justified it:
/// - a run setpoint not renewed within `setpointLifetime` is replaced by a stop (a stalled
///   control loop must not leave the belt running on its last word, while the link's own
///   polls keep the drive's comm-loss timer fed);
/// - a run is written only while a status read completed within `feedbackBound`: no run is
///   ever sent on feedback the core would call stale (the core latches that staleness itself;
///   here the run waits for the next read);
/// - after an outage (missed polls, a transport error, an expired setpoint) runs stay refused
///   until the control loop itself submits a stop, so nothing restarts on its own;
/// - every outage is reported at least once, even when the link recovers before the next read.
public struct LinkPolicy: Hashable, Sendable {
    /// An outage the control loop has not been told of yet, dated when the link found it.
    public struct Outage: Hashable, Sendable {
        public var reason: DriveOutage
        public var at: Instant
    }

    /// What goes on the wire next. `serial` is the submission it carries out; a refused run
    /// carries `nil` and its refusal, so the stop written in its place is rewritten once the
    /// refusal ends.
    public struct Write: Hashable, Sendable {
        public var setpoint: DriveSetpoint
        public var serial: Int?
        public var refusal: Refusal?
    }

    public enum Refusal: Hashable, Sendable {
        /// An outage or an expired setpoint: until the control loop submits a stop.
        case inhibited
        /// No status read within `feedbackBound`: until the next read completes.
        case noRecentRead
    }

    public let setpointLifetime: Duration
    public let missedPolls: Int
    public let feedbackBound: Duration
    /// How often an unchanged setpoint is written again, for a drive that lost a write or was
    /// power-cycled.
    public let rewriteInterval: Duration

    public private(set) var desired: DriveSetpoint = .stop
    /// Bumped by every submission that changes the setpoint, and by every priority stop.
    public private(set) var serial = 0
    public private(set) var submittedAt: Instant?
    /// Runs refused until the control loop submits a stop.
    public private(set) var inhibited = false
    /// Consecutive failed transactions.
    public private(set) var failures = 0
    /// When the last status read completed.
    public private(set) var lastReadAt: Instant?
    public private(set) var resetRequested = false
    public private(set) var undelivered: Outage?
    /// The last write, and when it went out.
    public private(set) var written: Written?

    public struct Written: Hashable, Sendable {
        public var write: Write
        public var at: Instant
    }

    public init(setpointLifetime: Duration, missedPolls: Int, feedbackBound: Duration, rewriteInterval: Duration = .seconds(1)) {
        self.setpointLifetime = setpointLifetime
        self.missedPolls = max(1, missedPolls)
        self.feedbackBound = feedbackBound
        self.rewriteInterval = rewriteInterval
    }

    /// The control loop's setpoint for this tick. A stop lifts the inhibit: the loop has seen
    /// the outage (it latched a fault) and asks for nothing to move.
    public mutating func submit(_ setpoint: DriveSetpoint, resetFault: Bool = false, at now: Instant) {
        if setpoint != desired { serial += 1 }
        desired = setpoint
        if setpoint == .stop { inhibited = false }
        if resetFault { resetRequested = true }
        submittedAt = now
    }

    /// The safety thread's stop: written next even when stop is already the setpoint, since
    /// commands latch on most drives and the frame must go out again.
    public mutating func stopNow(at now: Instant) {
        desired = .stop
        serial += 1
        inhibited = false
        submittedAt = now
    }

    /// What to write at `now`, or nil when what was last written still stands. A run whose
    /// justification is gone is refused here, and a stop written in its place: an expired
    /// setpoint is also an outage for the core (`setpointExpired`); a run waiting for a recent
    /// status read is not (the core judges the read's age itself).
    public mutating func next(at now: Instant) -> Write? {
        if desired != .stop, !inhibited, submittedAt.map({ now - $0 > setpointLifetime }) ?? true {
            refuse(.setpointExpired(lifetime: setpointLifetime), at: now)
        }
        let write: Write
        if desired == .stop {
            write = Write(setpoint: .stop, serial: serial)
        } else if inhibited {
            write = Write(setpoint: .stop, serial: nil, refusal: .inhibited)
        } else if lastReadAt.map({ now - $0 > feedbackBound }) ?? true {
            write = Write(setpoint: .stop, serial: nil, refusal: .noRecentRead)
        } else {
            write = Write(setpoint: desired, serial: serial)
        }
        if let last = written, last.write == write, now - last.at <= rewriteInterval { return nil }
        return write
    }

    /// The write went out.
    public mutating func wrote(_ write: Write, at now: Instant) { written = Written(write: write, at: now) }

    /// Whether a step working for submission `step` should give up before its next
    /// transaction: a stop has been asked for since. A changed run setpoint does not
    /// interrupt: during a ramp it changes every tick, and a multi-register read would never end.
    public func stopWaiting(since step: Int) -> Bool { desired == .stop && serial != step }

    public mutating func readCompleted(at now: Instant) {
        failures = 0
        lastReadAt = now
    }

    /// A fault reset ran (or was abandoned for a stop); the reset may have changed the
    /// drive's command word, so ours is written again.
    public mutating func resetDone() {
        resetRequested = false
        written = nil
    }

    /// A transaction failed. Returns true when the link must go offline and reconnect: the
    /// transport said so, or `missedPolls` transactions in a row failed.
    public mutating func transactionFailed(_ reason: String, needsReconnect: Bool, at now: Instant) -> Bool {
        failures += 1
        guard needsReconnect || failures >= missedPolls else { return false }
        refuse(.notAnswering(reason), at: now)
        return true
    }

    /// The link could not connect: an outage, and runs refused until the loop's stop. What was
    /// written is forgotten on the next `connected()`, when the drive may have lost it.
    public mutating func connectFailed(_ reason: String, at now: Instant) {
        refuse(.cannotConnect(reason), at: now)
    }

    /// A fresh connection: the drive may have forgotten everything, so the setpoint is written again.
    public mutating func connected() {
        failures = 0
        written = nil
    }

    /// The outage the control loop has not been told of, once.
    public mutating func takeOutage() -> Outage? {
        defer { undelivered = nil }
        return undelivered
    }

    private mutating func refuse(_ reason: DriveOutage, at now: Instant) {
        inhibited = true
        undelivered = Outage(reason: reason, at: now)
    }
}
