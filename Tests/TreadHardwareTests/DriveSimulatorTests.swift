import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

/// The pure drive simulator, against the shipped Delta MS300 profile.
@Suite struct DriveSimulatorTests {
    static let profilePath: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/drives/delta-ms300.toml").path

    let p: DriveProfile
    /// Delta's separate comm-loss registers (09-03 time-out, 09-02 action).
    let cl: DriveProfile.CommLossRegisters

    init() throws {
        p = try DriveProfile.load(path: Self.profilePath)
        cl = try #require(p.commLossRegisters)
    }

    func t(_ s: Double) -> Instant { .seconds(s) }

    /// A Delta simulator with accel/decel times (in the profile's units) and a reference in Hz.
    func drive(accel: UInt16, decel: UInt16, referenceHz: Double) throws -> DriveSimulator {
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        sim.noteRequest(at: t(0))
        sim.write(address: try #require(p.accelTimeRegister), value: accel, at: t(0))
        sim.write(address: try #require(p.decelTimeRegister), value: decel, at: t(0))
        sim.write(address: p.referenceRegister, value: UInt16((referenceHz / p.referenceUnitHz).rounded()), at: t(0))
        return sim
    }

    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(a - b) <= tolerance }

    @Test func profileLoads() {
        #expect(p.name == "Delta MS300")
        #expect(p.commandRegister == 0x2000)
    }

    @Test func registersStartAtZeroAndReadBack() throws {
        var sim = DriveSimulator(profile: p)
        #expect(sim.read(address: 0x1234) == 0)
        #expect(sim.read(address: p.stateRegister) == 0)
        sim.write(address: 0x1234, value: 777, at: t(0))
        #expect(sim.read(address: 0x1234) == 777)
        sim.write(address: cl.timeoutRegister, value: 5, at: t(0))
        #expect(sim.read(address: cl.timeoutRegister) == 5)
    }

    @Test func rampsAtTheProgrammedRates() throws {
        // 01-12 = 5.00 s and 01-13 = 10.00 s to 60 Hz: 12 Hz/s up, 6 Hz/s down.
        var sim = try drive(accel: 500, decel: 1000, referenceHz: 30)
        #expect(close(sim.accelRateHzPerSecond, 12))
        #expect(close(sim.decelRateHzPerSecond, 6))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        #expect(sim.outputHz == 0)

        sim.advance(to: t(1))
        #expect(close(sim.outputHz, 12))
        #expect(sim.read(address: p.outputFrequencyRegister) == 1200)
        sim.advance(to: t(2))
        #expect(close(sim.outputHz, 24))
        sim.advance(to: t(2.5))
        #expect(close(sim.outputHz, 30))
        sim.advance(to: t(3))
        #expect(close(sim.outputHz, 30), "holds the reference")
        #expect(sim.read(address: p.outputFrequencyRegister) == 3000)

        sim.write(address: p.commandRegister, value: p.stop, at: t(3))
        sim.advance(to: t(4))
        #expect(close(sim.outputHz, 24))
        #expect(sim.isRunning, "still turning while it ramps down")
        sim.advance(to: t(8))
        #expect(sim.outputHz == 0)
        #expect(!sim.isRunning)
        #expect(sim.read(address: p.outputFrequencyRegister) == 0)
    }

    @Test func smallStepsIntegrateLikeOneBigStep() throws {
        var a = try drive(accel: 300, decel: 300, referenceHz: 50)
        var b = a
        a.write(address: p.commandRegister, value: p.runForward, at: t(0))
        b.write(address: p.commandRegister, value: p.runForward, at: t(0))
        for i in 1...200 { a.advance(to: t(Double(i) * 0.01)) }
        b.advance(to: t(2))
        #expect(close(a.outputHz, 40, 1e-6))
        #expect(close(b.outputHz, 40, 1e-6))
    }

    @Test func defaultRampWhenTimeRegistersAreZero() {
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        #expect(close(sim.accelRateHzPerSecond, p.rampFullScaleHz / DriveSimulator.defaultRampTime))
        sim.write(address: p.referenceRegister, value: 6000, at: t(0))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(0.5))
        #expect(close(sim.outputHz, 30))
    }

    @Test func referenceAboveMaximumIsRefused() throws {
        var sim = try drive(accel: 100, decel: 100, referenceHz: 20)
        sim.write(address: p.referenceRegister, value: 6001, at: t(0))
        #expect(close(sim.referenceHz, 20))
        #expect(sim.read(address: p.referenceRegister) == 2000)
        sim.write(address: p.referenceRegister, value: 6000, at: t(0))
        #expect(close(sim.referenceHz, 60))
    }

    @Test func reversePassesThroughZeroBeforeTheDirectionChanges() throws {
        // 6 s to 60 Hz both ways: 10 Hz/s.
        var sim = try drive(accel: 600, decel: 600, referenceHz: 20)
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(2))
        #expect(close(sim.outputHz, 20))
        #expect(sim.direction == .forward)

        sim.write(address: p.commandRegister, value: p.runReverse, at: t(2))
        #expect(sim.direction == .forward, "no flip at speed")
        var samples: [(Double, Double, Direction)] = []
        var time = 2.0
        while time < 6.5 {
            time += 0.01
            sim.noteRequest(at: t(time))
            sim.advance(to: t(time))
            samples.append((time, sim.outputHz, sim.direction))
        }
        let firstReverse = try #require(samples.firstIndex { $0.2 == .reverse })
        // Every forward sample decelerates monotonically; the flip happens at 0 Hz, about 2 s later.
        let forward = samples[..<firstReverse]
        #expect(zip(forward, forward.dropFirst()).allSatisfy { $0.1 >= $1.1 })
        #expect(try #require(forward.last).1 <= 0.1 + 1e-9)
        #expect(close(samples[firstReverse].0, 4.0, 0.011))
        #expect(samples[firstReverse].1 <= 0.1 + 1e-9)
        #expect(samples[firstReverse...].allSatisfy { $0.2 == .reverse }, "no flip back")
        #expect(close(sim.outputHz, 20))
        #expect(sim.direction == .reverse)
    }

    @Test func reverseInOneStepSplitsTheRamp() throws {
        var sim = try drive(accel: 600, decel: 600, referenceHz: 20)
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(2))
        sim.write(address: p.commandRegister, value: p.runReverse, at: t(2))
        sim.advance(to: t(3))
        #expect(close(sim.outputHz, 10))
        #expect(sim.direction == .forward)
        sim.advance(to: t(5))  // 1 s more down to 0, then 1 s up in reverse
        #expect(close(sim.outputHz, 10))
        #expect(sim.direction == .reverse)
    }

    @Test func reverseFromStandstillIsImmediate() throws {
        var sim = try drive(accel: 600, decel: 600, referenceHz: 20)
        sim.write(address: p.commandRegister, value: p.runReverse, at: t(0))
        #expect(sim.direction == .reverse)
        sim.advance(to: t(1))
        #expect(close(sim.outputHz, 10))
    }

    @Test func statusWordDecodesWithTheProfilePatterns() throws {
        var sim = try drive(accel: 600, decel: 600, referenceHz: 20)
        var word = sim.read(address: p.stateRegister)
        #expect(!p.running.matches(word))
        #expect(!p.reverse.matches(word))

        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(1))
        word = sim.read(address: p.stateRegister)
        #expect(p.running.matches(word))
        #expect(!p.reverse.matches(word))
        #expect(word == 0x0003)

        sim.write(address: p.commandRegister, value: p.runReverse, at: t(1))
        sim.advance(to: t(3))
        word = sim.read(address: p.stateRegister)
        #expect(p.running.matches(word))
        #expect(p.reverse.matches(word))
        #expect(word == 0x001B)

        sim.write(address: p.commandRegister, value: p.stop, at: t(3))
        sim.advance(to: t(3.5))
        #expect(p.running.matches(sim.read(address: p.stateRegister)), "running while decelerating")
        sim.advance(to: t(10))
        word = sim.read(address: p.stateRegister)
        #expect(!p.running.matches(word))
        #expect(sim.read(address: p.outputFrequencyRegister) == 0)
    }

    /// Programs 0.5 s comm-loss with `action`, runs at 30 Hz with requests every 0.1 s up to 3 s.
    func runningWithCommLoss(action: UInt16) throws -> DriveSimulator {
        var sim = try drive(accel: 200, decel: 600, referenceHz: 30)
        sim.write(address: cl.timeoutRegister, value: 5, at: t(0))
        sim.write(address: cl.actionRegister, value: action, at: t(0))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        for i in 1...30 {
            sim.noteRequest(at: t(Double(i) * 0.1))
            #expect(sim.tripCode == nil)
        }
        #expect(close(sim.outputHz, 30))
        return sim
    }

    @Test func commLossDoesNotTripWhileRequestsKeepComing() throws {
        var sim = try runningWithCommLoss(action: cl.actionValue)
        for i in 31...100 { sim.noteRequest(at: t(Double(i) * 0.1)) }
        sim.advance(to: t(10.4))
        #expect(sim.tripCode == nil)
        #expect(sim.runCommanded)
        #expect(close(sim.outputHz, 30))
    }

    @Test func commLossTripsAndRampsToStop() throws {
        var sim = try runningWithCommLoss(action: cl.actionValue)
        sim.advance(to: t(3.45))
        #expect(sim.tripCode == nil, "0.45 s of silence is within the 0.5 s timeout")
        sim.advance(to: t(3.6))
        #expect(sim.tripCode == 58)
        #expect(sim.tripCode == p.commLossFaultCode)
        #expect(!sim.runCommanded)
        #expect(try sim.read(address: #require(p.faultCodeRegister)) == 58)
        // Tripped at 3.5 s, 0.1 s at 10 Hz/s: ramps, not coasts.
        #expect(close(sim.outputHz, 29))
        #expect(sim.isRunning)
        sim.advance(to: t(7))
        #expect(sim.outputHz == 0)
        #expect(!p.running.matches(sim.read(address: p.stateRegister)))

        // A tripped drive ignores run commands.
        sim.noteRequest(at: t(7))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(7))
        sim.advance(to: t(8))
        #expect(sim.outputHz == 0)
        #expect(!sim.runCommanded)
        #expect(sim.tripCode == 58)
    }

    @Test func commLossCoastActionDropsTheOutputAtOnce() throws {
        var sim = try runningWithCommLoss(action: 2)
        sim.advance(to: t(3.6))
        #expect(sim.tripCode == 58)
        #expect(sim.outputHz == 0)
    }

    @Test(arguments: [UInt16(0), 3])
    func commLossKeepRunningActionDoesNotStop(action: UInt16) throws {
        var sim = try runningWithCommLoss(action: action)
        sim.advance(to: t(13))
        #expect(sim.tripCode == nil)
        #expect(sim.runCommanded)
        #expect(close(sim.outputHz, 30))
        #expect(sim.commLossWarning)
        sim.noteRequest(at: t(13.1))
        #expect(!sim.commLossWarning)
    }

    @Test func commLossOffWhenTimeoutIsZero() throws {
        var sim = try runningWithCommLoss(action: cl.actionValue)
        sim.noteRequest(at: t(3))
        sim.write(address: cl.timeoutRegister, value: 0, at: t(3))
        sim.advance(to: t(20))
        #expect(sim.tripCode == nil)
        #expect(close(sim.outputHz, 30))
    }

    @Test func commLossDoesNotTripAStoppedDrive() throws {
        var sim = try drive(accel: 100, decel: 100, referenceHz: 30)
        sim.write(address: cl.timeoutRegister, value: 5, at: t(0))
        sim.write(address: cl.actionRegister, value: cl.actionValue, at: t(0))
        sim.advance(to: t(10))
        #expect(sim.tripCode == nil)
    }

    @Test func faultResetClearsTheTripOnlyAtZeroOutput() throws {
        var sim = try runningWithCommLoss(action: cl.actionValue)
        sim.advance(to: t(3.6))
        #expect(sim.tripCode == 58)
        #expect(sim.outputHz > 0)

        sim.noteRequest(at: t(3.6))
        sim.write(address: p.faultResetRegister, value: p.faultResetValue, at: t(3.6))
        #expect(sim.tripCode == 58, "no reset while the motor turns")

        sim.noteRequest(at: t(7))
        sim.advance(to: t(7))
        #expect(sim.outputHz == 0)
        sim.write(address: p.faultResetRegister, value: p.faultResetValue &+ 1, at: t(7))
        #expect(sim.tripCode == 58, "only the reset value resets")
        sim.write(address: p.faultResetRegister, value: p.faultResetValue, at: t(7))
        #expect(sim.tripCode == nil)
        #expect(try sim.read(address: #require(p.faultCodeRegister)) == 0)
        #expect(!sim.runCommanded, "a reset does not restart the motor")

        sim.write(address: p.commandRegister, value: p.runForward, at: t(7))
        sim.noteRequest(at: t(7.2))
        sim.advance(to: t(7.2))
        #expect(sim.runCommanded)
        #expect(close(sim.outputHz, 6))
    }
}

/// Profiles for the generic emulation tests, written here so these tests do not depend on
/// which profiles Config/drives ships: a Yaskawa-like drive (FC16 only, ENTER to apply,
/// zero-speed bit in a second status word, fault bit) and a DRIVECOM drive (start-up
/// sequence sharing the command word with run/stop, signed output, edge fault reset).
enum SimulatorFixtures {
    static let yaskawa = """
        [drive]
        name = "Yaskawa-like (test)"
        write_function = 16
        max_frequency_hz = 60.0
        [command]
        register = 0x0001
        run_forward = 0x0001
        run_reverse = 0x0002
        stop = 0x0000
        [reference]
        register = 0x0002
        unit_hz = 0.01
        [status]
        state_register = 0x0020
        running = { mask = 0x0001, value = 0x0001 }
        reverse = { mask = 0x0002, value = 0x0002 }
        fault = { mask = 0x0008, value = 0x0008 }
        zero_speed = { mask = 0x0002, value = 0x0002, register = 0x002C }
        output_frequency_register = 0x0024
        output_unit_hz = 0.01
        [fault_reset]
        register = 0x0001
        value = 0x0008
        release_value = 0x0000
        [comm_loss]
        timeout_register = 0x0435
        timeout_unit_s = 0.1
        timeout_s = 0.5
        action_register = 0x0434
        action_value = 0
        action = "ramp to stop"
        [ramps]
        accel_time_register = 0x0200
        decel_time_register = 0x0201
        time_unit_s = 0.1
        full_scale_hz = 60.0
        [apply]
        register = 0x0910
        value = 0
        [[parameters]]
        name = "b1-01 reference source: serial"
        register = 0x0180
        value = 2
        [[identity]]
        name = "model"
        register = 0x0000
        [[identity]]
        name = "software"
        register = 0x004D
        """

    static let drivecom = """
        [drive]
        name = "DRIVECOM (test)"
        max_frequency_hz = 50.0
        [command]
        register = 8501
        run_forward = 0x000F
        run_reverse = 0x080F
        stop = 0x010F
        [reference]
        register = 8502
        unit_hz = 0.1
        [status]
        state_register = 3201
        running = { mask = 0x0010, value = 0x0010, register = 3206 }
        reverse = { mask = 0x8000, value = 0x8000 }
        fault = { mask = 0x0008, value = 0x0008 }
        output_frequency_register = 3202
        output_unit_hz = 0.1
        output_signed = true
        fault_code_register = 7121
        [fault_reset]
        register = 8501
        value = 0x0080
        release_value = 0x0000
        [[start_sequence]]
        register = 8501
        value = 0x0006
        expect = { mask = 0x006F, value = 0x0021 }
        [[start_sequence]]
        register = 8501
        value = 0x0007
        expect = { mask = 0x006F, value = 0x0023 }
        [[start_sequence]]
        register = 8501
        value = 0x000F
        expect = { mask = 0x006F, value = 0x0027 }
        [comm_loss]
        timeout_register = 6005
        timeout_unit_s = 0.1
        timeout_s = 1.0
        action_register = 7010
        action_value = 1
        action = "freewheel stop"
        fault_code = 16
        [ramps]
        accel_time_register = 9001
        decel_time_register = 9002
        time_unit_s = 0.1
        full_scale_hz = 50.0
        [fault_codes]
        16 = "CNF: communication network fault"
        17 = "OHF: drive overheat"
        """

    static func load(_ text: String) throws -> DriveProfile { try DriveProfile.parse(text, file: "fixture.toml") }
}

/// What any profile declares, emulated generically: FC16-only drives, apply (ENTER),
/// DRIVECOM start-up sequences, signed output, zero-speed and fault bits, identity.
@Suite(.serialized) struct DriveSimulatorProfileFeatureTests {
    let yaskawa: DriveProfile
    let drivecom: DriveProfile
    let delta: DriveProfile
    /// The shipped Optidrive E3: packed comm-loss field, fault code in a high byte, reverse by sign.
    let e3: DriveProfile

    init() throws {
        yaskawa = try SimulatorFixtures.load(SimulatorFixtures.yaskawa)
        drivecom = try SimulatorFixtures.load(SimulatorFixtures.drivecom)
        delta = try DriveProfile.load(path: DriveSimulatorTests.profilePath)
        e3 = try DriveProfile.load(path: URL(fileURLWithPath: DriveSimulatorTests.profilePath)
            .deletingLastPathComponent().appendingPathComponent("invertek-e3.toml").path)
    }

    func t(_ s: Double) -> Instant { .seconds(s) }

    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(a - b) <= tolerance }

    // MARK: FC16 only

    @Test func fc16OnlyProfileRefusesFC06() {
        #expect(DriveSimulator(profile: yaskawa).refusal(function: 6) == 1)
        #expect(DriveSimulator(profile: yaskawa).refusal(function: 16) == nil)
        #expect(DriveSimulator(profile: yaskawa).refusal(function: 3) == nil)
        #expect(DriveSimulator(profile: delta).refusal(function: 6) == nil)
    }

    @Test func fc16OnlyServerAnswersFC06WithIllegalFunction() throws {
        let sim = try SimulatorHarness(profile: yaskawa)
        defer { try? sim.stop() }
        let link = try ModbusConnection(sim.settings)
        defer { link.close() }
        try link.connect()
        #expect(throws: ModbusError.exception(1)) { try link.writeRegister(0x0002, 1234, function: .single) }
        try link.writeRegister(0x0002, 2500, function: .multiple)
        #expect(try link.readRegisters(0x0002, count: 1) == [2500])
        // A refused FC06 changed nothing.
        #expect(throws: ModbusError.exception(1)) { try link.writeRegister(0x0002, 1234, function: .single) }
        #expect(try link.readRegisters(0x0002, count: 1) == [2500])
        sim.paused { server in #expect(close(server.simulator.referenceHz, 25)) }

        // The same FC06 is fine on an FC06 drive.
        let deltaSim = try SimulatorHarness(profile: delta)
        defer { try? deltaSim.stop() }
        let deltaLink = try ModbusConnection(deltaSim.settings)
        defer { deltaLink.close() }
        try deltaLink.connect()
        try deltaLink.writeRegister(delta.referenceRegister, 1234, function: .single)
        #expect(try deltaLink.readRegisters(delta.referenceRegister, count: 1) == [1234])
    }

    // MARK: Apply (ENTER)

    @Test func applyGatedParametersReadBackButActOnlyAfterApply() throws {
        let p = yaskawa
        let apply = try #require(p.apply)
        let cl = try #require(p.commLossRegisters)
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        sim.noteRequest(at: t(0))
        sim.write(address: cl.timeoutRegister, value: 5, at: t(0))
        sim.write(address: cl.actionRegister, value: cl.actionValue, at: t(0))
        sim.write(address: try #require(p.accelTimeRegister), value: 30, at: t(0))   // 3.0 s to 60 Hz: 20 Hz/s
        sim.write(address: try #require(p.decelTimeRegister), value: 60, at: t(0))   // 6.0 s: 10 Hz/s
        sim.write(address: p.parameters[0].register, value: p.parameters[0].value, at: t(0))
        // Stored and read back at once...
        #expect(sim.read(address: cl.timeoutRegister) == 5)
        #expect(sim.read(address: try #require(p.accelTimeRegister)) == 30)
        #expect(sim.read(address: p.parameters[0].register) == 2)
        // ...but not in use.
        #expect(sim.commLossTimeout == nil)
        #expect(sim.active(address: p.parameters[0].register) == 0)
        #expect(close(sim.accelRateHzPerSecond, p.rampFullScaleHz / DriveSimulator.defaultRampTime))

        // Without ENTER a silent master does not trip the drive.
        sim.write(address: p.referenceRegister, value: 3000, at: t(0))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        sim.advance(to: t(2))
        #expect(sim.tripCode == nil)
        #expect(close(sim.outputHz, 30))

        // A wrong apply value is no ENTER.
        sim.noteRequest(at: t(2))
        sim.write(address: apply.register, value: apply.value &+ 1, at: t(2))
        #expect(sim.commLossTimeout == nil)
        sim.write(address: apply.register, value: apply.value, at: t(2))
        #expect(sim.commLossTimeout == .milliseconds(500))
        #expect(close(sim.accelRateHzPerSecond, 20))
        #expect(close(sim.decelRateHzPerSecond, 10))
        #expect(sim.active(address: p.parameters[0].register) == 2)

        // A later write waits for the next ENTER.
        sim.write(address: try #require(p.decelTimeRegister), value: 30, at: t(2))
        #expect(sim.read(address: try #require(p.decelTimeRegister)) == 30)
        #expect(close(sim.decelRateHzPerSecond, 10))

        // Now the watchdog is live: 0.5 s of silence trips and ramps to stop at 10 Hz/s.
        sim.advance(to: t(2.6))
        #expect(sim.tripCode != nil)
        #expect(!sim.runCommanded)
        sim.advance(to: t(3.5))
        #expect(close(sim.outputHz, 20, 1e-6))
        #expect(p.faultBit.map { $0.matches(sim.read(address: p.stateRegister)) } == true)
    }

    @Test func withoutApplyWritesActAtOnce() throws {
        let cl = try #require(delta.commLossRegisters)
        var sim = DriveSimulator(profile: delta)
        sim.write(address: cl.timeoutRegister, value: 5, at: t(0))
        #expect(sim.commLossTimeout == .milliseconds(500))
        #expect(sim.active(address: cl.timeoutRegister) == 5)
    }

    // MARK: DRIVECOM start-up sequence

    func stateWord(_ sim: DriveSimulator) -> UInt16 { sim.read(address: drivecom.stateRegister) }

    func expectMatch(_ sim: DriveSimulator, step: Int) -> Bool {
        drivecom.startSequence[step].expect!.matches(stateWord(sim))
    }

    @Test func drivecomSequenceGatesRunCommands() throws {
        let p = drivecom
        let cmd = p.commandRegister
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        sim.write(address: p.referenceRegister, value: 200, at: t(0))  // 20.0 Hz
        // Switch on disabled: no step's status matches.
        #expect(stateWord(sim) == 0x0040)
        #expect(!sim.isEnabled)
        #expect((0..<3).allSatisfy { !expectMatch(sim, step: $0) })

        // Run before the sequence: stored, not obeyed.
        sim.write(address: cmd, value: p.runReverse, at: t(0))
        #expect(sim.read(address: cmd) == p.runReverse)
        #expect(!sim.runCommanded)
        sim.advance(to: t(1))
        #expect(sim.outputHz == 0)

        // Steps out of order do nothing.
        sim.write(address: cmd, value: 0x0007, at: t(1))
        #expect(sim.sequenceState == 0)
        #expect(stateWord(sim) == 0x0040)

        sim.write(address: cmd, value: 0x0006, at: t(1))
        #expect(expectMatch(sim, step: 0))
        #expect(!expectMatch(sim, step: 1))
        sim.write(address: cmd, value: 0x0007, at: t(1))
        #expect(expectMatch(sim, step: 1))
        #expect(!expectMatch(sim, step: 2))
        sim.write(address: cmd, value: p.runReverse, at: t(1))
        #expect(!sim.runCommanded, "not enabled yet")
        #expect(sim.sequenceState == 2)

        // 0x000F enables operation, and on DRIVECOM that is a run forward.
        sim.write(address: cmd, value: 0x000F, at: t(1))
        #expect(sim.isEnabled)
        #expect(expectMatch(sim, step: 2))
        #expect(sim.runCommanded)
        sim.advance(to: t(3))
        #expect(sim.outputHz > 0)

        // Run and stop values keep the drive enabled.
        sim.write(address: cmd, value: p.stop, at: t(3))
        #expect(expectMatch(sim, step: 2))
        #expect(sim.isEnabled)
        sim.advance(to: t(10))
        #expect(sim.outputHz == 0)
        sim.write(address: cmd, value: p.runReverse, at: t(10))
        #expect(expectMatch(sim, step: 2))
        #expect(sim.runCommanded)
        sim.advance(to: t(11))
        #expect(sim.direction == .reverse)
        #expect(sim.outputHz > 0)

        // Shutdown (step 1's value) from operation enabled drops back to ready to switch on.
        sim.write(address: cmd, value: 0x0006, at: t(11))
        #expect(sim.sequenceState == 1)
        #expect(!sim.runCommanded)
        #expect(expectMatch(sim, step: 0))
    }

    @Test func drivecomTripNeedsResetAndTheSequenceAgain() throws {
        let p = drivecom
        let cmd = p.commandRegister
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        sim.write(address: p.referenceRegister, value: 200, at: t(0))
        for v in [6, 7, 0x000F] as [UInt16] { sim.write(address: cmd, value: v, at: t(0)) }
        sim.advance(to: t(2))
        #expect(sim.outputHz > 0)

        sim.trip(code: 17, at: t(2))
        #expect(sim.outputHz == 0, "a trip coasts")
        #expect(!sim.isEnabled)
        #expect(sim.read(address: try #require(p.faultCodeRegister)) == 17)
        let fault = try #require(p.faultBit)
        #expect(fault.matches(stateWord(sim)))
        #expect((0..<3).allSatisfy { !expectMatch(sim, step: $0) })
        // Tripped, the sequence does not advance.
        sim.write(address: cmd, value: 6, at: t(2))
        #expect(sim.sequenceState == 0)

        // Edge reset: the reset value resets, the release is only stored.
        sim.write(address: cmd, value: p.faultResetValue, at: t(2))
        #expect(sim.tripCode == nil)
        sim.write(address: cmd, value: try #require(p.faultResetRelease), at: t(2))
        #expect(sim.tripCode == nil)
        #expect(!fault.matches(stateWord(sim)))
        #expect(sim.read(address: try #require(p.faultCodeRegister)) == 0)
        #expect(stateWord(sim) == 0x0040, "back to switch on disabled")

        sim.write(address: cmd, value: p.runForward, at: t(2))
        #expect(sim.sequenceState == 0, "0x000F before 6 and 7 is not a step")
        #expect(!sim.runCommanded)
        sim.write(address: cmd, value: p.runReverse, at: t(2))
        #expect(!sim.runCommanded)
        for v in [6, 7] as [UInt16] { sim.write(address: cmd, value: v, at: t(2)) }
        sim.write(address: cmd, value: 0x000F, at: t(2))
        #expect(sim.isEnabled)
        #expect(sim.runCommanded)
    }

    @Test func initialWordAvoidsEveryStepPattern() {
        let taken = DriveProfile.BitPattern(mask: 0x004F, value: 0x0040)
        let word = DriveSimulator.initialWord(avoiding: [taken])
        #expect(!taken.matches(word))
        #expect(DriveSimulator.initialWord(avoiding: []) == 0x0040)
    }

    // MARK: Status encoding

    @Test func signedOutputIsNegativeInReverse() throws {
        let p = drivecom
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        sim.write(address: p.referenceRegister, value: 100, at: t(0))   // 10.0 Hz
        for v in [6, 7, p.runReverse] as [UInt16] { sim.write(address: p.commandRegister, value: v, at: t(0)) }
        #expect(!sim.runCommanded, "run reverse is not the enabling step")
        sim.write(address: p.commandRegister, value: 0x000F, at: t(0))
        sim.write(address: p.commandRegister, value: p.runReverse, at: t(0))
        sim.advance(to: t(5))
        #expect(sim.direction == .reverse)
        let raw = sim.read(address: p.outputFrequencyRegister)
        #expect(Int16(bitPattern: raw) == -100, "10.0 Hz reverse in 0.1 Hz is -100, got \(raw)")
        #expect(p.reverse.matches(stateWord(sim)))
        #expect(p.running.matches(sim.read(address: try #require(p.running.register))))

        sim.write(address: p.commandRegister, value: p.runForward, at: t(5))
        sim.advance(to: t(20))
        #expect(sim.direction == .forward)
        #expect(Int16(bitPattern: sim.read(address: p.outputFrequencyRegister)) == 100)
        #expect(!p.reverse.matches(stateWord(sim)))

        // Unsigned output never goes negative.
        var d = DriveSimulator(profile: delta)
        d.advance(to: t(0))
        d.write(address: delta.referenceRegister, value: 1000, at: t(0))
        d.write(address: delta.commandRegister, value: delta.runReverse, at: t(0))
        d.advance(to: t(5))
        #expect(d.read(address: delta.outputFrequencyRegister) == 1000)
    }

    @Test func zeroSpeedBitInItsOwnRegister() throws {
        let p = yaskawa
        let z = try #require(p.zeroSpeed)
        let zr = try #require(z.register)
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        #expect(z.matches(sim.read(address: zr)), "at rest: zero speed")
        #expect(!p.running.matches(sim.read(address: p.stateRegister)))
        sim.write(address: p.referenceRegister, value: 1200, at: t(0))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        // Run commanded but still at 0 Hz: running, and at zero speed.
        #expect(p.running.matches(sim.read(address: p.stateRegister)))
        #expect(z.matches(sim.read(address: zr)))
        sim.advance(to: t(0.1))
        #expect(sim.outputHz > 0)
        #expect(!z.matches(sim.read(address: zr)))
        // The zero-speed word shares its bit number with the reverse bit of the state word: no leak.
        #expect(!p.reverse.matches(sim.read(address: p.stateRegister)))
        sim.write(address: p.commandRegister, value: p.stop, at: t(0.1))
        sim.advance(to: t(5))
        #expect(sim.outputHz == 0)
        #expect(z.matches(sim.read(address: zr)))
        #expect(!p.running.matches(sim.read(address: p.stateRegister)))
    }

    @Test func identityRegistersReadNonZero() {
        let sim = DriveSimulator(profile: yaskawa)
        for i in yaskawa.identity { #expect(sim.read(address: i.register) != 0, "\(i.name)") }
    }

    @Test func patternsMatchExactlyWhenTheirConditionHolds() throws {
        // A reverse pattern whose value is 0 (bit clear = reverse) still decodes right.
        var text = TOMLText(SimulatorFixtures.yaskawa)
        try text.set("reverse", in: "status", to: "reverse = { mask = 0x0004, value = 0x0000 }")
        let p = try SimulatorFixtures.load(text.text)
        var sim = DriveSimulator(profile: p)
        sim.advance(to: t(0))
        #expect(!p.reverse.matches(sim.read(address: p.stateRegister)), "forward at rest")
        sim.write(address: p.referenceRegister, value: 600, at: t(0))
        sim.write(address: p.commandRegister, value: p.runReverse, at: t(0))
        sim.advance(to: t(1))
        #expect(sim.direction == .reverse)
        #expect(p.reverse.matches(sim.read(address: p.stateRegister)))
        #expect(p.running.matches(sim.read(address: p.stateRegister)))
    }

    // MARK: Packed comm-loss field (Optidrive E3 P-36)

    /// An E3 at 30 Hz forward with its P-36 word set to `p36`, requests every 0.1 s up to 3 s.
    func e3Running(p36: UInt16) throws -> DriveSimulator {
        let f = try #require(e3.commLossField)
        var sim = DriveSimulator(profile: e3)
        sim.advance(to: t(0))
        sim.noteRequest(at: t(0))
        sim.write(address: f.register, value: p36, at: t(0))
        sim.write(address: e3.referenceRegister, value: 300, at: t(0))   // 30.0 Hz
        sim.write(address: e3.commandRegister, value: e3.runForward, at: t(0))
        for i in 1...30 { sim.noteRequest(at: t(Double(i) * 0.1)) }
        #expect(sim.tripCode == nil)
        #expect(close(sim.outputHz, 30))
        return sim
    }

    @Test func packedRegisterStartsWithTheWatchdogOffAndTheOtherSettingsSet() throws {
        let f = try #require(e3.commLossField)
        let sim = DriveSimulator(profile: e3)
        let word = sim.read(address: f.register)
        #expect(word == DriveSimulator.initialWord(for: f))
        #expect(word & f.mask == 0, "watchdog off at power-up")
        #expect(word & ~f.mask != 0, "the address and baud rate bits are not all zero, so clobbering them shows")
        #expect(sim.commLossTimeout == nil)
    }

    @Test func packedWatchdogTripsFromTheFieldWhateverTheOtherBits() throws {
        let f = try #require(e3.commLossField)
        let other = DriveSimulator.initialWord(for: f)
        var sim = try e3Running(p36: f.applied(to: other))
        #expect(sim.commLossTimeout == .milliseconds(300))
        // Other bits changed, field kept: still armed.
        sim.write(address: f.register, value: f.applied(to: 0x0123), at: t(3))
        #expect(sim.commLossTimeout == .milliseconds(300))
        sim.advance(to: t(3.25))
        #expect(sim.tripCode == nil, "0.25 s of silence is within 300 ms")
        sim.advance(to: t(3.35))
        #expect(sim.tripCode == 50)
        #expect(!sim.runCommanded)
        // Error code in the high byte of register 6, tripped bit 1 and (still ramping) running bit 0 below it.
        let word = sim.read(address: e3.stateRegister)
        #expect(e3.faultCode(in: word) == 50, "\(hex(word))")
        #expect(word & 0x00FF == 0x0003, "\(hex(word))")
        #expect(e3.faultBit?.matches(word) == true)
        #expect(sim.read(address: f.register) == f.applied(to: 0x0123), "the drive does not touch P-36")
    }

    @Test(arguments: [UInt16(0x0000), 0x4000, 0x6000])
    func packedWatchdogIsOffUnlessTheFieldHoldsTheProfileValue(field: UInt16) throws {
        let f = try #require(e3.commLossField)
        var sim = try e3Running(p36: field | DriveSimulator.initialWord(for: f))
        #expect(sim.commLossTimeout == nil)
        sim.advance(to: t(20))
        #expect(sim.tripCode == nil)
        #expect(close(sim.outputHz, 30))
        // Setting the field arms it.
        sim.noteRequest(at: t(20))
        sim.write(address: f.register, value: f.applied(to: sim.read(address: f.register)), at: t(20))
        sim.advance(to: t(20.5))
        #expect(sim.tripCode == e3.commLossFaultCode)
    }

    @Test func faultCodeInTheHighByteClearsOnReset() throws {
        var sim = DriveSimulator(profile: e3)
        sim.advance(to: t(0))
        sim.trip(code: 0x1FF, at: t(0))
        let tripped = sim.read(address: e3.stateRegister)
        #expect(tripped >> 8 == 0xFF, "a code too big for the byte is clamped, not spilled into the status bits")
        #expect(tripped & 0x00FF == 0x0002, "only the tripped bit: \(hex(tripped))")
        sim.write(address: e3.faultResetRegister, value: e3.faultResetValue, at: t(0))
        #expect(sim.read(address: e3.stateRegister) == 0)
    }

    @Test func negativeReferenceRunsTheE3InReverse() throws {
        var sim = DriveSimulator(profile: e3)
        sim.advance(to: t(0))
        sim.write(address: e3.referenceRegister, value: UInt16(bitPattern: -100), at: t(0))   // -10.0 Hz
        sim.write(address: e3.commandRegister, value: e3.runForward, at: t(0))
        sim.advance(to: t(5))
        #expect(sim.direction == .reverse)
        #expect(Int16(bitPattern: sim.read(address: e3.outputFrequencyRegister)) == -100)
        #expect(e3.reverse.matches(sim.read(address: try #require(e3.reverse.register))))
    }

    // MARK: Through a real master

    /// `ModbusDrive` (treadd's own drive code) against the server for each fixture: connect
    /// (apply, start-up sequence), run reverse, read back, trip, reset.
    @Test(arguments: ["yaskawa", "drivecom", "delta", "e3"])
    func modbusDriveRunsEveryFixture(name: String) throws {
        let p = switch name { case "yaskawa": yaskawa; case "drivecom": drivecom; case "e3": e3; default: delta }
        let sim = try SimulatorHarness(profile: p)
        defer { try? sim.stop() }
        let d = ModbusDrive(profile: p, settings: sim.settings, calibration: BeltCalibration(kmhPerHz: 0.5), acceleration: 10, deceleration: 10)
        defer { d.disconnect() }
        try d.connect()
        sim.paused { server in
            #expect(server.simulator.isEnabled)
            #expect(server.simulator.commLossTimeout == p.commLossTimeout)
        }
        try d.command(.run(.reverse, .kmh(3)))
        var report = try d.readReport()
        let reached = try eventually {
            report = try d.readReport()
            return report.beltSpeed.kmh >= 3 - 0.05
        }
        #expect(reached, "\(name): belt at \(report.beltSpeed)")
        #expect(report.direction == .reverse)
        #expect(report.running)
        #expect(report.fault == nil)

        sim.paused { server in #expect(server.control("trip 17") == "ok") }
        report = try d.readReport()
        #expect(report.fault != nil)
        #expect(report.beltSpeed == .zero)
        if p.faultCodeRegister != nil { #expect(report.fault?.code == 17) }
        try d.resetFault()
        report = try d.readReport()
        #expect(report.fault == nil)
        sim.paused { server in #expect(server.simulator.isEnabled, "the reset ran the start-up sequence again") }
        try d.command(.run(.forward, .kmh(1)))
        #expect(try eventually { try d.readReport().beltSpeed.kmh >= 0.95 })
        #expect(try d.readReport().direction == .forward)
    }

    // MARK: Control commands

    @Test func controlCommandsSetAndClearInjections() throws {
        let server = try SimulatorServer(profile: delta, transport: .tcp(host: "127.0.0.1", port: 0))
        #expect(server.control("late 300") == "ok")
        #expect(server.injections.lateMs == 300)
        #expect(server.control("late off") == "ok")
        #expect(server.injections.lateMs == 0)
        #expect(server.control("silent on") == "ok")
        #expect(server.injections.silent)
        #expect(server.control("exception 4") == "ok")
        #expect(server.injections.exception == 4)
        #expect(server.control("exception 12").hasPrefix("error:"))
        #expect(server.control("crc on").hasPrefix("error:"), "no CRC on TCP")
        #expect(server.control("silent maybe").hasPrefix("error:"))
        #expect(server.control("bogus").hasPrefix("error:"))
        #expect(server.control("").hasPrefix("error:"))
        #expect(server.control("clear") == "ok")
        #expect(server.injections == SimulatorInjections())
        #expect(server.control("trip 0").hasPrefix("error:"))
        #expect(server.control("trip 49") == "ok")
        #expect(server.simulator.tripCode == 49)
        #expect(server.simulator.read(address: try #require(delta.faultCodeRegister)) == 49)
        #expect(server.control("clear") == "ok")
        #expect(server.simulator.tripCode == 49, "clear does not reset the drive")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(server.control("state").utf8)) as? [String: Any])
        #expect(state["trip"] as? Int == 49)
        #expect(state["output_hz"] as? Double == 0)
        #expect(state["silent"] as? Bool == false)
        #expect(server.control("help").hasPrefix("ok: "))
    }
}
