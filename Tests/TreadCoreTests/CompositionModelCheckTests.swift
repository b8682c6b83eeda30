import Testing
@testable import TreadCore

/// Exhaustive exploration of the composed safety chain (input monitor -> core -> gate -> link
/// policy) against an adversarial belt, failing threads and a failing relay write, within an
/// adversity budget: every trace with at most `budget` things going wrong, in any order and at
/// any time, with the member's inputs and requests free. Bounded model checking in the usual
/// sense: the budget bounds the faults, not the length of the traces; states are compared with
/// every instant relative to now, so the search closes.
///
/// Chatter is out of reach here (one edge per line per 500 ms tick, against ten in a second)
/// and is covered by InputMonitorTests; so after each tick's take the monitor's state is its
/// levels and its lost lines, which is what its key holds.
@Suite struct CompositionModelCheckTests {
    static let tick = Duration.milliseconds(500)
    static var limits: MachineLimits {
        var l = MachineLimits(maxForwardSpeed: .kmh(2), maxReverseSpeed: .kmh(2), startSpeed: .kmh(1), acceleration: 2,
                              deceleration: 2, directionDwell: .seconds(1), standstill: .kmh(0.05), railGrace: .milliseconds(500))
        l.trackingTime = .milliseconds(500)
        return l
    }
    static let program = Program(name: "composition", items: [
        .segment(Segment(direction: .forward, speed: .kmh(1.5), duration: .seconds(1))),
        .segment(Segment(direction: .reverse, speed: .kmh(1), duration: .seconds(1.5))),
    ])
    static let horizon = InterlockModelCheckTests.horizon

    static func world() -> CompositionWorld {
        CompositionWorld(limits: limits, program: program, tick: tick, feedbackBound: .seconds(1), setpointLifetime: .seconds(1),
                         missedPolls: 2, inputHeartbeatBound: .milliseconds(1500))
    }

    struct Key: Hashable {
        var core: InterlockModelCheckTests.CoreKey
        var monitor: SafetyInputs
        var gateUnacknowledged: Bool, gateHold: Fault?
        var link: LinkKey
        var velocity: Double, belt: CompositionWorld.Belt, frozen: DriveReport?, driveCommand: DriveSetpoint, driveAnswers: Bool
        var stuck: Int64?, stalled: Int64?, inputDied: Int64?, declared: Bool
        var estop: Bool, key: Bool, rails: Bool, lineLost: Bool, writeFails: Bool
        var relay: Bool, relayCommanded: Bool, relayKnown: Bool, enableFailure: String?, pulsing: Bool
        var published: DriveFeedback, publishedAt: Int64?, lastRead: Int64?, adversity: Int
        var lastRunDirection: Direction?, standstillSinceLastRun: Bool
        var trackingOffSince: Int64?, movingUnderStopSince: Int64?, wrongWaySince: Int64?
    }

    /// The policy's state with its serials reduced to what `next` compares: whether the last
    /// write carried the current submission, a refusal (nil), or an older one.
    struct LinkKey: Hashable {
        var desired: DriveSetpoint, written: DriveSetpoint?, writtenCarries: Int, writtenAt: Int64?
        var submittedAt: Int64?, inhibited: Bool, failures: Int, lastReadAt: Int64?, resetRequested: Bool
        var undelivered: DriveOutage?, undeliveredAt: Int64?
    }

    static func key(_ w: CompositionWorld) -> Key {
        func rel(_ i: Instant?) -> Int64? { InterlockModelCheckTests.relative(i, to: w.now) }
        let l = w.link
        let carries = l.written.map { $0.write.refusal == .inhibited ? -1 : $0.write.refusal == .noRecentRead ? -2 : $0.write.serial == l.serial ? 0 : 1 } ?? 2
        let link = LinkKey(desired: l.desired, written: l.written?.write.setpoint, writtenCarries: carries, writtenAt: rel(l.written?.at),
                           submittedAt: rel(l.submittedAt), inhibited: l.inhibited, failures: l.failures, lastReadAt: rel(l.lastReadAt),
                           resetRequested: l.resetRequested, undelivered: l.undelivered?.reason, undeliveredAt: rel(l.undelivered?.at))
        return Key(
            core: InterlockModelCheckTests.coreKey(w.treadmill, at: w.now), monitor: w.monitor.peek(),
            gateUnacknowledged: w.gate.trips > w.gate.acknowledged, gateHold: w.gate.hold, link: link,
            velocity: w.velocity, belt: w.belt, frozen: w.frozenReport, driveCommand: w.driveCommand, driveAnswers: w.driveAnswers,
            stuck: rel(w.driveThreadStuckSince), stalled: rel(w.controlStalledSince), inputDied: rel(w.inputThreadDiedAt),
            declared: w.inputsDeclaredLost, estop: w.estop, key: w.key, rails: w.rails, lineLost: w.estopLineLost,
            writeFails: w.enableWriteFails, relay: w.relay, relayCommanded: w.relayCommanded, relayKnown: w.relayKnown,
            enableFailure: w.enableFailure, pulsing: w.pulsing, published: w.published.feedback, publishedAt: rel(w.published.at),
            lastRead: rel(w.lastRead), adversity: w.adversity, lastRunDirection: w.lastRunDirection,
            standstillSinceLastRun: w.standstillSinceLastRun, trackingOffSince: rel(w.trackingOffSince),
            movingUnderStopSince: rel(w.movingUnderStopSince), wrongWaySince: rel(w.wrongWaySince))
    }

    /// The key must know every field of every part, or merging two states could hide behaviour.
    @Test func keyCoversEveryField() {
        let w = Self.world()
        func fields(_ v: Any) -> Set<String> { Set(Mirror(reflecting: v).children.compactMap(\.label)) }
        #expect(fields(w.link) == ["setpointLifetime", "missedPolls", "feedbackBound", "rewriteInterval", "desired", "serial",
                                   "submittedAt", "inhibited", "failures", "lastReadAt", "resetRequested", "undelivered", "written"])
        #expect(fields(w.gate) == ["trips", "acknowledged", "reason"])
        // After a take: sticky == levels, no trips, no sticky sensor fault; chatter unreachable.
        #expect(fields(w.monitor) == ["lines", "chatter", "levels", "sticky", "recentEdges", "chattering", "lost", "known", "trips",
                                      "stickySensorFault"])
        #expect(fields(w) == ["limits", "program", "tick", "inputHeartbeatBound", "monitor", "gate", "link", "treadmill", "now",
                              "velocity", "belt", "frozenReport", "driveCommand", "driveAnswers", "driveThreadStuckSince",
                              "controlStalledSince", "inputThreadDiedAt", "inputsDeclaredLost", "estop", "key", "rails",
                              "estopLineLost", "enableWriteFails", "relay", "relayCommanded", "relayKnown", "enableFailure", "pulsing",
                              "published", "lastRead", "adversity", "lastRunDirection", "standstillSinceLastRun", "trackingOffSince",
                              "movingUnderStopSince", "wrongWaySince"])
    }

    struct Census {
        var states = 0, transitions = 0, faulted = 0, reverse = 0, heldByGate = 0
        var faults: [String: Int] = [:]
    }

    /// Explores every trace with at most `budget` adversities; returns what it saw, or the
    /// first violation with the trace that led to it (kept as parent links, not copies).
    static func explore(budget: Int, limit: Int = 1_500_000) -> (census: Census, violation: String?) {
        let start = world()
        let actions = CompositionWorld.Action.allCases
        var seen: Set<Key> = [key(start)]
        var parents: [(parent: Int32, action: UInt8)] = [(-1, 0)]
        var frontier: [(CompositionWorld, Int32)] = [(start, 0)]
        var c = Census()
        func trace(_ index: Int32, then last: CompositionWorld.Action) -> String {
            var steps = [last], i = index
            while i > 0 { steps.append(actions[Int(parents[Int(i)].action)]); i = parents[Int(i)].parent }
            return steps.reversed().map { "\($0)" }.joined(separator: ", ")
        }
        while let (w, index) = frontier.popLast() {
            for (a, action) in actions.enumerated() where w.adversity + action.adversity <= budget {
                let n: CompositionWorld
                do { n = try w.next(action) } catch {
                    return (c, "\(error)\n  after: \(trace(index, then: action))")
                }
                c.transitions += 1
                guard seen.insert(key(n)).inserted else { continue }
                if n.treadmill.state == .fault {
                    c.faulted += 1
                    c.faults[n.treadmill.fault?.code ?? "?", default: 0] += 1
                }
                if n.velocity < 0 { c.reverse += 1 }
                parents.append((index, UInt8(a)))
                frontier.append((n, Int32(parents.count - 1)))
            }
            if seen.count > limit { return (c, "state space larger than \(limit)") }
            if seen.count % 100_000 == 0 { print("  \(seen.count) states...") }
        }
        c.states = seen.count
        return (c, nil)
    }

    @Test func withNothingGoingWrongTheChainKeepsTheInvariants() {
        let (c, violation) = Self.explore(budget: 0)
        print("composition model check, budget 0: \(c.states) states, \(c.transitions) transitions (\(c.faulted) faulted, \(c.reverse) moving in reverse); faults \(c.faults.sorted { $0.key < $1.key })")
        if let violation { Issue.record(Comment(rawValue: violation)) }
        #expect(c.reverse > 0)
    }

    @Test func everyTraceWithOneThingGoingWrongKeepsTheInvariants() {
        let (c, violation) = Self.explore(budget: 1, limit: 3_000_000)
        print("composition model check, budget 1: \(c.states) states, \(c.transitions) transitions (\(c.faulted) faulted, \(c.reverse) moving in reverse); faults \(c.faults.sorted { $0.key < $1.key })")
        if let violation { Issue.record(Comment(rawValue: violation)) }
        // Every adversary must have been met by the fault that names it, or the search proved nothing.
        for code in ["overspeed", "speed_tracking", "drive_not_stopping", "belt_moving", "drive_stale", "drive_offline",
                     "enable_output", "sensor", "estop"] {
            #expect(c.faults[code, default: 0] > 0, "no state faulted with \(code)")
        }
        #expect(c.reverse > 0)
    }
}
