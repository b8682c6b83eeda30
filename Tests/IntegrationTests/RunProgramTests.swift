import Foundation
import Testing
import TreadProtocol

/// treadsim, treadd and treadctl as real processes over real Modbus transports. The drive's
/// own record (treadsim's log) is the judge of what the belt did.
@Suite(.serialized)
struct RunProgramTests {
    static let commandRegister = 0x2000, runForward = 0x12, runReverse = 0x22, stop = 0x01

    @Test(arguments: [TestRig.Transport.tcp, .rtu])
    func reverseProgramChangesDirectionOnlyAtZero(transport: TestRig.Transport) throws {
        let rig = try TestRig(transport: transport)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let follow = try rig.ctl("start", "short", "--follow", timeout: 90)
        #expect(follow.code == 0, "start --follow: \(follow.stderr)")
        #expect(follow.stdout.contains("segment 2/3"))
        #expect(follow.stdout.contains("[direction_change]"))

        let log = try rig.simLog()
        let commands = log.writes(to: Self.commandRegister)
        let runs = commands.filter { $0.values.first == Self.runForward || $0.values.first == Self.runReverse }
        #expect(!runs.isEmpty, "no run command reached the drive")

        // The comm-loss stop was armed before the first run command.
        let firstRun = try #require(runs.first)
        let timeout = log.writes(to: 0x0903).filter { $0.t <= firstRun.t && ($0.values.first ?? 0) > 0 }
        let action = log.writes(to: 0x0902).filter { $0.t <= firstRun.t && $0.values.first == 1 }
        #expect(!timeout.isEmpty, "comm-loss timeout (09-03) not written before the first run command")
        #expect(!action.isEmpty, "comm-loss action (09-02 = ramp to stop) not written before the first run command")

        // Every run command in a new direction arrived while the drive's output was zero.
        var last: Int? = nil
        var reversals = 0
        for r in runs {
            let v = r.values.first!
            if let l = last, l != v {
                reversals += 1
                #expect(r.outputHz == 0, "direction change commanded at \(r.outputHz) Hz (t=\(r.t))")
            }
            last = v
        }
        #expect(reversals == 2, "expected forward -> reverse -> forward, saw \(reversals) changes")
        // The belt really ran backwards, and ended stopped.
        #expect(log.states.contains { $0.direction == "reverse" && $0.outputHz > 3 })
        #expect(log.states.last?.outputHz == 0)
        #expect(log.states.allSatisfy { ($0.trip ?? 0) == 0 }, "the drive tripped during the run")
    }
}
