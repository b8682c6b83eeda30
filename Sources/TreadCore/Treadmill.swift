/// What the control loop must do after a step: the drive-enable output, the drive setpoint,
/// and events to publish.
public struct Commands: Hashable, Sendable {
    public var enable: Bool
    public var drive: DriveSetpoint
    public var resetDriveFault: Bool
    public var events: [TreadEvent]

    public init(enable: Bool, drive: DriveSetpoint, resetDriveFault: Bool, events: [TreadEvent]) {
        self.enable = enable
        self.drive = drive
        self.resetDriveFault = resetDriveFault
        self.events = events
    }
}

/// Everything one control tick reads: the safety inputs (each line's worst value since the
/// last tick), the dated drive report, the hard stops the safety thread already acted on,
/// and whether the enable output could be written.
public struct Tick: Hashable, Sendable {
    public var inputs: SafetyInputs
    public var drive: DriveReading
    /// Every trip the safety thread made since the last tick; the core latches a fault for
    /// them even when the line was restored before this tick, so the gate's hold always ends
    /// in a visible fault.
    public var trips: [Fault]
    /// Why the last write of the enable output failed, if it did.
    public var enableFailure: String?

    public init(inputs: SafetyInputs, drive: DriveReading, trips: [Fault] = [], enableFailure: String? = nil) {
        self.inputs = inputs
        self.drive = drive
        self.trips = trips
        self.enableFailure = enableFailure
    }
}

/// The whole control logic of one treadmill: session, motion and interlock, with no I/O.
///
/// States: `idle` (no session, enable off) -> `running` on a start request -> `paused` (on
/// request or when the rails are let go in reverse; enable drops once the belt is still) ->
/// `running` again only on an explicit resume -> `stopping` (controlled stop at the end of
/// the program or on request) -> `idle`. Any hard-stop input, a drive that stops answering or
/// trips, or a drive running the wrong way moves to `fault` from any state in the same step:
/// enable off, stop sent urgently, session discarded. `fault` -> `idle` only by reset, and
/// only when the cause is gone. A new Treadmill starts `idle`: nothing resumes after restart.
public struct Treadmill: Sendable {
    public let limits: MachineLimits
    /// The state and the data it carries.
    public internal(set) var mode: TreadmillMode = .idle(.none)
    public internal(set) var planner: MotionPlanner
    public internal(set) var interlock: Interlock
    public internal(set) var inputs = SafetyInputs()
    public internal(set) var reading = DriveReading(.connecting, at: nil)
    /// The member training in the current (or last) session, if one was named.
    public internal(set) var member: Member?
    /// What the current (or last) session has done, measured from the belt; reset at start.
    public internal(set) var tally = SessionTally()
    var lastStep: Instant?
    var pending: [TreadEvent] = []
    /// A drive fault reset to send with the next commands (once).
    var resetDriveFault = false
    /// Holds the reported belt speed against what was commanded.
    public internal(set) var supervisor: SpeedSupervisor
    /// A drive report older than this is stale: a fault, and an unknown speed.
    public let feedbackBound: Duration
    /// Whether the drive report was fresh at the last step (or request).
    public internal(set) var feedbackFresh = false

    /// How long a belt may coast after a fault before a new session may start.
    public static let coastDownAfterFault = Duration.seconds(5)

    /// How long a drive trip is ignored after a reset, while the drive clears it.
    public static let driveResetWindow = Duration.seconds(2)

    /// - Parameter feedbackBound: the oldest drive report the core acts on; the daemon derives
    ///   it from the poll interval, the missed polls allowed and the response time-out.
    public init(limits: MachineLimits, railRule: Interlock.RailRule = .both, feedbackBound: Duration = .seconds(1)) {
        self.limits = limits
        self.planner = MotionPlanner(limits: limits)
        self.interlock = Interlock(rule: railRule, grace: limits.railGrace)
        self.supervisor = SpeedSupervisor(limits: limits)
        self.feedbackBound = feedbackBound
    }

    public var state: TreadmillState { mode.state }
    public var fault: Fault? { if case .fault(let f) = mode { f } else { nil } }
    public var session: SessionRunner? { mode.session }
    public var pauseReason: PauseReason? { if case .paused(_, let r) = mode { r } else { nil } }
    public var waitingForRails: Bool { if case .running(_, let w) = mode { w } else { false } }
    var coastingUntil: Instant? { if case .idle(let a) = mode { a.coastingUntil } else { nil } }
    var ignoreDriveTripUntil: Instant? { if case .idle(let a) = mode { a.ignoreDriveTripUntil } else { nil } }

    public var railsHeld: Bool { interlock.railsHeld(inputs) }

    /// The drive's feedback as last read, dated or not.
    public var drive: DriveFeedback { reading.feedback }

    /// The drive's report, when it is online and fresh; nil otherwise, so nothing downstream
    /// can mistake an old report for the belt's speed.
    public var freshReport: DriveReport? {
        guard feedbackFresh, case .online(let r) = reading.feedback else { return nil }
        return r
    }

    /// The belt speed the drive reports; nil when the report is missing or stale (unknown,
    /// which is not the same as stopped).
    public var beltSpeed: Speed? { freshReport?.beltSpeed }

    /// The direction the belt moves in: the drive's word for it, or, for a drive that reports
    /// none, the direction last commanded. Nil without a fresh report.
    public var beltDirection: Direction? {
        guard let r = freshReport else { return nil }
        return r.direction ?? planner.movingDirection ?? planner.lastDirection
    }

    public var standstill: Bool {
        guard let r = freshReport else { return false }
        return r.beltSpeed <= limits.standstill && r.zeroSpeedFlag != false
    }

    /// Takes the latest readings without deciding anything, so that a request handled before
    /// the next step (a reset just after the e-stop was released) judges today's inputs.
    /// Called by `handle` only.
    mutating func observe(_ tick: Tick, at now: Instant) {
        inputs = tick.inputs
        reading = tick.drive
        feedbackFresh = staleness(at: now) == nil
    }

    /// One control tick: read inputs and drive feedback, decide, return commands.
    mutating func step(_ tick: Tick, at now: Instant) -> Commands {
        let dt = lastStep.map { max(.zero, now - $0) } ?? .zero
        lastStep = now
        observe(tick, at: now)
        var events = pending
        pending = []

        if let cause = tick.trips.first ?? tick.enableFailure.map(Fault.enableOutput) ?? faultCause(at: now) {
            if fault == nil { events += latch(cause) }
        }
        if case .fault = mode {
            planner.halt()
            _ = planner.update(target: .stop, standstill: standstill, mayStart: false, at: now)
            return Commands(enable: false, drive: .stop, resetDriveFault: takeReset(), events: events)
        }

        let reverseMotion = mode.state == .running && planner.movingDirection == .reverse
        switch interlock.watchRails(inputs, reverseMotion: reverseMotion, at: now) {
        case .clear, .warning: break
        case .warningStarted(let grace): events.append(.railWarning(grace: grace))
        case .warningCleared: events.append(.railWarningCleared)
        case .stop: events += pauseRunning(.railsReleased)
        case .frontZoneOccupied: events += pauseRunning(.frontZoneOccupied)
        }

        let target = motionTarget
        let mayStart: Bool
        if case .move(.reverse, _) = target { mayStart = railsHeld && inputs.frontZoneClear } else { mayStart = true }
        for e in planner.update(target: target, standstill: standstill, mayStart: mayStart, at: now) {
            switch e {
            case .dwellStarted(let d, let t): events.append(.directionChangeAnnounced(to: d, in: t))
            case .waitingForPermission: events.append(.waitingForRails)
            case .started, .standstillReached: break
            }
        }
        if case .running(let s, _) = mode {
            let waiting = if case .ready(.reverse) = planner.phase { !railsHeld } else { false }
            mode = .running(s, waitingForRails: waiting)
        }

        if session != nil { addToTally(dt) }
        events += creditSessionTime(dt)
        if case .stopping = mode, planner.phase == .stopped { mode = .idle(.none) }
        return Commands(enable: enableWanted, drive: planner.setpoint, resetDriveFault: takeReset(), events: events)
    }

    /// Drive-enable: on while a session may move the belt, off at rest and in any fault, so
    /// the relay holds torque only when it is needed.
    private var enableWanted: Bool {
        switch mode {
        case .idle, .fault: return false
        case .running, .stopping: return true
        case .paused: return planner.phase != .stopped
        }
    }

    private var motionTarget: MotionTarget {
        guard case .running(let s, _) = mode, let seg = s.current else { return .stop }
        return .move(seg.direction, seg.speed)
    }

    /// The interlock's pause: only a running session is paused by it (it acts on reverse
    /// motion, which only a running session has).
    private mutating func pauseRunning(_ reason: PauseReason) -> [TreadEvent] {
        guard case .running(let s, _) = mode else { return [] }
        mode = .paused(s, reason)
        return [.paused(reason)]
    }

    /// Distance and energy from the belt speed the drive reports, in the direction it reports
    /// (or, for a drive that reports none, the direction last commanded).
    private mutating func addToTally(_ dt: Duration) {
        guard let r = freshReport, r.beltSpeed > limits.standstill else { return }
        tally.add(speed: r.beltSpeed, direction: beltDirection, grade: session?.current?.grade ?? 0,
                  massKg: member?.bodyMassKg, over: dt)
    }

    private mutating func creditSessionTime(_ dt: Duration) -> [TreadEvent] {
        guard case .running(var s, let waiting) = mode, let seg = s.current, planner.phase == .running(seg.direction) else { return [] }
        var events: [TreadEvent] = []
        for i in s.credit(dt) { events.append(.segmentStarted(index: i, segment: s.program.segments[i])) }
        if s.isFinished {
            mode = .stopping(s)
            events.append(.sessionFinished)
        } else {
            mode = .running(s, waitingForRails: waiting)
        }
        return events
    }

    private mutating func faultCause(at now: Instant) -> Fault? {
        if let hard = Interlock.hardStop(inputs) { return hard }
        if let stale = staleness(at: now) { return stale }
        switch reading.feedback {
        case .connecting: return nil
        case .offline(let outage): return Fault(outage)
        case .online(let report):
            let supervised = supervisor.check(report, commanded: supervisedCommand, at: now)
            if let trip = report.fault {
                if let until = ignoreDriveTripUntil, now < until { return supervised }
                return .driveTrip(trip)
            }
            if case .idle(var after) = mode, after.ignoreDriveTripUntil != nil {
                after.ignoreDriveTripUntil = nil
                mode = .idle(after)
            }
            return supervised
        }
    }

    /// The fault a report's age demands: an online report older than the bound, or one with
    /// no date at all.
    func staleness(at now: Instant) -> Fault? {
        guard case .online = reading.feedback else { return nil }
        guard let at = reading.at else { return .driveFeedbackStale(age: nil) }
        let age = now - at
        return age > feedbackBound ? .driveFeedbackStale(age: age) : nil
    }

    /// What the drive is carrying out now: the setpoint of the last step, and whether
    /// standstill had been verified under a stop.
    private var supervisedCommand: SpeedSupervisor.Command {
        if case .run(let d, let s) = planner.setpoint { return .run(d, s) }
        switch planner.phase {
        case .stopped, .dwelling, .ready: return .standing
        case .running, .rampingDown, .awaitingZero: return .stopping
        }
    }

    private mutating func latch(_ cause: Fault) -> [TreadEvent] {
        mode = .fault(cause)
        interlock.clearRailWarning()
        planner.halt()
        return [.faultLatched(cause)]
    }

    private mutating func takeReset() -> Bool {
        defer { resetDriveFault = false }
        return resetDriveFault
    }
}
