import Testing
@testable import TreadCore

/// The core does not take the drive's word for anything it can cross-check: a belt that keeps
/// moving after stop, a drive running the other way, a zero-speed flag against the frequency,
/// a drive still tripped, a belt that may be coasting after a fault.
@Suite struct DriveSupervisionTests {
    let limits = MachineLimits()
    let prog = program(seg(.forward, 4, 60), seg(.reverse, 2, 60))

    func online(_ kmh: Double, _ dir: Direction = .forward, running: Bool = true, trip: DriveTrip? = nil, zeroFlag: Bool? = nil) -> DriveFeedback {
        .online(DriveReport(beltSpeed: .kmh(kmh), direction: dir, running: running, fault: trip, zeroSpeedFlag: zeroFlag))
    }

    @Test func beltThatKeepsMovingAfterStopIsAFault() {
        var tm = Treadmill(limits: limits)
        // Idle, stop commanded, yet the drive reports 3 km/h throughout: the envelope starts at
        // 3 km/h plus the rise tolerance and falls, after the grace, at half the deceleration.
        let allowance = SpeedSupervisor.stopGrace.inSeconds
            + SpeedSupervisor.stopRiseTolerance.kmh / (SpeedSupervisor.stopRateShare * limits.deceleration)
        var t = 0.0
        var latchedAt: Double?
        while t < allowance + 2 {
            let c = tm.step(inputs: .ready, drive: online(3), at: .seconds(t))
            if c.events.contains(where: { if case .faultLatched(.driveNotStopping) = $0 { true } else { false } }) { latchedAt = t; break }
            t += 0.04
        }
        let at = try? #require(latchedAt)
        #expect(at.map { $0 > allowance && $0 < allowance + 0.2 } == true, "latched at \(String(describing: latchedAt)), allowance \(allowance)")
        #expect(tm.state == .fault)
    }

    @Test func beltSlowingDownNormallyIsNoFault() {
        var tm = Treadmill(limits: limits)
        var t = 0.0, v = 3.0
        while v > 0 {
            let c = tm.step(inputs: .ready, drive: online(v), at: .seconds(t))
            #expect(!c.events.contains { if case .faultLatched = $0 { true } else { false } })
            v = max(0, v - limits.deceleration * 0.04)
            t += 0.04
        }
        #expect(tm.state == .idle)
    }

    @Test func wrongDirectionBelowStartSpeedIsStillCaught() throws {
        var tm = Treadmill(limits: limits)
        _ = tm.step(inputs: .ready, drive: online(0, running: false), at: .zero)
        try tm.start(prog, at: .zero)
        _ = tm.step(inputs: .ready, drive: online(0, running: false), at: .seconds(0.04))
        #expect(tm.planner.movingDirection == .forward, "started forwards from standstill")
        var t = 0.08
        var latched = false
        // Commanded forward at the start speed; the drive reports reverse just above standstill.
        while t < 2 && !latched {
            let c = tm.step(inputs: .ready, drive: online(0.5, .reverse), at: .seconds(t))
            latched = c.events.contains { if case .faultLatched(.wrongDirection) = $0 { true } else { false } }
            t += 0.04
        }
        #expect(latched)
    }

    @Test func zeroSpeedFlagMustAgreeWithTheFrequency() {
        var tm = Treadmill(limits: limits)
        _ = tm.step(inputs: .ready, drive: online(0, zeroFlag: false), at: .zero)
        #expect(!tm.standstill, "0 Hz but the drive says not at zero speed")
        _ = tm.step(inputs: .ready, drive: online(0, zeroFlag: true), at: .seconds(0.04))
        #expect(tm.standstill)
        _ = tm.step(inputs: .ready, drive: online(0.5, zeroFlag: true), at: .seconds(0.08))
        #expect(!tm.standstill, "a zero-speed flag does not overrule a moving belt")
    }

    @Test func startIsRefusedWhileTheDriveReportsATrip() {
        var tm = Treadmill(limits: limits)
        let trip = DriveTrip(code: 16, message: "oH1: heat sink over-heat")
        _ = tm.step(inputs: .ready, drive: online(0, running: false, trip: trip), at: .zero)
        #expect(throws: RequestError.self) { try tm.start(prog, at: .seconds(0.01)) }
        #expect(tm.state != .running)
    }

    @Test func startIsRefusedWhileTheBeltMayStillCoastAfterAFault() throws {
        var tm = Treadmill(limits: limits)
        var inputs = SafetyInputs.ready
        _ = tm.step(inputs: inputs, drive: online(0, running: false), at: .zero)
        inputs.estopClosed = false
        _ = tm.step(inputs: inputs, drive: online(0, running: false), at: .seconds(0.04))
        #expect(tm.state == .fault)
        inputs.estopClosed = true
        _ = tm.step(inputs: inputs, drive: online(0, running: false), at: .seconds(0.08))
        try tm.reset(at: .seconds(0.08))
        _ = tm.step(inputs: inputs, drive: online(0, running: false), at: .seconds(0.12))
        do {
            try tm.start(prog, at: .seconds(1))
            Issue.record("start accepted 1 s after the fault was reset")
        } catch {
            #expect(error.code == "drive_not_ready")
            #expect(error.description.contains("coasting"))
        }
        let later = 0.08 + Treadmill.coastDownAfterFault.inSeconds + 0.01
        _ = tm.step(inputs: inputs, drive: online(0, running: false), at: .seconds(later))
        try tm.start(prog, at: .seconds(later))
        #expect(tm.state == .running)
    }
}

@Suite struct RequestReadingsTests {
    /// A reset that comes with the tick that saw the e-stop released is judged on that tick's
    /// reading; the same reset on its own is judged on the last tick's, and refused.
    @Test func resetJudgesTheLatestObservedInputs() throws {
        var tm = Treadmill(limits: MachineLimits())
        var inputs = SafetyInputs.ready
        let drive = DriveFeedback.online(DriveReport(beltSpeed: .zero, direction: .forward, running: false))
        inputs.estopClosed = false
        _ = tm.step(inputs: inputs, drive: drive, at: .zero)
        #expect(tm.state == .fault)
        inputs.estopClosed = true
        let alone = tm.handle(.request(.reset), at: .seconds(0.01))
        #expect(alone.commands == nil)
        #expect(alone.replies.count == 1)
        #expect(throws: RequestError.self) { try alone.replies[0].get() }
        let withTick = tm.handle(.tick(Tick(inputs: inputs, drive: DriveReading(drive, at: .seconds(0.015))), requests: [.reset]), at: .seconds(0.015))
        try withTick.replies[0].get()
        #expect(withTick.commands?.enable == false, "a reset never restarts motion")
        #expect(tm.state == .idle)
    }
}
