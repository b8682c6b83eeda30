import Testing
@testable import TreadCore

/// Exhaustive exploration of the pure core (interlock, motion planner, session runner) on a
/// small machine: every reachable state under every input change, request and drive outage,
/// with time advancing in fixed steps. States are compared with every instant taken relative
/// to "now", so two states that differ only by when they happened are the same state and the
/// search ends. The reverse segment outlasts the rail grace, or a core that never enforces
/// the grace would pass.
@Suite struct InterlockModelCheckTests {
    static let tick = Duration.milliseconds(500)
    static let limits = MachineLimits(maxForwardSpeed: .kmh(2), maxReverseSpeed: .kmh(2), startSpeed: .kmh(1), acceleration: 2,
                                      deceleration: 2, directionDwell: .seconds(1), standstill: .kmh(0.05), railGrace: .milliseconds(500))
    static let program = Program(name: "model", items: [
        .segment(Segment(direction: .forward, speed: .kmh(1.5), duration: .seconds(1))),
        .segment(Segment(direction: .reverse, speed: .kmh(1.5), duration: .seconds(3))),
        .segment(Segment(direction: .forward, speed: .kmh(1), duration: .milliseconds(500))),
    ])

    /// Beyond this, an instant in the past is only "long ago": the core compares instants with
    /// nothing longer (coast-down 5 s, a stop allowance of speed / deceleration + 3 s).
    static let horizon = Duration.seconds(8)

    /// Every field of the world, instants relative to now. Constant parts (limits, program)
    /// are left out. `keyCoversEveryTreadmillField` fails when Treadmill gains a field this
    /// key does not know, because merging states that differ would hide behaviour.
    struct Key: Hashable {
        var core: CoreKey
        var velocity: Double, worldInputs: SafetyInputs, driveOnline: Bool, lastReverseKmh: Double?, lastRunDirection: Direction?
        var standstillSinceLastRun: Bool, railsReleasedAt: Int64?
    }

    /// The treadmill's own fields, instants relative to now (shared with the composition check).
    struct CoreKey: Hashable {
        var state: TreadmillState, fault: Fault?, pauseReason: PauseReason?, waitingForRails: Bool
        var inputs: SafetyInputs, drive: DriveFeedback
        var segment: Int?, segmentElapsed: Duration?
        var phase: String, reference: Speed, lastDirection: Direction?, plannerUpdate: Int64?, announcedWait: Bool
        var releasedSince: Int64?, lastStep: Int64?, ignoreTripUntil: Int64?, resetDriveFault: Bool
        var supervisor: String, readingAt: Int64?, feedbackFresh: Bool, coastingUntil: Int64?, pending: Int
    }

    /// An instant relative to `now` in nanoseconds; anything older than the horizon is only
    /// "long ago" (a sentinel no relative instant can equal).
    static func relative(_ i: Instant?, to now: Instant) -> Int64? {
        guard let i else { return nil }
        return now - i > horizon ? Int64.min : (i - now).nanoseconds
    }

    static func coreKey(_ t: Treadmill, at now: Instant) -> CoreKey {
        func rel(_ i: Instant?) -> Int64? { relative(i, to: now) }
        let phase: String
        if case .dwelling(let d, let until) = t.planner.phase { phase = "dwelling \(d) \(rel(until)!)" } else { phase = "\(t.planner.phase)" }
        return CoreKey(
            state: t.state, fault: t.fault, pauseReason: t.pauseReason, waitingForRails: t.waitingForRails,
            inputs: t.inputs, drive: t.reading.feedback, segment: t.session?.index, segmentElapsed: t.session?.segmentElapsed,
            phase: phase, reference: t.planner.reference, lastDirection: t.planner.lastDirection,
            plannerUpdate: rel(t.planner.lastUpdate), announcedWait: t.planner.announcedWait,
            releasedSince: rel(t.interlock.releasedSince), lastStep: rel(t.lastStep),
            ignoreTripUntil: rel(t.ignoreDriveTripUntil), resetDriveFault: t.resetDriveFault,
            supervisor: supervisorKey(t.supervisor, rel), readingAt: rel(t.reading.at), feedbackFresh: t.feedbackFresh,
            coastingUntil: rel(t.coastingUntil), pending: t.pending.count)
    }

    static let keyedTreadmillFields: Set<String> = [
        "limits", "mode", "planner", "interlock", "inputs", "reading",
        "lastStep", "pending", "resetDriveFault", "supervisor", "feedbackBound", "feedbackFresh",
    ]

    /// Fields the treadmill writes but no decision reads (what the session measured, who
    /// trains): states differing only in them behave alike, so the key leaves them out.
    static let observationalTreadmillFields: Set<String> = ["tally", "member"]

    static func key(_ w: InvariantWorld) -> Key {
        Key(core: coreKey(w.treadmill, at: w.now),
            velocity: w.belt.velocity, worldInputs: w.inputs, driveOnline: w.driveOnline, lastReverseKmh: w.lastReverseKmh,
            lastRunDirection: w.lastRunDirection, standstillSinceLastRun: w.standstillSinceLastRun,
            railsReleasedAt: relative(w.railsReleasedAt, to: w.now))
    }

    /// The supervisor's watch with its instants relative to now.
    static func supervisorKey(_ s: SpeedSupervisor, _ rel: (Instant?) -> Int64?) -> String {
        let watch: String
        switch s.watch {
        case .none: watch = "none"
        case .tracking(let since): watch = "tracking \(String(describing: rel(since)))"
        case .stopping(let from, let at): watch = "stopping \(from.kmh) \(String(describing: rel(at)))"
        case .standing(let since): watch = "standing \(String(describing: rel(since)))"
        }
        return "\(watch) wrong \(String(describing: rel(s.wrongDirectionSince))) last \(String(describing: s.lastRun))"
    }

    @Test func keyCoversEveryTreadmillField() {
        let fields = Set(Mirror(reflecting: Treadmill(limits: Self.limits)).children.compactMap(\.label))
        #expect(fields == Self.keyedTreadmillFields.union(Self.observationalTreadmillFields), "Treadmill's fields changed: extend the model-check key")
        let planner = Set(Mirror(reflecting: MotionPlanner(limits: Self.limits)).children.compactMap(\.label))
        #expect(planner == ["limits", "phase", "reference", "lastDirection", "lastUpdate", "announcedWait"], "extend the key: \(planner)")
        let supervisor = Set(Mirror(reflecting: SpeedSupervisor(limits: Self.limits)).children.compactMap(\.label))
        #expect(supervisor == ["limits", "watch", "wrongDirectionSince", "lastRun"], "extend supervisorKey: \(supervisor)")
    }

    @Test func everyReachableStateKeepsTheSafetyInvariants() throws {
        let start = InvariantWorld(limits: Self.limits, program: Self.program)
        var seen: Set<Key> = [Self.key(start)]
        var frontier = [start]
        var transitions = 0
        var faultedStates = 0, reverseStates = 0
        while let w = frontier.popLast() {
            for action in InvariantWorld.Action.allCases {
                let n: InvariantWorld
                do { n = try w.next(action, tick: Self.tick) } catch {
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
