@testable import TreadCore

/// The safety chain as the daemon composes it, every part pure: the input monitor (fed by an
/// input thread that may die), the core, the gate, and the drive link's policy (on a drive
/// thread that may stick or a drive that may stop answering), driving an adversarial belt that
/// may run away, overspeed, lag, freeze its reports or creep at standstill, through an enable
/// relay whose write may fail and a hardware watchdog that drops torque when the pulses stop.
///
/// One step is one control tick: the physical change, the input thread's reaction to it, one
/// drive-link iteration (write what is due, read the drive), the control tick (take, request,
/// step, gate, enable write, submit), then `tick` of belt physics. The invariants of
/// ../shared/SAFETY.md, and the supervision issue's, are checked on every step against the
/// world's truth, not against what the parts believe.
struct CompositionWorld {
    enum Belt: Hashable, CaseIterable {
        case obeys, runsAway, overspeeds, lags, freezesReport, creeps
    }

    enum Action: Hashable, CaseIterable {
        // What a member does (free). The safety key takes the e-stop's path through the
        // monitor and the core (the core-only model check toggles both).
        case wait, estop, rails, start, stop, reset
        /// The e-stop pressed and released between two control ticks.
        case estopBlip
        /// The e-stop pressed during a control tick: after the take, before the gate applies
        /// the commands computed from readings that do not include it (the race the gate's
        /// latch exists for).
        case estopMidTick
        // What goes wrong (each costs one unit of the adversity budget, and lasts).
        case belt(Belt)
        case driveStopsAnswering, driveThreadSticks, controlThreadStalls, inputThreadDies, enableWriteFails, estopLineLost
        /// The e-stop line lost and restored between two control ticks (a loose connector).
        case estopLineBlips

        static var allCases: [Action] {
            [.wait, .estop, .rails, .start, .stop, .reset, .estopBlip, .estopMidTick] + Belt.allCases.filter { $0 != .obeys }.map(Action.belt)
                + [.driveStopsAnswering, .driveThreadSticks, .controlThreadStalls, .inputThreadDies, .enableWriteFails,
                   .estopLineLost, .estopLineBlips]
        }

        var adversity: Int {
            switch self {
            case .wait, .estop, .rails, .start, .stop, .reset, .estopBlip, .estopMidTick: 0
            default: 1
            }
        }
    }

    typealias Violation = InvariantWorld.Violation

    let limits: MachineLimits
    let program: Program
    let tick: Duration
    /// The control loop's bound on a silent input thread before every line is declared lost.
    let inputHeartbeatBound: Duration
    static let physicalMax = 4.0

    var monitor: InputMonitor
    var gate = GateLatch()
    var link: LinkPolicy
    var treadmill: Treadmill
    var now = Instant.seconds(1000)

    // The world's truth.
    /// Signed belt speed in km/h: forward positive.
    var velocity = 0.0
    var belt = Belt.obeys
    var frozenReport: DriveReport?
    /// The setpoint the drive last received.
    var driveCommand = DriveSetpoint.stop
    var driveAnswers = true
    var driveThreadStuckSince: Instant?
    var controlStalledSince: Instant?
    var inputThreadDiedAt: Instant?
    var inputsDeclaredLost = false
    var estop = true, key = true, rails = true
    var estopLineLost = false
    var enableWriteFails = false
    /// The relay as it is (a failed write leaves it as it was).
    var relay = false
    /// What the software last tried to write to the relay.
    var relayCommanded = false
    /// Whether the last enable write succeeded (the daemon's `relayState` is `.unknown` otherwise).
    var relayKnown = true
    var enableFailure: String?
    /// The hardware watchdog on the relay is fed: the control loop pulsed it this tick.
    var pulsing = false
    /// What the drive thread last published, with its date.
    var published = DriveReading(.connecting, at: nil)
    /// When the drive last answered a status read: the world's own record, not the policy's.
    var lastRead: Instant?
    var adversity = 0

    // What the invariants remember.
    var lastRunDirection: Direction?
    var standstillSinceLastRun = true
    var trackingOffSince: Instant?
    var movingUnderStopSince: Instant?
    var wrongWaySince: Instant?

    init(limits: MachineLimits, program: Program, tick: Duration, feedbackBound: Duration, setpointLifetime: Duration,
         missedPolls: Int, inputHeartbeatBound: Duration) {
        self.limits = limits
        self.program = program
        self.tick = tick
        self.inputHeartbeatBound = inputHeartbeatBound
        monitor = InputMonitor(lines: [.estop, .safetyKey, .railLeft, .railRight])
        link = LinkPolicy(setpointLifetime: setpointLifetime, missedPolls: missedPolls, feedbackBound: feedbackBound)
        treadmill = Treadmill(limits: limits, feedbackBound: feedbackBound)
        // The input thread's first readings, and a drive already polled: an idle, ready machine.
        for line in monitor.lines { _ = monitor.receive(.edge(line, permissive: true, at: now)) }
        _ = monitor.take(at: now)
        read()
    }

    var torque: Bool { relay && pulsing }

    var report: DriveReport {
        if let frozenReport { return frozenReport }
        let dir: Direction? = velocity > 0 ? .forward : velocity < 0 ? .reverse : nil
        return DriveReport(beltSpeed: .kmh(abs(velocity)), direction: dir, running: velocity != 0)
    }

    /// Applies `action`, runs one control tick and `tick` of physics; throws the first broken invariant.
    func next(_ action: Action) throws(Violation) -> CompositionWorld {
        var w = self
        w.adversity += action.adversity
        let before = w.treadmill.state
        switch action {
        case .wait, .start, .stop, .reset, .estopBlip, .estopMidTick, .estopLineBlips: break
        case .estop: w.estop.toggle()
        case .rails: w.rails.toggle()
        case .belt(let b):
            w.belt = b
            w.frozenReport = b == .freezesReport ? w.report : nil
        case .driveStopsAnswering: w.driveAnswers = false
        case .driveThreadSticks: w.driveThreadStuckSince = w.driveThreadStuckSince ?? w.now
        case .controlThreadStalls: w.controlStalledSince = w.controlStalledSince ?? w.now
        case .inputThreadDies: w.inputThreadDiedAt = w.inputThreadDiedAt ?? w.now
        case .enableWriteFails: w.enableWriteFails = true
        case .estopLineLost: w.estopLineLost = true
        }

        // The input thread reacts to the change at once.
        if w.inputThreadDiedAt == nil {
            if action == .estopBlip, w.estop, !w.estopLineLost {
                w.react(.edge(.estop, permissive: false, at: w.now))
                w.react(.edge(.estop, permissive: true, at: w.now))
            }
            if action == .estopLineBlips, !w.estopLineLost {
                w.react(.lost(.estop, reason: "model: connector", at: w.now))
                w.react(.restored(.estop, permissive: w.estop, at: w.now))
            }
            w.deliverInputs()
        }
        // The drive thread: one iteration.
        if w.driveThreadStuckSince == nil { try w.driveIteration() }
        // The control tick.
        var resetAccepted = false
        if w.controlStalledSince == nil {
            resetAccepted = try w.controlTick(action)
        } else {
            w.pulsing = false
        }
        try w.checkInvariants(after: action, stateBefore: before, resetAccepted: resetAccepted)
        w.physics()
        w.now = w.now + tick
        return w
    }

    // MARK: The parts, as the daemon runs them

    private mutating func deliverInputs() {
        let physical: [(InputLine, Bool)] = [(.estop, estop), (.safetyKey, key), (.railLeft, rails), (.railRight, rails)]
        let lostNow = monitor.peek().sensorFault != nil
        if estopLineLost, !lostNow {
            react(.lost(.estop, reason: "model: line request failed", at: now))
        } else if !estopLineLost, lostNow, !inputsDeclaredLost {
            react(.restored(.estop, permissive: estop, at: now))
        }
        for (line, level) in physical where !(line == .estop && estopLineLost) && monitor.levels[line] != level {
            react(.edge(line, permissive: level, at: now))
        }
    }

    /// SafetyMonitor.handle: the monitor's reflex trips the gate (enable off, priority stop).
    private mutating func react(_ event: InputEvent) {
        if case .trip(let f) = monitor.receive(event) {
            gate.trip(f)
            _ = writeEnable(false)
            link.stopNow(at: now)
        }
    }

    /// SafetyGate.write: a failed write leaves the relay as it was, unknown to the software,
    /// and stops the drive.
    private mutating func writeEnable(_ on: Bool) -> Bool {
        relayCommanded = on
        guard !enableWriteFails else {
            if enableFailure == nil { enableFailure = "model: enable write failed" }
            relayKnown = false
            link.stopNow(at: now)
            return false
        }
        relay = on
        relayKnown = true
        return true
    }

    private mutating func driveIteration() throws(Violation) {
        if let write = link.next(at: now) {
            guard driveAnswers else {
                fail()
                return
            }
            if case .run(let d, let s) = write.setpoint {
                // No run command is ever sent on stale feedback.
                guard let lastRead, now - lastRead <= link.feedbackBound else {
                    throw Violation(description: "run \(d) \(s) written with the last status read \(lastRead.map { "\(now - $0)" } ?? "never") ago")
                }
                if s > limits.maxSpeed(d) { throw Violation(description: "\(d) at \(s) beyond the limit \(limits.maxSpeed(d))") }
                // A run the other way only after a verified standstill under a stop.
                if let last = lastRunDirection, last != d, !standstillSinceLastRun {
                    throw Violation(description: "direction changed \(last) -> \(d) without a verified standstill")
                }
                if lastRunDirection != d { standstillSinceLastRun = false }
                lastRunDirection = d
            }
            driveCommand = write.setpoint
            link.wrote(write, at: now)
        }
        guard driveAnswers else {
            fail()
            return
        }
        if link.resetRequested { link.resetDone() }
        read()
    }

    private mutating func read() {
        let r = report
        published = DriveReading(.online(r), at: now)
        link.readCompleted(at: now)
        lastRead = now
        if driveCommand == .stop, r.beltSpeed <= limits.standstill, velocity == 0 { standstillSinceLastRun = true }
    }

    private mutating func fail() {
        if link.transactionFailed("model: drive not answering", needsReconnect: false, at: now) {
            published = DriveReading(.offline(.notAnswering("model: drive not answering")), at: now)
            link.connected()  // the transport reconnects; the drive still does not answer
        }
    }

    /// ControlLoop.run's tick. Returns whether a reset request was accepted.
    private mutating func controlTick(_ action: Action) throws(Violation) -> Bool {
        if let died = inputThreadDiedAt, now - died > inputHeartbeatBound, !inputsDeclaredLost {
            inputsDeclaredLost = true
            for line in monitor.lines.sorted(by: { $0.rawValue < $1.rawValue }) {
                react(.lost(line, reason: "model: input thread silent", at: now))
            }
        }
        let take = monitor.take(at: now)
        let seen = gate.trips
        let reading = link.takeOutage().map { DriveReading(.offline($0.reason), at: $0.at) } ?? published
        let failure = enableFailure
        enableFailure = nil
        let t = Tick(inputs: take.inputs, drive: reading, trips: take.trips, enableFailure: failure)
        let request: Treadmill.Request? = switch action {
        case .start: .start(program, member: nil)
        case .stop: .stop
        case .reset: .reset
        case .wait, .estop, .rails, .estopBlip, .estopMidTick, .belt, .driveStopsAnswering, .driveThreadSticks,
             .controlThreadStalls, .inputThreadDies, .enableWriteFails, .estopLineLost, .estopLineBlips: nil
        }
        let handled = treadmill.handle(.tick(t, requests: request.map { [$0] } ?? []), at: now)
        let resetAccepted = action == .reset && (try? handled.replies[0].get()) != nil
        let commands = handled.commands!
        let tripsBefore = gate.trips
        if action == .estopMidTick, estop, !estopLineLost, inputThreadDiedAt == nil {
            estop = false
            react(.edge(.estop, permissive: false, at: now))
        }
        let out = gate.pass(commands, latched: treadmill.state == .fault, seen: seen)
        // A trip the core has not seen yet is shown as a hold until the core has latched on it.
        if gate.trips > tripsBefore, gate.hold == nil {
            throw Violation(description: "a trip made during the tick vanished from status before the core saw it")
        }
        // While the gate holds, nothing but a stop reaches the drive link.
        if gate.hold != nil, out.drive != .stop {
            throw Violation(description: "\(out.drive) passed the gate while it holds for \(gate.hold!)")
        }
        let written = writeEnable(out.enable)
        link.submit(written ? out.drive : .stop, resetFault: out.resetFault, at: now)
        // The enable watchdog pulses only while everything it guards is known good.
        let driveAlive = driveThreadStuckSince.map { now - $0 <= link.feedbackBound } ?? true
        let inputsAlive = inputThreadDiedAt.map { now - $0 <= inputHeartbeatBound } ?? true
        pulsing = commands.enable && written && relayKnown && relay && gate.hold == nil && driveAlive && inputsAlive
        return resetAccepted
    }

    /// The belt over one tick. Without torque every belt coasts down: no drive accelerates a
    /// motor it has no power for.
    private mutating func physics() {
        let dt = tick.inSeconds
        var target = 0.0
        if torque, case .run(let d, let s) = driveCommand { target = d == .forward ? s.kmh : -s.kmh }
        guard torque else {
            approach(0, rate: limits.deceleration * dt)
            return
        }
        switch belt {
        case .obeys, .freezesReport: follow(target, dt)
        case .overspeeds: follow(target * 1.5, dt)
        case .lags: break
        case .creeps: if target == 0 { approach(0.5, rate: limits.acceleration * dt) } else { follow(target, dt) }
        case .runsAway:
            let sign = velocity < 0 ? -1.0 : 1.0
            velocity = sign * min(Self.physicalMax, abs(velocity) + limits.acceleration * dt)
        }
    }

    private mutating func follow(_ target: Double, _ dt: Double) {
        let speedingUp = abs(target) > abs(velocity) && (velocity == 0 || (target > 0) == (velocity > 0))
        if speedingUp {
            approach(target, rate: limits.acceleration * dt)
        } else {
            approach((target != 0 && (target > 0) != (velocity > 0) && velocity != 0) ? 0 : target, rate: limits.deceleration * dt)
        }
    }

    private mutating func approach(_ goal: Double, rate: Double) {
        velocity = goal > velocity ? min(goal, velocity + rate) : max(goal, velocity - rate)
    }

    // MARK: Invariants

    private mutating func checkInvariants(after action: Action, stateBefore: TreadmillState, resetAccepted: Bool) throws(Violation) {
        let inputsDead = inputThreadDiedAt.map { now - $0 > inputHeartbeatBound + tick } ?? false
        // Enable off whenever the e-stop is open, the key is out or the e-stop line is lost,
        // as soon as a live input thread has seen it; and always once the input thread is dead.
        if relayCommanded, inputThreadDiedAt == nil, !estop || !key || estopLineLost {
            throw Violation(description: "enable on with estop=\(estop) key=\(key) estop line lost=\(estopLineLost)")
        }
        if relayCommanded, inputsDead { throw Violation(description: "enable on with the input thread dead since \(inputThreadDiedAt!)") }
        // A stuck drive thread is stale feedback: a fault, with enable off.
        if let since = driveThreadStuckSince, now - since > link.feedbackBound + tick * 2 {
            if relayCommanded || treadmill.state != .fault {
                throw Violation(description: "drive thread stuck for \(now - since): enable \(relayCommanded), state \(treadmill.state)")
            }
        }
        // A stalled control loop: torque drops at once (the watchdog's pulses stop), and a
        // drive that answers is sent a stop within the setpoint's lifetime.
        if let since = controlStalledSince {
            if torque { throw Violation(description: "torque on with the control loop stalled") }
            if driveAnswers, driveThreadStuckSince == nil, now - since > link.setpointLifetime + tick * 2, driveCommand != .stop {
                throw Violation(description: "drive still commanded \(driveCommand) \(now - since) after the control loop stalled")
            }
        }
        // Every gate hold ends in a latched fault in the tick that takes its trips (a trip
        // made during this tick, after its take, is taken by the next one).
        if controlStalledSince == nil, action != .estopMidTick, let hold = gate.hold {
            throw Violation(description: "gate holds for \(hold) after the tick, core \(treadmill.state)")
        }
        // No way out of a fault but an accepted reset.
        if stateBefore == .fault, treadmill.state != .fault, !resetAccepted {
            throw Violation(description: "left the fault by \(action)")
        }
        try checkBelt()
    }

    /// The belt's truth under torque: each way it can disobey is cut off within a bound.
    private mutating func checkBelt() throws(Violation) {
        guard torque else {
            trackingOffSince = nil
            movingUnderStopSince = nil
            wrongWaySince = nil
            return
        }
        let step = limits.acceleration * tick.inSeconds
        let direction: Direction = velocity < 0 ? .reverse : .forward
        let ceiling = limits.maxSpeed(direction).kmh + limits.overspeedMargin.kmh + step
        if abs(velocity) > ceiling + 1e-9 {
            throw Violation(description: "belt at \(velocity) km/h under torque, ceiling \(ceiling)")
        }
        switch driveCommand {
        case .run(let d, let s):
            movingUnderStopSince = nil
            let target = d == .forward ? s.kmh : -s.kmh
            let tolerance = max(limits.trackingTolerance.kmh, limits.trackingShare * s.kmh) + step
            trackingOffSince = abs(velocity - target) > tolerance + 1e-9 ? trackingOffSince ?? now : nil
            if let since = trackingOffSince, now - since > limits.trackingTime + tick * 3 {
                throw Violation(description: "belt at \(velocity) km/h against \(target) for \(now - since) under torque")
            }
            let wrongWay = (d == .forward && velocity < -limits.standstill.kmh) || (d == .reverse && velocity > limits.standstill.kmh)
            wrongWaySince = wrongWay ? wrongWaySince ?? now : nil
            if let since = wrongWaySince, now - since > SpeedSupervisor.wrongDirectionTolerance + tick * 3 {
                throw Violation(description: "belt running \(velocity) km/h against a \(d) command for \(now - since)")
            }
        case .stop:
            trackingOffSince = nil
            wrongWaySince = nil
            movingUnderStopSince = abs(velocity) > limits.standstill.kmh ? movingUnderStopSince ?? now : nil
            let bound = Duration.fractionalSeconds(Self.physicalMax / limits.deceleration) + SpeedSupervisor.stopGrace + tick * 4
            if let since = movingUnderStopSince, now - since > bound {
                throw Violation(description: "belt at \(velocity) km/h under a stop for \(now - since) with torque")
            }
        }
    }
}
