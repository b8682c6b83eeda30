import Testing
import TreadProtocol
@testable import TreadDaemon

/// The STATUS= line `systemctl status` shows: readable, and stable while only the belt speed moves.
@Suite struct ServiceStatusLineTests {
    @Test func idleNamesTheDriveAndHowManyPrograms() {
        #expect(ServiceStatusLine.make(Status(state: "idle", drive: "online"), programs: 4) == "idle, drive online, 4 programs")
        #expect(ServiceStatusLine.make(Status(state: "idle", drive: "connecting"), programs: 1) == "idle, drive connecting, 1 program")
    }

    @Test func runningNamesProgramSegmentDirectionAndTargetSpeed() {
        var s = Status(state: "running", program: "demo", segmentIndex: 3, segmentCount: 8, direction: "reverse",
                       segmentDirection: "reverse", targetSpeedKmh: 2.5, beltSpeedKmh: 1.7, drive: "online")
        #expect(ServiceStatusLine.make(s, programs: 4) == "running demo (segment 3/8), reverse 2.5 km/h")
        s.beltSpeedKmh = 2.43
        #expect(ServiceStatusLine.make(s, programs: 4) == "running demo (segment 3/8), reverse 2.5 km/h", "belt speed must not change the line")
        s.targetSpeedKmh = 3
        #expect(ServiceStatusLine.make(s, programs: 4).hasSuffix("reverse 3 km/h"))
    }

    @Test func aFaultSaysFaultAndWhy() {
        let s = Status(state: "fault", fault: .init(code: "estop", message: "emergency stop pressed: release it, then reset"))
        #expect(ServiceStatusLine.make(s, programs: 4) == "FAULT: emergency stop pressed: release it, then reset")
    }

    @Test func pausedSaysWhy() {
        let s = Status(state: "paused", program: "demo", pauseReason: "rails_released")
        #expect(ServiceStatusLine.make(s, programs: 4) == "paused demo: rails released")
    }
}
