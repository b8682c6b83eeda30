import PropertyBased
import Synchronization
import Testing
@testable import TreadCore

/// Random input, request and time sequences through the whole pure core on a realistic
/// machine and program, with the invariants of `InvariantWorld` checked on every step.
/// Unlike the model check, steps have random lengths (10 ms to 0.7 s), so ramps, dwells and
/// graces end between ticks as they do on a real control loop.
@Suite struct CorePropertyTests {
    static let limits = MachineLimits()
    static let program = Program(name: "intervals", items: [
        .segment(Segment(direction: .forward, speed: .kmh(3), duration: .seconds(3))),
        .repeated(times: 2, segments: [
            Segment(direction: .reverse, speed: .kmh(2.5), duration: .seconds(6)),
            Segment(direction: .forward, speed: .kmh(4), duration: .seconds(5)),
        ]),
    ])

    /// Mostly waiting, so sequences get far into the program before the next disturbance.
    static let action = Gen.int(in: 0...100).map { n in
        n < InvariantWorld.Action.allCases.count ? InvariantWorld.Action(rawValue: n)! : .wait
    }
    static let steps = zip(action, Gen.int(in: 10...700)).array(of: 1...600)

    @Test(arguments: [Interlock.RailRule.both, .either])
    func randomSequencesKeepTheSafetyInvariants(rule: Interlock.RailRule) async {
        let reversed = Atomic<Int>(0), faulted = Atomic<Int>(0)
        await propertyCheck(count: 150, input: Self.steps) { steps in
            var w = InvariantWorld(limits: Self.limits, program: Self.program, railRule: rule)
            try? w.begin()
            var sawReverse = false, sawFault = false
            for (i, (action, ms)) in steps.enumerated() {
                do { w = try w.next(action, tick: .milliseconds(Int64(ms))) } catch {
                    Issue.record("step \(i) (\(action), \(ms) ms): \(error)")
                    return
                }
                sawReverse = sawReverse || w.treadmill.planner.movingDirection == .reverse
                sawFault = sawFault || w.treadmill.state == .fault
            }
            if sawReverse { reversed.add(1, ordering: .relaxed) }
            if sawFault { faulted.add(1, ordering: .relaxed) }
        }
        // Sequences that never reach reverse or a fault would prove little.
        #expect(reversed.load(ordering: .relaxed) >= 10, "only \(reversed.load(ordering: .relaxed)) sequences reached reverse")
        #expect(faulted.load(ordering: .relaxed) >= 10)
    }

    /// A member who keeps holding the rails and is never disturbed finishes the program, and
    /// the belt ends at standstill with enable off: the invariants alone would also hold for
    /// a treadmill that never moves.
    @Test func undisturbedSessionsFinish() async {
        await propertyCheck(count: 50, input: Gen.int(in: 20...200)) { ms in
            var w = InvariantWorld(limits: Self.limits, program: Self.program)
            #expect(throws: Never.self) { try w.begin() }
            var ran = false
            for _ in 0..<(200_000 / ms) {
                w = try! w.next(.wait, tick: .milliseconds(Int64(ms)))
                if w.treadmill.planner.movingDirection == .reverse { ran = true }
                if w.treadmill.state == .idle { break }
            }
            #expect(ran)
            #expect(w.treadmill.state == .idle)
            #expect(w.belt.speed <= Self.limits.standstill)
        }
    }
}
