import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// The reaction path from an input edge to the enable output and the drive, without the
/// control loop: the gate and the monitor on their own, with a recording drive.
@Suite struct SafetyReactionTests {
    final class Parts {
        let drive = RecordingDrive()
        let link: DriveLink
        let enable = SimulatedEnableOutput()
        let gate: SafetyGate
        let monitor: SafetyMonitor
        let inputs = SimulatedInputs()

        init(chatter: InputMonitor.ChatterLimit = .init()) throws {
            var logger = Logger(label: "test.safety")
            logger.logLevel = .critical
            let d = drive
            link = DriveLink(pollInterval: .seconds(1), setpointLifetime: .seconds(60), logger: logger) { d }
            gate = SafetyGate(enable: enable, drive: link)
            monitor = SafetyMonitor(lines: inputs.lines, chatter: chatter, gate: gate)
            let m = monitor
            try inputs.start { m.handle($0) }
            link.start()
            #expect(drive.wait { $0.contains(.readReport) }, "the drive link never polled")
        }

        /// What a tick on healthy readings commands while a session runs.
        func running(seen trips: Int = 0) {
            gate.apply(Commands(enable: true, drive: .run(.forward, .kmh(3)), resetDriveFault: false, events: []),
                       latched: false, seen: trips)
        }

        func stopCommands(after index: Int) -> Int { drive.calls.dropFirst(index).filter { $0 == .command(.stop) }.count }

        deinit { link.shutdown() }
    }

    @Test func estopDropsEnableBeforeTheEdgeCallReturnsAndWritesAStop() throws {
        let p = try Parts()
        p.running()
        #expect(p.enable.isEnergised)
        #expect(p.drive.wait { $0.contains(.command(.run(.forward, .kmh(3)))) })
        let mark = p.drive.calls.count
        p.inputs.set(.estop, false)
        #expect(!p.enable.isEnergised, "enable must be off when the edge has been handled")
        #expect(p.drive.wait { calls in calls.dropFirst(mark).contains(.command(.stop)) }, "no stop frame after the e-stop")
    }

    @Test func aPulledKeyWritesAStopEvenWhenStopIsAlreadyTheSetpoint() throws {
        let p = try Parts()
        #expect(p.drive.wait { $0.contains(.command(.stop)) })
        let mark = p.drive.calls.count
        p.inputs.set(.safetyKey, false)
        #expect(p.drive.wait { calls in calls.dropFirst(mark).contains(.command(.stop)) },
                "commands latch on most drives: a trip must write the stop again")
    }

    @Test func aTickComputedBeforeTheEdgeCannotReenergiseUntilTheCoreHasLatched() throws {
        let p = try Parts()
        let before = p.monitor.take(at: MonotonicClock.now())
        #expect(before.take.inputs.estopClosed && before.trips == 0)
        p.inputs.set(.estop, false)
        // The tick that read the readings before the edge applies its commands after it.
        p.running(seen: before.trips)
        #expect(!p.enable.isEnergised)
        #expect((p.gate.hold != nil))
        // Even a later tick that has not latched yet stays held.
        p.running(seen: 1)
        #expect(!p.enable.isEnergised)
        // The next take includes the edge; once the core latched a fault on it, the gate lets go.
        let after = p.monitor.take(at: MonotonicClock.now())
        #expect(!after.take.inputs.estopClosed && after.trips == 1)
        p.gate.apply(Commands(enable: false, drive: .stop, resetDriveFault: false, events: []), latched: true, seen: after.trips)
        #expect(!(p.gate.hold != nil))
    }

    @Test func railEdgesNeverTripTheGate() throws {
        let p = try Parts()
        p.running()
        p.inputs.set(.railLeft, false)
        p.inputs.set(.railRight, false)
        #expect(p.enable.isEnergised, "a rail release warns, then the core stops the belt under control")
        #expect(!(p.gate.hold != nil))
    }

    @Test func aChatteringRailTripsWithTheLineNamed() throws {
        let p = try Parts(chatter: .init(edges: 6, window: .seconds(5)))
        p.running()
        for i in 0..<8 { p.inputs.set(.railLeft, i % 2 == 0) }
        #expect(!p.enable.isEnergised)
        #expect((p.gate.hold != nil))
        #expect(p.monitor.current.sensorFault?.line == .railLeft)
    }

    @Test func aLostLineTrips() throws {
        let p = try Parts()
        p.running()
        p.inputs.lose(.railRight, reason: "chip gone")
        #expect(!p.enable.isEnergised)
        #expect(p.monitor.current.sensorFault?.description.contains("chip gone") == true)
    }

    /// A line lost and restored between two ticks: the take still carries the trip, so the
    /// core latches a fault and the gate's hold ends in something a technician can see.
    @Test func aLineLostAndRestoredBetweenTicksStillReachesTheCore() throws {
        let p = try Parts()
        p.running()
        p.inputs.lose(.estop, reason: "chip gone")
        p.inputs.restore(.estop)
        #expect(p.monitor.current.sensorFault == nil, "the line reads healthy again")
        #expect(p.gate.hold.map { if case .sensor(let f) = $0 { f.line == .estop } else { false } } == true, "the hold names the line")
        let next = p.monitor.take(at: MonotonicClock.now())
        #expect(next.take.trips.count == 1)
        #expect(next.take.inputs.sensorFault?.line == .estop, "the take reports the worst since the last one")
    }

    /// A failed de-energise is never taken for "off": the drive is stopped at once and the
    /// failure is handed to the next tick; the relay reads unknown.
    @Test func aFailedEnableWriteStopsTheDriveAndIsReported() throws {
        let p = try Parts()
        p.running()
        #expect(p.drive.wait { $0.contains(.command(.run(.forward, .kmh(3)))) })
        let mark = p.drive.calls.count
        p.enable.failing = true
        p.inputs.set(.estop, false)
        #expect(p.enable.relayState == .unknown)
        #expect(p.drive.wait { calls in calls.dropFirst(mark).contains(.command(.stop)) }, "no stop after the failed write")
        #expect(p.gate.takeOutputFailure()?.contains("injected failure") == true)
        #expect(p.gate.takeOutputFailure() == nil, "taken once")
    }
}
