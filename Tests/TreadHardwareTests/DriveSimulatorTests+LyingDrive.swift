import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

/// A drive that lies about the belt (`overspeed`, `freeze`): what treadd's speed supervision
/// is tested against, so the simulator itself must be seen to lie exactly as asked.
extension DriveSimulatorTests {
    func counts(_ hz: Double) -> UInt16 { UInt16((hz / p.outputUnitHz).rounded()) }

    @Test func overspeedRunsTheBeltFasterThanTheReferenceAndTheOutputRegisterSaysSo() throws {
        // 1.00 s to 60 Hz: 60 Hz/s both ways.
        var sim = try drive(accel: 100, decel: 100, referenceHz: 20)
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(1))
        #expect(close(sim.outputHz, 20))

        sim.setOverspeed(1.5, at: t(1))
        sim.advance(to: t(2))
        #expect(close(sim.outputHz, 30), "the motor runs at 1.5 x the reference: \(sim.outputHz) Hz")
        #expect(close(sim.referenceHz, 20), "the reference is still what was written")
        #expect(sim.read(address: p.referenceRegister) == UInt16((20 / p.referenceUnitHz).rounded()))
        #expect(sim.read(address: p.outputFrequencyRegister) == counts(30), "the output register reports the real frequency")

        sim.setOverspeed(1, at: t(2))
        sim.advance(to: t(3))
        #expect(close(sim.outputHz, 20), "honest again")
    }

    @Test func freezeHoldsTheStatusWordAndOutputFrequencyWhileTheBeltMovesOn() throws {
        var sim = try drive(accel: 100, decel: 100, referenceHz: 30)
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(0.25))
        #expect(close(sim.outputHz, 15), "ramping")
        sim.freeze(true, at: t(0.25))
        let word = sim.read(address: p.stateRegister)
        let output = sim.read(address: p.outputFrequencyRegister)
        #expect(output == counts(15))
        #expect(p.running.matches(word))

        sim.advance(to: t(1))
        #expect(close(sim.outputHz, 30), "the physics go on")
        #expect(sim.read(address: p.outputFrequencyRegister) == output, "the report does not")
        sim.write(address: p.commandRegister, value: p.stop, at: t(1))
        sim.write(address: p.stateRegister, value: 0, at: t(1))
        sim.advance(to: t(2))
        #expect(sim.outputHz == 0, "stopped")
        #expect(sim.read(address: p.stateRegister) == word, "still reads running, even over a master's write")
        #expect(sim.read(address: p.outputFrequencyRegister) == output)

        sim.freeze(false, at: t(2))
        #expect(sim.read(address: p.outputFrequencyRegister) == 0)
        #expect(!p.running.matches(sim.read(address: p.stateRegister)))
    }

    @Test func overspeedAndFreezeControlCommands() throws {
        let server = try SimulatorServer(profile: p, transport: .tcp(host: "127.0.0.1", port: 0))
        func state() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(server.control("state").utf8)) as? [String: Any])
        }
        #expect(server.control("overspeed 1.5") == "ok")
        #expect(server.simulator.overspeedFactor == 1.5)
        #expect(try state()["overspeed"] as? Double == 1.5)
        for bad in ["overspeed 0", "overspeed -1", "overspeed 11", "overspeed fast", "overspeed nan", "overspeed"] {
            #expect(server.control(bad).hasPrefix("error:"), "\(bad)")
        }
        #expect(server.simulator.overspeedFactor == 1.5, "a refused command changes nothing")
        #expect(server.control("overspeed off") == "ok")
        #expect(server.simulator.overspeedFactor == 1)

        #expect(server.control("freeze on") == "ok")
        #expect(server.simulator.isFrozen)
        #expect(try state()["frozen"] as? Bool == true)
        #expect(server.control("freeze maybe").hasPrefix("error:"))
        #expect(server.control("freeze off") == "ok")
        #expect(!server.simulator.isFrozen)

        #expect(server.control("overspeed 2") == "ok")
        #expect(server.control("freeze on") == "ok")
        #expect(server.control("clear") == "ok")
        #expect(server.simulator.overspeedFactor == 1 && !server.simulator.isFrozen, "clear ends both")
        #expect(server.control("help").contains("overspeed FACTOR|off"))
        #expect(server.control("help").contains("freeze on|off"))
    }

    /// Over Modbus, as treadd sees it: a drive told 2 km/h reports 3, then a report that no
    /// longer moves while the belt stops.
    @Test func aLyingDriveAsAMasterReadsIt() throws {
        let sim = try SimulatorHarness(profile: p)
        defer { try? sim.stop() }
        let d = ModbusDrive(profile: p, settings: sim.settings, calibration: BeltCalibration(kmhPerHz: 0.5), acceleration: 10, deceleration: 10)
        defer { d.disconnect() }
        try d.connect()
        #expect(sim.paused { $0.control("overspeed 1.5") } == "ok")
        try d.command(.run(.forward, .kmh(2)))
        #expect(try eventually { abs(try d.readReport().beltSpeed.kmh - 3) < 0.01 }, "told 2 km/h, runs and reports 3")

        #expect(sim.paused { $0.control("freeze on") } == "ok")
        let frozen = try d.readReport()
        try d.command(.stop)
        #expect(eventually { sim.paused { $0.simulator.outputHz == 0 } }, "the belt stops")
        let after = try d.readReport()
        #expect(after == frozen, "the reports still say \(frozen.beltSpeed), running")
        #expect(after.running)
    }
}
