/// What the control loop must do after a step: the drive-enable output, the drive setpoint,
/// and events to publish. `urgent` marks the stop of a fault; the drive link does not act on it
/// yet, because any new setpoint already wakes it ahead of its next poll.
public struct Commands: Hashable, Sendable {
    public var enable: Bool
    public var drive: DriveSetpoint
    public var urgent: Bool
    public var resetDriveFault: Bool
    public var events: [TreadEvent]

    public init(enable: Bool, drive: DriveSetpoint, urgent: Bool, resetDriveFault: Bool, events: [TreadEvent]) {
        self.enable = enable
        self.drive = drive
        self.urgent = urgent
        self.resetDriveFault = resetDriveFault
        self.events = events
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
    public internal(set) var state: TreadmillState = .idle
    public internal(set) var fault: Fault?
    public internal(set) var session: SessionRunner?
    public internal(set) var pauseReason: PauseReason?
    public internal(set) var planner: MotionPlanner
    public internal(set) var interlock: Interlock
    public internal(set) var inputs = SafetyInputs()
    public internal(set) var drive: DriveFeedback = .connecting
    public internal(set) var waitingForRails = false
    /// The member training in the current (or last) session, if one was named.
    public internal(set) var member: Member?
    /// What the current (or last) session has done, measured from the belt; reset at start.
    public internal(set) var tally = SessionTally()
    var lastStep: Instant?
    var pending: [TreadEvent] = []
    var wrongDirectionSince: Instant?
    var ignoreDriveTripUntil: Instant?
    var resetDriveFault = false
    /// While stop is commanded and the belt still moves: since when, and how long a
    /// controlled stop from that speed may take.
    var movingAfterStop: (since: Instant, allowance: Duration)?
    /// No start before this: a belt whose drive tripped or lost torque may coast while the
    /// drive reports 0 Hz.
    var coastingUntil: Instant?

    /// Margin on top of speed / deceleration before a belt that will not stop is a fault.
    public static let stopMargin = Duration.seconds(3)
    /// How long a belt may coast after a fault before a new session may start.
    public static let coastDownAfterFault = Duration.seconds(5)

    /// How long the drive may report the opposite direction, while clearly moving, before it
    /// is a fault. Covers the one status poll in flight when a run command changes.
    public static let wrongDirectionTolerance = Duration.milliseconds(500)
    /// How long a drive trip is ignored after a reset, while the drive clears it.
    public static let driveResetWindow = Duration.seconds(2)

    public init(limits: MachineLimits, railRule: Interlock.RailRule = .both) {
        self.limits = limits
        self.planner = MotionPlanner(limits: limits)
        self.interlock = Interlock(rule: railRule, grace: limits.railGrace)
    }

    public var railsHeld: Bool { interlock.railsHeld(inputs) }

    public var beltSpeed: Speed {
        if case .online(let r) = drive { return r.beltSpeed }
        return .zero
    }

    public var standstill: Bool {
        guard case .online(let r) = drive else { return false }
        return r.beltSpeed <= limits.standstill && r.zeroSpeedFlag != false
    }

    /// Takes the latest readings without deciding anything, so that a request handled before
    /// the next step (a reset just after the e-stop was released) judges today's inputs.
    public mutating func observe(inputs: SafetyInputs, drive: DriveFeedback) {
        self.inputs = inputs
        self.drive = drive
    }

    /// One control tick: read inputs and drive feedback, decide, return commands.
    public mutating func step(inputs: SafetyInputs, drive: DriveFeedback, at now: Instant) -> Commands {
        let dt = lastStep.map { max(.zero, now - $0) } ?? .zero
        lastStep = now
        self.inputs = inputs
        self.drive = drive
        var events = pending
        pending = []

        if let cause = faultCause(at: now) {
            if fault == nil { events += latch(cause) }
        }
        if state == .fault {
            planner.halt()
            _ = planner.update(target: .stop, standstill: standstill, mayStart: false, at: now)
            return Commands(enable: false, drive: .stop, urgent: true, resetDriveFault: takeReset(), events: events)
        }

        let reverseMotion = state == .running && planner.movingDirection == .reverse
        switch interlock.watchRails(inputs, reverseMotion: reverseMotion, at: now) {
        case .clear, .warning: break
        case .warningStarted(let grace): events.append(.railWarning(grace: grace))
        case .warningCleared: events.append(.railWarningCleared)
        case .stop:
            state = .paused
            pauseReason = .railsReleased
            events.append(.paused(.railsReleased))
        case .frontZoneOccupied:
            state = .paused
            pauseReason = .frontZoneOccupied
            events.append(.paused(.frontZoneOccupied))
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
        if case .ready(.reverse) = planner.phase, state == .running { waitingForRails = !railsHeld } else { waitingForRails = false }

        if session != nil { addToTally(dt) }
        events += creditSessionTime(dt)
        if state == .stopping, planner.phase == .stopped {
            state = .idle
            session = nil
        }
        return Commands(enable: enableWanted, drive: planner.setpoint, urgent: false, resetDriveFault: takeReset(), events: events)
    }

    /// Drive-enable: on while a session may move the belt, off at rest and in any fault, so
    /// the relay holds torque only when it is needed.
    private var enableWanted: Bool {
        switch state {
        case .idle, .fault: return false
        case .running, .stopping: return true
        case .paused: return planner.phase != .stopped
        }
    }

    private var motionTarget: MotionTarget {
        guard state == .running, let seg = session?.current else { return .stop }
        return .move(seg.direction, seg.speed)
    }

    /// Distance and energy from the belt speed the drive reports, in the direction it reports
    /// (or, for a drive that reports none, the direction last commanded).
    private mutating func addToTally(_ dt: Duration) {
        guard case .online(let r) = drive, r.beltSpeed > limits.standstill else { return }
        let direction = r.direction ?? planner.movingDirection ?? planner.lastDirection
        tally.add(speed: r.beltSpeed, direction: direction, grade: session?.current?.grade ?? 0,
                  massKg: member?.bodyMassKg, over: dt)
    }

    private mutating func creditSessionTime(_ dt: Duration) -> [TreadEvent] {
        guard state == .running, var s = session, let seg = s.current, planner.phase == .running(seg.direction) else { return [] }
        var events: [TreadEvent] = []
        for i in s.credit(dt) { events.append(.segmentStarted(index: i, segment: s.program.segments[i])) }
        if s.isFinished {
            state = .stopping
            events.append(.sessionFinished)
        }
        session = s
        return events
    }

    private mutating func faultCause(at now: Instant) -> Fault? {
        if let hard = interlock.hardStop(inputs) { return hard }
        switch drive {
        case .connecting: return nil
        case .offline(let why): return .driveOffline(why)
        case .online(let report):
            if let trip = report.fault {
                if let until = ignoreDriveTripUntil, now < until {
                    return wrongDirection(report, at: now) ?? notStopping(report, at: now)
                }
                return .driveTrip(trip)
            }
            ignoreDriveTripUntil = nil
            return wrongDirection(report, at: now) ?? notStopping(report, at: now)
        }
    }

    private mutating func wrongDirection(_ report: DriveReport, at now: Instant) -> Fault? {
        guard let commanded = planner.movingDirection, let reported = report.direction, report.running,
              reported != commanded, report.beltSpeed > limits.standstill
        else {
            wrongDirectionSince = nil
            return nil
        }
        let since = wrongDirectionSince ?? now
        wrongDirectionSince = since
        return now - since >= Self.wrongDirectionTolerance ? .wrongDirection(commanded: commanded, reported: reported) : nil
    }

    /// A belt still moving long after stop was commanded: the drive ignores stop, or the
    /// belt is driven by something else. The allowance is what a controlled stop from the
    /// speed seen when stop was first commanded takes, plus a margin.
    private mutating func notStopping(_ report: DriveReport, at now: Instant) -> Fault? {
        guard planner.setpoint == .stop, report.beltSpeed > limits.standstill else {
            movingAfterStop = nil
            return nil
        }
        if movingAfterStop == nil {
            movingAfterStop = (now, .fractionalSeconds(report.beltSpeed.kmh / limits.deceleration) + Self.stopMargin)
        }
        let m = movingAfterStop!
        return now - m.since > m.allowance ? .driveNotStopping(report.beltSpeed) : nil
    }

    private mutating func latch(_ cause: Fault) -> [TreadEvent] {
        fault = cause
        state = .fault
        coastingUntil = nil
        session = nil
        pauseReason = nil
        waitingForRails = false
        interlock.clearRailWarning()
        planner.halt()
        return [.faultLatched(cause)]
    }

    private mutating func takeReset() -> Bool {
        defer { resetDriveFault = false }
        return resetDriveFault
    }
}
