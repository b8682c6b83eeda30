import Logging
import Testing
import TreadCore
import TreadHardware
import TreadTesting

/// The drive link's timing on a clock the test moves: the setpoint lifetime and the polls
/// happen at the instants the rules say, however fast or slow the machine running the test.
@Suite struct DriveThreadClockTests {
    let run = DriveSetpoint.run(.forward, .kmh(3))

    func link(_ drive: RecordingDrive, _ clock: ManualClock) -> DriveLink {
        DriveLink(pollInterval: .milliseconds(50), setpointLifetime: .milliseconds(300), logger: Logger(label: "test.clock"),
                  clock: clock) { drive }
    }

    func polls(_ calls: [RecordingDrive.Call]) -> Int { calls.filter { $0 == .readReport }.count }

    /// Whether a stop was written after the run (the link writes one on connecting, before it).
    func stoppedAfterTheRun(_ calls: [RecordingDrive.Call]) -> Bool {
        guard let r = calls.firstIndex(of: .command(run)) else { return false }
        return calls[r...].contains(.command(.stop))
    }

    /// Moves the clock one poll interval on and waits for the poll it brings.
    func poll(_ drive: RecordingDrive, _ clock: ManualClock) -> Bool {
        let before = polls(drive.calls)
        guard clock.advance(by: .milliseconds(50)) else { return false }
        return drive.wait { polls($0) > before }
    }

    @Test func aRunNotRenewedBecomesAStopAtItsLifetimeOnTheLinksClock() {
        let drive = RecordingDrive(), clock = ManualClock()
        let l = link(drive, clock)
        l.start()
        defer { l.shutdown() }
        #expect(drive.wait { polls($0) >= 1 }, "the link connects and reads at once")
        l.submit(run)
        #expect(drive.wait { $0.contains(.command(run)) })
        // Five polls (250 ms on the link's clock) without a renewal: still running.
        for _ in 0..<5 { #expect(poll(drive, clock)) }
        #expect(!stoppedAfterTheRun(drive.calls), "stopped before the lifetime: \(drive.calls.suffix(6))")
        // The sixth and seventh take it past 300 ms: the link stops the drive itself.
        #expect(poll(drive, clock))
        #expect(poll(drive, clock))
        #expect(drive.wait { stoppedAfterTheRun($0) }, "no stop once the setpoint expired: \(drive.calls.suffix(6))")
    }

    @Test func aRunRenewedEveryPollRunsOnWithoutAStop() {
        let drive = RecordingDrive(), clock = ManualClock()
        let l = link(drive, clock)
        l.start()
        defer { l.shutdown() }
        #expect(drive.wait { polls($0) >= 1 })
        l.submit(run)
        #expect(drive.wait { $0.contains(.command(run)) })
        // Two seconds on the link's clock, renewed at every poll as a ticking loop would.
        for _ in 0..<40 {
            l.submit(run)
            #expect(poll(drive, clock))
        }
        #expect(!stoppedAfterTheRun(drive.calls), "a renewed run was stopped: \(drive.calls.suffix(6))")
    }
}
