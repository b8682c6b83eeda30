import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// The control loop's periodic ticks go on whatever arrives between them.
@Suite(.serialized) struct ControlScheduleTests {
    /// Regression: each tick that a request or an input edge brought forward also advanced the
    /// schedule by a period, so 1000 refused requests (or a chattering rail) pushed the next
    /// scheduled tick 40 s into the future at 25 Hz, and the loop stopped ticking: no
    /// progress, no ramps, no watchdog pings. Found by the socket tests' sim.set storm.
    @Test func aBurstOfRequestsDoesNotPushTheScheduleAway() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        for _ in 0..<1000 { _ = rig.submit(.resume) }  // refused (not paused), each an early tick
        let ticks = rig.daemon.control.tickCount
        #expect(eventually(timeout: .seconds(2)) { rig.daemon.control.tickCount >= ticks + 10 },
                "scheduled ticks go on: \(rig.daemon.control.tickCount - ticks) in 2 s")
    }

    @Test func aChatteringInputDoesNotPushTheScheduleAway() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        for i in 0..<2000 { sim.set(.railLeft, i % 2 == 1) }  // each edge wakes the loop
        let ticks = rig.daemon.control.tickCount
        #expect(eventually(timeout: .seconds(2)) { rig.daemon.control.tickCount >= ticks + 10 },
                "scheduled ticks go on: \(rig.daemon.control.tickCount - ticks) in 2 s")
    }

    // The schedule's rule itself, with time fed in.

    @Test func onTimeTicksAdvanceBySteadyPeriods() {
        var s = TickSchedule(period: .milliseconds(40), from: .seconds(1))
        #expect(s.ticked(at: .seconds(1)) == .seconds(1.04))
        #expect(s.ticked(at: .seconds(1.0405)) == .seconds(1.08), "a tick a little late keeps the grid")
        #expect(s.ticked(at: .seconds(1.08)) == .seconds(1.12))
    }

    @Test func ticksBroughtForwardLeaveTheScheduleAlone() {
        var s = TickSchedule(period: .milliseconds(40), from: .seconds(1))
        _ = s.ticked(at: .seconds(1))
        for k in 1...1000 { #expect(s.ticked(at: .seconds(1) + .microseconds(k * 30)) == .seconds(1.04)) }
        #expect(s.ticked(at: .seconds(1.04)) == .seconds(1.08))
    }

    @Test func aLateTickSkipsTheMissedOnesInsteadOfBursting() {
        var s = TickSchedule(period: .milliseconds(40), from: .seconds(1))
        _ = s.ticked(at: .seconds(1))
        // The loop was held for a quarter of a second: the next tick is a period after it woke.
        #expect(s.ticked(at: .seconds(1.29)) == .seconds(1.33))
        #expect(s.ticked(at: .seconds(1.33)) == .seconds(1.37))
    }
}
