import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// The gate posts a tick's setpoint under its lock and wakes the drive thread after it
/// (`DriveLink.post`, `wake`): the setpoint must still reach the drive at once, not at the
/// drive thread's next poll.
@Suite struct GateWakeTests {
    @Test func aTicksSetpointReachesTheDriveWithoutWaitingForThePoll() throws {
        var logger = Logger(label: "test.gate-wake")
        logger.logLevel = .critical
        let drive = RecordingDrive()
        // Time stands still: once the drive thread waits, only a wake-up brings it round.
        let clock = ManualClock()
        let link = DriveLink(pollInterval: .milliseconds(50), logger: logger, clock: clock) { drive }
        defer { link.shutdown() }
        let gate = SafetyGate(enable: SimulatedEnableOutput(), drive: link)
        link.start()
        #expect(drive.wait { $0.contains(.readReport) }, "the drive link never polled")
        #expect(clock.awaitWaiter(), "the drive thread never came to wait")
        let mark = drive.calls.count
        gate.apply(Commands(enable: true, drive: .run(.forward, .kmh(3)), resetDriveFault: false, events: []), latched: false, seen: 0)
        #expect(drive.wait(timeout: 5) { $0.dropFirst(mark).contains(.command(.run(.forward, .kmh(3)))) },
                "the run command waited for the next poll: the gate did not wake the drive thread")
    }
}
