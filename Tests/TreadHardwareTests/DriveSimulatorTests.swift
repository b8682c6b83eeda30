import Foundation
import Testing
import TreadCore
@testable import TreadHardware

/// The pure drive simulator, against the shipped Delta MS300 profile.
@Suite struct DriveSimulatorTests {
    static let profilePath: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/drives/delta-ms300.toml").path

    let p: DriveProfile

    init() throws {
        p = try DriveProfile.load(path: Self.profilePath)
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
        sim.write(address: p.commLossTimeoutRegister, value: 5, at: t(0))
        #expect(sim.read(address: p.commLossTimeoutRegister) == 5)
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
        sim.write(address: p.commLossTimeoutRegister, value: 5, at: t(0))
        sim.write(address: p.commLossActionRegister, value: action, at: t(0))
        sim.write(address: p.commandRegister, value: p.runForward, at: t(0))
        for i in 1...30 {
            sim.noteRequest(at: t(Double(i) * 0.1))
            #expect(sim.tripCode == nil)
        }
        #expect(close(sim.outputHz, 30))
        return sim
    }

    @Test func commLossDoesNotTripWhileRequestsKeepComing() throws {
        var sim = try runningWithCommLoss(action: p.commLossActionValue)
        for i in 31...100 { sim.noteRequest(at: t(Double(i) * 0.1)) }
        sim.advance(to: t(10.4))
        #expect(sim.tripCode == nil)
        #expect(sim.runCommanded)
        #expect(close(sim.outputHz, 30))
    }

    @Test func commLossTripsAndRampsToStop() throws {
        var sim = try runningWithCommLoss(action: p.commLossActionValue)
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
        var sim = try runningWithCommLoss(action: p.commLossActionValue)
        sim.noteRequest(at: t(3))
        sim.write(address: p.commLossTimeoutRegister, value: 0, at: t(3))
        sim.advance(to: t(20))
        #expect(sim.tripCode == nil)
        #expect(close(sim.outputHz, 30))
    }

    @Test func commLossDoesNotTripAStoppedDrive() throws {
        var sim = try drive(accel: 100, decel: 100, referenceHz: 30)
        sim.write(address: p.commLossTimeoutRegister, value: 5, at: t(0))
        sim.write(address: p.commLossActionRegister, value: p.commLossActionValue, at: t(0))
        sim.advance(to: t(10))
        #expect(sim.tripCode == nil)
    }

    @Test func faultResetClearsTheTripOnlyAtZeroOutput() throws {
        var sim = try runningWithCommLoss(action: p.commLossActionValue)
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
