@testable import TreadCore

/// The pure core (interlock, motion planner, session runner) on a fake belt, advanced one
/// action and one time step at a time, with the safety invariants checked on every step.
/// Shared by the exhaustive model check and the property-based tests.
struct InvariantWorld {
    enum Action: Int, CaseIterable {
        case wait, estop, key, railLeft, railRight, frontZone, driveOutage
        case start, stop, pause, resume, reset
    }

    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    let limits: MachineLimits
    let program: Program
    var treadmill: Treadmill
    var belt: FakeBelt
    var inputs = SafetyInputs(estopClosed: true, keyInserted: true, railLeftHeld: true, railRightHeld: true)
    var driveOnline = true
    var now = Instant.seconds(1000)
    var lastReverseKmh: Double?
    var lastRunDirection: Direction?
    var standstillSinceLastRun = true
    var railsReleasedAt: Instant?

    init(limits: MachineLimits, program: Program, railRule: Interlock.RailRule = .both) {
        self.limits = limits
        self.program = program
        treadmill = Treadmill(limits: limits, railRule: railRule)
        belt = FakeBelt(limits: limits)
    }

    /// Starts the program as a member would on a connected, idle treadmill.
    mutating func begin() throws(RequestError) {
        try treadmill.handle(.tick(Tick(inputs: inputs, drive: DriveReading(feedback, at: now)), requests: [.start(program, member: nil)]), at: now).replies[0].get()
    }

    var feedback: DriveFeedback { driveOnline ? belt.feedback : .offline(.notAnswering("model outage")) }

    /// Applies the action at `now`, hands the core the tick and the request through `handle`,
    /// as the control loop does, lets the belt respond for `tick`, and advances time. Throws the first broken
    /// invariant.
    func next(_ action: Action, tick: Duration) throws(Violation) -> InvariantWorld {
        var w = self
        let before = w.treadmill
        switch action {
        case .wait, .start, .stop, .pause, .resume, .reset: break
        case .estop: w.inputs.estopClosed.toggle()
        case .key: w.inputs.keyInserted.toggle()
        case .railLeft: w.inputs.railLeftHeld.toggle()
        case .railRight: w.inputs.railRightHeld.toggle()
        case .frontZone: w.inputs.frontZoneClear.toggle()
        case .driveOutage: w.driveOnline.toggle()
        }
        let held = w.treadmill.interlock.railsHeld(w.inputs)
        if !held, w.railsReleasedAt == nil { w.railsReleasedAt = w.now }
        if held { w.railsReleasedAt = nil }

        let feedback = w.feedback
        let request: Treadmill.Request? = switch action {
        case .start: .start(program, member: nil)
        case .stop: .stop
        case .pause: .pause
        case .resume: .resume
        case .reset: .reset
        case .wait, .estop, .key, .railLeft, .railRight, .frontZone, .driveOutage: nil
        }
        let out = w.treadmill.handle(.tick(Tick(inputs: w.inputs, drive: DriveReading(feedback, at: w.now)), requests: request.map { [$0] } ?? []), at: w.now)
        let resetAccepted = action == .reset && (try? out.replies[0].get()) != nil
        // A reset is accepted only when the cause is gone (judged before the step, which would
        // latch the fault again and hide it).
        if resetAccepted, !w.inputs.estopClosed || !w.inputs.keyInserted || !w.driveOnline {
            throw Violation(description: "reset accepted while the cause persists")
        }
        let c = out.commands!

        // Enable is off whenever the e-stop is open or the key is out.
        if !w.inputs.estopClosed || !w.inputs.keyInserted, c.enable {
            throw Violation(description: "enable on with estop closed=\(w.inputs.estopClosed) key in=\(w.inputs.keyInserted)")
        }
        // Reverse is never commanded to hold or gain speed once the rails have been let go for
        // longer than the grace (a controlled ramp down is what the stop looks like).
        if case .run(.reverse, let s) = c.drive, let since = w.railsReleasedAt, w.now - since > limits.railGrace {
            guard let last = w.lastReverseKmh else {
                throw Violation(description: "reverse started with the rails released for \(w.now - since)")
            }
            if s.kmh >= last {
                throw Violation(description: "reverse at \(s) (was \(last) km/h) with the rails released for \(w.now - since)")
            }
        }
        // A run in the other direction only after the drive reported standstill with stop commanded.
        if case .run(let d, _) = c.drive {
            if let last = w.lastRunDirection, last != d, !w.standstillSinceLastRun {
                throw Violation(description: "direction changed \(last) -> \(d) without a verified standstill")
            }
            if w.lastRunDirection != d { w.standstillSinceLastRun = false }
            w.lastRunDirection = d
        }
        // Speeds stay inside the configured limits.
        if case .run(let d, let s) = c.drive, s > limits.maxSpeed(d) {
            throw Violation(description: "\(d) at \(s) beyond the limit \(limits.maxSpeed(d))")
        }
        // No way out of a fault but an accepted reset with the cause gone.
        if before.state == .fault, w.treadmill.state != .fault {
            if !resetAccepted { throw Violation(description: "left the fault by \(action)") }
            if !w.inputs.estopClosed || !w.inputs.keyInserted || !w.driveOnline {
                throw Violation(description: "reset accepted while the cause persists")
            }
        }
        if case .run(.reverse, let s) = c.drive { w.lastReverseKmh = s.kmh } else { w.lastReverseKmh = nil }

        w.belt.apply(c, for: tick)
        if c.drive == .stop, w.belt.speed <= limits.standstill { w.standstillSinceLastRun = true }
        w.now = w.now + tick
        return w
    }
}
