import Foundation
import Testing
import TreadHardware
import TreadProtocol

/// Faults injected into the simulated drive through treadsim's control socket while treadd
/// runs a program: each must end as a latched fault (`treadctl status --json`: state
/// "fault", a code and message naming the cause, enable off), and the drive's own log must
/// show the belt stopped afterwards.
@Suite(.serialized)
struct FaultInjectionTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var command: String
        var transport: TestRig.Transport
        /// The fault code treadd must latch, and words its message must contain (any of them).
        var faultCode: String
        var messageContains: [String]
        /// The drive trip the log must show (the drive's own comm-loss stop), if any.
        var driveTrip: Int?
        var testDescription: String { "\(command) over \(transport == .tcp ? "TCP" : "RTU")" }
    }

    static let deltaPath = Binaries.packageRoot + "/Config/drives/delta-ms300.toml"
    static var delta: DriveProfile { try! DriveProfile.load(path: deltaPath) }

    static var scenarios: [Scenario] {
        let commLossTrip = delta.commLossFaultCode ?? 58
        return [
            // A dead link: treadd times out; the drive's own comm-loss timeout stops the belt.
            Scenario(command: "silent on", transport: .tcp, faultCode: "drive_offline", messageContains: ["timeout"], driveTrip: commLossTrip),
            // Answers beyond treadd's 150 ms response timeout; treadd's stop still reaches the drive.
            Scenario(command: "late 1000", transport: .tcp, faultCode: "drive_offline", messageContains: ["timeout", "invalid reply"], driveTrip: nil),
            // The drive refuses everything (writes too): only its comm-loss timeout can stop the belt.
            Scenario(command: "exception 4", transport: .tcp, faultCode: "drive_offline", messageContains: ["exception 4"], driveTrip: commLossTrip),
            Scenario(command: "crc on", transport: .rtu, faultCode: "drive_offline", messageContains: ["crc"], driveTrip: nil),
            // Garbled replies (wrong function, foreign transaction or unit, bad byte count,
            // truncated, noise), and the drive takes in nothing: treadd refuses every reply,
            // and the drive's comm-loss timeout stops the belt.
            Scenario(command: "garble 7", transport: .tcp, faultCode: "drive_offline", messageContains: ["invalid reply", "timeout"], driveTrip: commLossTrip),
            Scenario(command: "garble 11", transport: .rtu, faultCode: "drive_offline", messageContains: ["invalid reply", "timeout"], driveTrip: commLossTrip),
            Scenario(command: "trip 16", transport: .tcp, faultCode: "drive_fault", messageContains: [delta.faultMessage(16)], driveTrip: 16),
        ]
    }

    @Test(arguments: scenarios)
    func injectedFaultLatchesAndTheBeltStops(_ s: Scenario) throws {
        let rig = try TestRig(transport: s.transport, programs: ["long-forward": TestRig.longForward])
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "long-forward")
        try events.awaitStatus("belt up to speed") { $0.direction == "forward" && ($0.beltSpeedKmh ?? -1) >= 1.5 }

        #expect(try rig.inject(s.command) == "ok")
        let latched = try events.awaitStatus("fault latched", timeout: 20) { $0.state == "fault" }
        #expect(latched.fault?.code == s.faultCode)

        // treadctl status --json: the same latched fault, enable off.
        let out = try rig.ctlChecked("status", "--json")
        let status = try LineCoding.decode(Status.self, from: out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(status.state == "fault")
        #expect(status.enable == false)
        let fault = try #require(status.fault, "no fault in \(out)")
        #expect(fault.code == s.faultCode)
        let named = s.messageContains.contains { fault.message.lowercased().contains($0.lowercased()) }
        #expect(named, "message: \(fault.message)")

        // The drive itself comes to rest (the control socket works whatever the Modbus side does).
        let took = try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15)
        #expect(took != nil, "the drive still turns 15 s after the fault")

        let log = try rig.simLog()
        let injected = try #require(log.injections.first { $0.command == s.command }, "no inject line for \(s.command)")
        let after = log.states.filter { $0.t >= injected.t }
        #expect(after.contains { $0.outputHz == 0 }, "no state line at 0 Hz after the injection")
        #expect(log.states.last?.outputHz == 0)
        #expect(log.states.last?.running == false)
        if let trip = s.driveTrip {
            #expect(after.contains { $0.trip == trip }, "the drive never tripped with \(trip)")
        }
    }
}

/// A slow drive (every answer 60 ms late, inside treadd's 150 ms response timeout, slower than
/// its 40 ms poll): the program still runs to its end, forward, reverse, forward, with no fault.
@Suite struct SlowDriveTests {
    @Test func slowRepliesInsideTheTimeoutAreRiddenOut() throws {
        let rig = try TestRig(transport: .tcp)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        #expect(try rig.inject("late 60") == "ok")
        _ = try rig.ctlChecked("start", "short")
        try events.next("the program ran to its end on a slow drive", timeout: 90) { m in
            #expect(m.event != .fault, "fault with replies inside the timeout: \(m.message ?? "")")
            return m.event == .sessionFinished || m.event == .fault
        }
        let profile = FaultInjectionTests.delta
        let log = try rig.simLog()
        let commands = log.writes(to: Int(profile.commandRegister)).flatMap(\.values)
        var runs: [Int] = []
        for c in commands where c != Int(profile.stop) && runs.last != c { runs.append(c) }
        #expect(runs == [Int(profile.runForward), Int(profile.runReverse), Int(profile.runForward)])
    }
}
