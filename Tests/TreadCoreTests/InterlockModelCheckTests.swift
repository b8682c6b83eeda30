import Testing
@testable import TreadCore

/// Exhaustive exploration of the pure core (interlock, motion planner, session runner) on a
/// small machine: every reachable state under every input change, request and drive outage,
/// with time advancing in fixed steps. States are compared with every instant taken relative
/// to "now", so two states that differ only by when they happened are the same state and the
/// search ends.
@Suite struct InterlockModelCheckTests {
    static let tick = Duration.milliseconds(500)
    static let limits = MachineLimits(maxForwardSpeed: .kmh(2), maxReverseSpeed: .kmh(2), startSpeed: .kmh(1), acceleration: 2,
                                      deceleration: 2, directionDwell: .seconds(1), standstill: .kmh(0.05), railGrace: .milliseconds(500))
    static let program = Program(name: "model", items: [
        .segment(Segment(direction: .forward, speed: .kmh(1.5), duration: .seconds(1))),
        .segment(Segment(direction: .reverse, speed: .kmh(1.5), duration: .seconds(1))),
        .segment(Segment(direction: .forward, speed: .kmh(1), duration: .milliseconds(500))),
    ])

    enum Action: CaseIterable, CustomStringConvertible {
        case wait, estop, key, railLeft, railRight, frontZone, driveOutage
        case start, stop, pause, resume, reset
        var description: String { "\(self)".replacingOccurrences(of: "TreadCoreTests.InterlockModelCheckTests.Action.", with: "") }
    }

    /// The machine, the belt, and what the checker must remember to judge the invariants.
    struct World {
        var treadmill: Treadmill
        var belt: FakeBelt
        var inputs = SafetyInputs(estopClosed: true, keyInserted: true, railLeftHeld: true, railRightHeld: true)
        var driveOnline = true
        var now = Instant.seconds(1000)
        var lastReverseKmh: Double?
        var lastRunDirection: Direction?
        var standstillSinceLastRun = true
        var railsReleasedAt: Instant?

        var feedback: DriveFeedback { driveOnline ? belt.feedback : .offline(reason: "model outage") }
    }

    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    /// One transition: apply the action at `now`, step the core, let the belt respond,
    /// advance time. Throws the first broken invariant.
    static func next(_ w: World, _ action: Action) throws -> World {
        var w = w
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
        w.treadmill.observe(inputs: w.inputs, drive: feedback)
        var resetAccepted = false
        switch action {
        case .start: try? w.treadmill.start(program, at: w.now)
        case .stop: try? w.treadmill.stop(at: w.now)
        case .pause: try? w.treadmill.pause(at: w.now)
        case .resume: try? w.treadmill.resume(at: w.now)
        case .reset: resetAccepted = (try? w.treadmill.reset(at: w.now)) != nil
        default: break
        }
        let c = w.treadmill.step(inputs: w.inputs, drive: feedback, at: w.now)

        // Enable is off whenever the e-stop is open or the key is out.
        if !w.inputs.estopClosed || !w.inputs.keyInserted, c.enable {
            throw Violation(description: "enable on with estop=\(w.inputs.estopClosed) key=\(w.inputs.keyInserted)")
        }
        // Reverse is never commanded to hold or gain speed once the rails have been let go
        // for longer than the grace (a controlled ramp down is what the stop looks like).
        if case .run(.reverse, let s) = c.drive, let since = w.railsReleasedAt, w.now - since > limits.railGrace {
            if let last = w.lastReverseKmh, s.kmh >= last {
                throw Violation(description: "reverse at \(s) (was \(last) km/h) with the rails released for \(w.now - since)")
            }
            if w.lastReverseKmh == nil {
                throw Violation(description: "reverse started with the rails released for \(w.now - since)")
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

    /// Beyond this, an instant in the past is only "long ago": the core compares instants with
    /// nothing longer (coast-down 5 s, a stop allowance of speed / deceleration + 3 s).
    static let horizon = Duration.seconds(8)

    /// Every field of the world, instants relative to now. Constant parts (limits, program)
    /// are left out. `keyCoversEveryTreadmillField` fails when Treadmill gains a field this
    /// key does not know, because merging states that differ would hide behaviour.
    struct Key: Hashable {
        var state: TreadmillState, fault: Fault?, pauseReason: PauseReason?, waitingForRails: Bool
        var inputs: SafetyInputs, drive: DriveFeedback
        var segment: Int?, segmentElapsed: Duration?
        var phase: String, reference: Speed, lastDirection: Direction?, plannerUpdate: Int64?, announcedWait: Bool
        var releasedSince: Int64?, lastStep: Int64?, wrongDirectionSince: Int64?, ignoreTripUntil: Int64?, resetDriveFault: Bool
        var movingAfterStop: Int64?, stopAllowance: Duration?, coastingUntil: Int64?, pending: Int
        var velocity: Double, worldInputs: SafetyInputs, driveOnline: Bool, lastReverseKmh: Double?, lastRunDirection: Direction?
        var standstillSinceLastRun: Bool, railsReleasedAt: Int64?
    }

    static let keyedTreadmillFields: Set<String> = [
        "limits", "state", "fault", "session", "pauseReason", "planner", "interlock", "inputs", "drive", "waitingForRails",
        "lastStep", "pending", "wrongDirectionSince", "ignoreDriveTripUntil", "resetDriveFault", "movingAfterStop", "coastingUntil",
    ]

    static func key(_ w: World) -> Key {
        let t = w.treadmill, now = w.now
        func rel(_ i: Instant?) -> Int64? {
            guard let i else { return nil }
            return now - i > horizon ? Int64.min : (i - now).nanoseconds
        }
        let phase: String
        if case .dwelling(let d, let until) = t.planner.phase { phase = "dwelling \(d) \(rel(until)!)" } else { phase = "\(t.planner.phase)" }
        return Key(
            state: t.state, fault: t.fault, pauseReason: t.pauseReason, waitingForRails: t.waitingForRails,
            inputs: t.inputs, drive: t.drive, segment: t.session?.index, segmentElapsed: t.session?.segmentElapsed,
            phase: phase, reference: t.planner.reference, lastDirection: t.planner.lastDirection,
            plannerUpdate: rel(t.planner.lastUpdate), announcedWait: t.planner.announcedWait,
            releasedSince: rel(t.interlock.releasedSince), lastStep: rel(t.lastStep), wrongDirectionSince: rel(t.wrongDirectionSince),
            ignoreTripUntil: rel(t.ignoreDriveTripUntil), resetDriveFault: t.resetDriveFault,
            movingAfterStop: rel(t.movingAfterStop?.since), stopAllowance: t.movingAfterStop?.allowance, coastingUntil: rel(t.coastingUntil),
            pending: t.pending.count,
            velocity: w.belt.velocity, worldInputs: w.inputs, driveOnline: w.driveOnline, lastReverseKmh: w.lastReverseKmh,
            lastRunDirection: w.lastRunDirection, standstillSinceLastRun: w.standstillSinceLastRun, railsReleasedAt: rel(w.railsReleasedAt))
    }

    @Test func keyCoversEveryTreadmillField() {
        let fields = Set(Mirror(reflecting: Treadmill(limits: Self.limits)).children.compactMap(\.label))
        #expect(fields == Self.keyedTreadmillFields, "Treadmill's fields changed: extend the model-check key")
        let planner = Set(Mirror(reflecting: MotionPlanner(limits: Self.limits)).children.compactMap(\.label))
        #expect(planner == ["limits", "phase", "reference", "lastDirection", "lastUpdate", "announcedWait"], "extend the key: \(planner)")
    }

    @Test func everyReachableStateKeepsTheSafetyInvariants() throws {
        let start = World(treadmill: Treadmill(limits: Self.limits, railRule: .both), belt: FakeBelt(limits: Self.limits))
        var seen: Set<Key> = [Self.key(start)]
        var frontier = [start]
        var transitions = 0
        var faultedStates = 0, reverseStates = 0
        while let w = frontier.popLast() {
            for action in Action.allCases {
                let n: World
                do { n = try Self.next(w, action) } catch {
                    Issue.record("\(error) after \(action) from state \(w.treadmill.state) phase \(w.treadmill.planner.phase)")
                    return
                }
                transitions += 1
                if seen.insert(Self.key(n)).inserted {
                    if n.treadmill.state == .fault { faultedStates += 1 }
                    if n.treadmill.planner.movingDirection == .reverse { reverseStates += 1 }
                    frontier.append(n)
                }
            }
            if seen.count > 2_000_000 { Issue.record("state space larger than expected: \(seen.count) states"); return }
        }
        print("interlock model check: \(seen.count) states, \(transitions) transitions explored (\(faultedStates) faulted, \(reverseStates) moving in reverse)")
        // The search must have reached the interesting corners, or it proves nothing.
        #expect(faultedStates > 0)
        #expect(reverseStates > 0)
    }
}
