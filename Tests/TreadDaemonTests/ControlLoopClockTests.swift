import Logging
import Synchronization
import Testing
import TreadCore
import TreadHardware
import TreadTesting
@testable import TreadDaemon

/// The control loop on a clock the test moves: scheduled ticks come exactly at their periods,
/// a late tick skips the missed ones, and early ticks do not move the schedule, with no
/// dependence on how fast the machine running the test is.
@Suite struct ControlLoopClockTests {
    final class Rig {
        let clock = ManualClock()
        let drive = RecordingDrive()
        let link: DriveLink
        let loop: ControlLoop

        init() {
            let logger = Logger(label: "test.loop-clock")
            link = DriveLink(pollInterval: .milliseconds(40), logger: logger, clock: clock) { [drive] in drive }
            let enable = SimulatedEnableOutput()
            let gate = SafetyGate(enable: enable, drive: link)
            let safety = SafetyMonitor(lines: [.estop, .safetyKey, .railLeft, .railRight], chatter: .init(), gate: gate)
            loop = ControlLoop(treadmill: Treadmill(limits: MachineLimits()), safety: safety, gate: gate, enable: enable,
                               drive: link, period: .milliseconds(40), logger: logger, clock: clock)
        }

        func start() {
            link.start()
            loop.start()
        }

        /// Moves the clock on and waits for the tick it brings.
        func tick(after d: Duration) -> Bool {
            let before = loop.tickCount
            clock.advance(by: d)
            return eventually { self.loop.tickCount > before }
        }

        /// The lateness of the next `n` scheduled ticks, awaited as they are recorded (ticks a
        /// request brings forward record none).
        func lateness(ofScheduledTicks n: Int) -> [Duration] {
            var seen: [Duration] = []
            _ = eventually { seen += loop.takeTickLateness(); return seen.count >= n }
            return seen
        }

        deinit {
            loop.shutdown()
            link.shutdown()
        }
    }

    @Test func scheduledTicksComeExactlyAtTheirPeriods() {
        let rig = Rig()
        rig.start()
        #expect(eventually { rig.loop.tickCount >= 1 }, "the first tick is at once")
        _ = rig.loop.takeTickLateness()
        for _ in 0..<10 { #expect(rig.tick(after: .milliseconds(40))) }
        let lateness = rig.loop.takeTickLateness()
        #expect(lateness.count == 10)
        #expect(lateness.allSatisfy { $0 == .zero }, "\(lateness)")
    }

    @Test func aLateTickSkipsTheMissedOnesAndEarlyTicksLeaveTheSchedule() {
        let rig = Rig()
        rig.start()
        #expect(eventually { rig.loop.tickCount >= 1 })
        _ = rig.loop.takeTickLateness()
        // Held for a quarter of a second past the next tick: one tick, 250 ms late, not six.
        #expect(rig.tick(after: .milliseconds(290)))
        var lateness = rig.lateness(ofScheduledTicks: 1)
        // Requests bring ticks forward, half-way to the next scheduled one; none of them moves
        // the schedule. All are answered before the clock moves again, so the next tick is the
        // scheduled one, not a request's.
        rig.clock.advance(by: .milliseconds(20))
        let answered = Atomic<Int>(0)
        for _ in 0..<100 { rig.loop.submit(.resume) { _ in answered.add(1, ordering: .relaxed) } }
        #expect(eventually { answered.load(ordering: .relaxed) == 100 }, "every request answered")
        rig.clock.advance(by: .milliseconds(20))
        lateness += rig.lateness(ofScheduledTicks: 1)
        #expect(lateness == [.milliseconds(250), .zero], "the schedule went on a period after the late tick: \(lateness)")
    }
}
