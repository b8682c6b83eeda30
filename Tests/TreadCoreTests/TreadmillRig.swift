import Testing
@testable import TreadCore

/// Runs a `Treadmill` against a `FakeBelt` by feeding time in fixed ticks: no threads, clocks
/// or sleeps. Each `step()` reads the belt, steps the treadmill, then lets the belt respond.
///
/// It also watches every setpoint for a change of direction and records one as a violation
/// unless the belt reported standstill, with a stop commanded, for at least the direction
/// dwell just before it.
struct TreadmillRig {
    var tm: Treadmill
    var belt: FakeBelt
    var now: Instant = .seconds(100)
    var tick: Duration = .milliseconds(40)
    var inputs = SafetyInputs(estopClosed: true, keyInserted: true, railLeftHeld: true, railRightHeld: true)
    /// When set, fed to the treadmill instead of the belt's report.
    var driveOverride: DriveFeedback?

    private(set) var last: Commands?
    private(set) var events: [(at: Instant, event: TreadEvent)] = []
    private(set) var directionViolations: [String] = []
    private(set) var directionChanges: [Instant] = []
    private var lastRunDirection: Direction?
    private var standstillSince: Instant?

    init(limits: MachineLimits = MachineLimits(), railRule: Interlock.RailRule = .both) {
        tm = Treadmill(limits: limits, railRule: railRule)
        belt = FakeBelt(limits: limits)
    }

    var limits: MachineLimits { tm.limits }
    var eventList: [TreadEvent] { events.map(\.event) }

    mutating func holdRails(_ held: Bool) {
        inputs.railLeftHeld = held
        inputs.railRightHeld = held
    }

    @discardableResult
    mutating func step() -> Commands {
        let feedback = driveOverride ?? belt.feedback
        let reported: Speed = if case .online(let r) = feedback { r.beltSpeed } else { .kmh(.infinity) }
        if reported <= limits.standstill, last.map({ $0.drive == .stop }) ?? true {
            standstillSince = standstillSince ?? now
        } else {
            standstillSince = nil
        }
        let c = tm.step(inputs: inputs, drive: feedback, at: now)
        if case .run(let d, _) = c.drive {
            if let prev = lastRunDirection, prev != d {
                directionChanges.append(now)
                if let since = standstillSince, now - since >= limits.directionDwell {
                } else {
                    directionViolations.append("at \(now.nanoseconds) ns: \(prev) -> \(d) without a dwell at standstill")
                }
            }
            lastRunDirection = d
            standstillSince = nil
        }
        events += c.events.map { (now, $0) }
        last = c
        belt.apply(c, for: tick)
        now = now + tick
        return c
    }

    /// Steps for `duration` of simulated time; returns the commands of every step.
    @discardableResult
    mutating func run(for duration: Duration) -> [Commands] {
        let end = now + duration
        var out: [Commands] = []
        while now < end { out.append(step()) }
        return out
    }

    /// Steps until `done` holds after a step, or `limit` of simulated time has passed.
    /// Returns whether `done` was reached.
    @discardableResult
    mutating func run(until done: (TreadmillRig) -> Bool, limit: Duration = .seconds(600)) -> Bool {
        let end = now + limit
        while now < end {
            step()
            if done(self) { return true }
        }
        return false
    }

    /// Like `run(until:limit:)`, recording an issue at the caller when `done` is not reached.
    mutating func expectReach(_ done: (TreadmillRig) -> Bool, limit: Duration = .seconds(600),
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let reached = run(until: done, limit: limit)
        #expect(reached, "condition not reached within \(limit)", sourceLocation: sourceLocation)
    }

    /// Brings the drive online with one step, then starts `program`.
    mutating func start(_ program: Program) throws(RequestError) {
        step()
        try tm.start(program, at: now)
    }
}

func seg(_ d: Direction, _ kmh: Double, _ seconds: Int, line: Int? = nil) -> Segment {
    Segment(direction: d, speed: .kmh(kmh), duration: .seconds(seconds), line: line)
}

func program(_ segments: Segment...) -> Program {
    Program(name: "test", items: segments.map { .segment($0) })
}
