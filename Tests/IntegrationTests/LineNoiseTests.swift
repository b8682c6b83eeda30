import Foundation
import Testing
import TreadHardware
import TreadProtocol

/// Bit flips on a live RTU line (`NoisyLine` between treadd and treadsim): scattered errors
/// are ridden out without obeying a corrupted frame; a line where every frame is hit becomes a
/// latched fault, the drive's own watchdog stops the belt, and a line that comes back clean
/// never restarts it.
@Suite(.serialized)
struct LineNoiseTests {
    static let profile = FaultInjectionTests.delta

    @Test func scatteredBitErrorsAreRiddenOutAndNoCorruptedFrameIsObeyed() throws {
        let rig = try TestRig(transport: .noisyRTU)
        let line = try #require(rig.line)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")

        // One byte in 151: a polling cycle (a setpoint write and a status read) is about 37
        // bytes, so a failed transaction is followed by about three good cycles and the three
        // misses in a row that make an outage never come from the noise alone; the spacing
        // leaves room for a slow reply on a loaded test machine as well.
        line.corrupt(oneByteIn: 151)
        _ = try rig.ctlChecked("start", "short")
        try events.next("the program ran to its end through the noise", timeout: 90) { m in
            #expect(m.event != .fault, "fault on a line with scattered errors: \(m.message ?? "")")
            return m.event == .sessionFinished || m.event == .fault
        }
        line.clean()
        let counts = line.counts
        print("noisy line (seed \(line.seed)): \(counts)")
        #expect(counts.corruptedToDrive >= 5 && counts.corruptedToTreadd >= 5, "the noise never hit the frames: \(counts)")
        let failed = rig.daemon.output.filter { $0.contains("drive transaction failed") }
        #expect(!failed.isEmpty, "treadd never saw a bad transaction, so this proved nothing")

        // Whatever reached the drive was what treadd meant: the CRC caught every flip.
        let log = try rig.simLog()
        let commands = log.writes(to: Int(Self.profile.commandRegister)).flatMap(\.values)
        let known = Set([Self.profile.runForward, Self.profile.runReverse, Self.profile.stop].map(Int.init))
        #expect(!commands.isEmpty)
        #expect(commands.allSatisfy(known.contains), "a command word treadd never sends reached the drive: \(commands.filter { !known.contains($0) })")
        let references = log.writes(to: Int(Self.profile.referenceRegister)).flatMap(\.values)
        let fastestHz = 2.0 / 0.3333
        let limit = Int((fastestHz / Self.profile.referenceUnitHz).rounded(.up)) + 1
        #expect(references.allSatisfy { $0 >= 0 && $0 <= limit }, "a reference above the program's fastest segment reached the drive: \(references.max() ?? 0)")
        // The run commands, repeats collapsed: forward, reverse, forward, as the program says.
        var runs: [Int] = []
        for c in commands where c != Int(Self.profile.stop) && runs.last != c { runs.append(c) }
        #expect(runs == [Int(Self.profile.runForward), Int(Self.profile.runReverse), Int(Self.profile.runForward)])
    }

    @Test func aLineWhereEveryFrameIsHitLatchesAFaultAndACleanLineNeverRestartsTheBelt() throws {
        let rig = try TestRig(transport: .noisyRTU, programs: ["long-forward": TestRig.longForward])
        let line = try #require(rig.line)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "long-forward")
        try events.awaitStatus("belt up to speed") { $0.direction == "forward" && ($0.beltSpeedKmh ?? -1) >= 1.5 }

        line.corrupt(oneByteIn: 2)
        let latched = try events.awaitStatus("fault latched", timeout: 20) { $0.state == "fault" }
        #expect(latched.fault?.code == "drive_offline")
        #expect(latched.enable == false)
        let message = latched.fault?.message.lowercased() ?? ""
        #expect(message.contains("crc") || message.contains("timeout") || message.contains("invalid"), "message: \(message)")

        // Not even treadd's stop gets through: the drive's own comm-loss watchdog stops the belt.
        let took = try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15)
        #expect(took != nil, "the drive still turns 15 s after the line went bad")

        // The line comes back: the link reconnects, the fault stays latched, the belt stays still.
        line.clean()
        let online = try events.awaitStatus("drive back online, fault still latched", timeout: 20) { $0.drive == "online" }
        #expect(online.state == "fault")
        #expect(online.enable == false)
        let after = try SimControl.state(at: rig.controlPath)
        #expect(after["running"] as? Bool == false, "the belt restarted on its own: \(after)")
        _ = try rig.ctlChecked("reset")
        try events.awaitStatus("idle after reset") { $0.state == "idle" }

        let log = try rig.simLog()
        #expect(log.states.contains { $0.trip == Self.profile.commLossFaultCode }, "the drive never tripped on comm loss")
        #expect(log.states.last?.running == false)
        print("noisy line (seed \(line.seed)): \(line.counts)")
    }
}
