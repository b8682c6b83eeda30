import Testing
@testable import TreadCore

/// The speed supervisor on its own, fed reports and time: each way a drive can lie about or
/// disobey the speed it was given ends in its own fault, and a drive that follows its
/// command within the allowances never faults.
@Suite struct SpeedSupervisorTests {
    let limits = MachineLimits()  // forward 16, reverse 4 km/h; margin 0.5; tracking 1.0 km/h / 20% for 3 s

    func report(_ kmh: Double, _ dir: Direction? = .forward, running: Bool = true) -> DriveReport {
        DriveReport(beltSpeed: .kmh(kmh), direction: dir, running: running)
    }

    /// Feeds `kmh(t)` every 40 ms for `seconds`; returns the first fault and when it came.
    func feed(_ s: inout SpeedSupervisor, _ command: SpeedSupervisor.Command, for seconds: Double, from start: Double = 0,
              dir: Direction? = .forward, _ kmh: (Double) -> Double) -> (fault: Fault, at: Double)? {
        var t = start
        while t < start + seconds {
            if let f = s.check(report(kmh(t), dir), commanded: command, at: .seconds(t)) { return (f, t) }
            t += 0.04
        }
        return nil
    }

    @Test func aReverseBeltAboveItsLimitPlusTheMarginIsAnOverspeedAtOnce() throws {
        var s = SpeedSupervisor(limits: limits)
        // A profile whose scale is off by 1.8: 3 km/h commanded, 5.4 km/h on the belt.
        let hit = try #require(feed(&s, .run(.reverse, .kmh(3)), for: 1, dir: .reverse) { _ in 5.4 })
        #expect(hit.at == 0, "one reading above the limit is the evidence")
        guard case .overspeed(.reverse, let reported, let limit) = hit.fault else { Issue.record("got \(hit.fault)"); return }
        #expect(reported == .kmh(5.4))
        #expect(limit == .kmh(4.5))
    }

    @Test func withinTheMarginIsNoOverspeed() {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .run(.reverse, .kmh(4)), for: 5, dir: .reverse) { _ in 4.4 } == nil)
    }

    /// A drive that reports no direction is held to the limit of the way it was sent.
    @Test func aDriveWithoutDirectionIsHeldToTheCommandedDirectionsLimit() {
        var s = SpeedSupervisor(limits: limits)
        let hit = feed(&s, .run(.reverse, .kmh(3)), for: 1, dir: nil) { _ in 4.8 }
        #expect(hit.map { $0.fault.code } == "overspeed")
        // ...and after the stop too: the belt was last sent backwards.
        var later = s
        let stopping = feed(&later, .stopping, for: 0.2, from: 2, dir: nil) { _ in 4.8 }
        #expect(stopping.map { $0.fault.code } == "overspeed")
    }

    /// The keypad-reference case: the drive runs at its own speed, not the bus's.
    @Test func aBeltFarFromItsReferenceForTheTrackingTimeIsAFault() throws {
        var s = SpeedSupervisor(limits: limits)
        let hit = try #require(feed(&s, .run(.forward, .kmh(5)), for: 10) { _ in 7.5 })
        #expect(hit.fault == .speedTracking(commanded: .kmh(5), reported: .kmh(7.5)))
        #expect(hit.at >= limits.trackingTime.inSeconds && hit.at < limits.trackingTime.inSeconds + 0.1, "latched at \(hit.at)")
    }

    @Test func aBeltTooSlowForItsReferenceIsATrackingFaultToo() {
        var s = SpeedSupervisor(limits: limits)
        let hit = feed(&s, .run(.forward, .kmh(8)), for: 10) { _ in 5 }
        #expect(hit.map { $0.fault.code } == "speed_tracking")
    }

    @Test func aTrackingErrorShorterThanTheTrackingTimeIsRiddenOut() {
        var s = SpeedSupervisor(limits: limits)
        // Off by 3 km/h for 2 s in every 4 s: never for the whole tracking time.
        #expect(feed(&s, .run(.forward, .kmh(5)), for: 20) { t in t.truncatingRemainder(dividingBy: 4) < 2 ? 8 : 5 } == nil)
    }

    @Test func theToleranceGrowsWithTheReference() {
        var s = SpeedSupervisor(limits: limits)
        // 20% of 12 km/h is 2.4 km/h: 1.5 km/h off is within it.
        #expect(feed(&s, .run(.forward, .kmh(12)), for: 10) { _ in 13.5 } == nil)
    }

    @Test func aBeltThatRisesWhileStoppingIsAFaultWithinTheRiseTolerance() throws {
        var s = SpeedSupervisor(limits: limits)
        let hit = try #require(feed(&s, .stopping, for: 5) { t in 3 + t })
        #expect(hit.fault.code == "drive_not_stopping")
        #expect(hit.at <= SpeedSupervisor.stopRiseTolerance.kmh + 0.05, "rose \(hit.at) km/h before the fault")
    }

    @Test func aBeltThatHoldsItsSpeedWhileStoppingIsAFaultAfterTheGrace() throws {
        var s = SpeedSupervisor(limits: limits)
        let hit = try #require(feed(&s, .stopping, for: 10) { _ in 3 })
        let expected = SpeedSupervisor.stopGrace.inSeconds
            + SpeedSupervisor.stopRiseTolerance.kmh / (SpeedSupervisor.stopRateShare * limits.deceleration)
        #expect(abs(hit.at - expected) < 0.1, "latched at \(hit.at), expected about \(expected)")
    }

    @Test func aBeltStoppingAtTheConfiguredRateIsNoFault() {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .stopping, for: 6) { t in max(0, 6 - limits.deceleration * t) } == nil)
    }

    /// The drive's own reply lag and ramp start: a second at the old speed is allowed.
    @Test func theStopGraceAllowsTheDrivesLag() {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .stopping, for: 6) { t in t < 0.9 ? 6 : max(0, 6 - limits.deceleration * (t - 0.9)) } == nil)
    }

    @Test func motionAtVerifiedStandstillIsABeltMovingByItself() throws {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .standing, for: 1) { _ in 0 } == nil)
        let hit = try #require(feed(&s, .standing, for: 2, from: 1) { _ in 0.4 })
        #expect(hit.fault == .beltMovingAtStandstill(.kmh(0.4)))
        #expect(hit.at - 1 >= SpeedSupervisor.standMotionTime.inSeconds - 0.001 && hit.at - 1 < SpeedSupervisor.standMotionTime.inSeconds + 0.05)
    }

    @Test func oneStrayReadingAtStandstillIsRiddenOut() {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .standing, for: 10) { t in abs(t.truncatingRemainder(dividingBy: 1) - 0.5) < 0.03 ? 0.5 : 0 } == nil)
    }

    /// A core that starts beside a belt still coasting (treadd restarted) holds it to the
    /// stopping envelope, not to standstill.
    @Test func standstillNotYetSeenIsHeldToTheStoppingEnvelope() {
        var s = SpeedSupervisor(limits: limits)
        #expect(feed(&s, .standing, for: 6) { t in max(0, 4 - limits.deceleration * t) } == nil)
        var holding = SpeedSupervisor(limits: limits)
        #expect(feed(&holding, .standing, for: 6) { _ in 4 }.map { $0.fault.code } == "drive_not_stopping")
    }
}

/// The supervisor inside the core: its faults latch, stop the belt and drop enable, and the
/// core refuses a report it cannot date.
@Suite struct SupervisedTreadmillTests {
    let prog = program(seg(.forward, 3, 30), seg(.reverse, 2, 30), seg(.forward, 3, 30))

    @Test func aDriveThatRunsTooFastForwardIsLatchedAndStopped() throws {
        var rig = TreadmillRig()
        try rig.start(prog)
        rig.run(for: .seconds(5))
        rig.driveOverride = .online(DriveReport(beltSpeed: .kmh(3 * 1.6), direction: .forward, running: true))
        rig.run(until: { $0.tm.state == .fault }, limit: .seconds(10))
        #expect(rig.tm.fault?.code == "speed_tracking")
        #expect(rig.last?.enable == false && rig.last?.drive == .stop)
    }

    @Test func motionDuringTheDwellIsAFault() throws {
        var rig = TreadmillRig()
        try rig.start(prog)
        rig.run(for: .seconds(1))
        let dwelling = rig.run(until: { if case .dwelling = $0.tm.planner.phase { true } else { false } }, limit: .seconds(60))
        #expect(dwelling)
        rig.driveOverride = .online(DriveReport(beltSpeed: .kmh(0.8), direction: .reverse, running: true))
        rig.run(for: .seconds(1))
        #expect(rig.tm.fault?.code == "belt_moving")
        #expect(rig.directionViolations.isEmpty)
    }

    @Test func aReportOlderThanTheBoundIsAFaultAndAnUnknownSpeed() throws {
        var tm = Treadmill(limits: MachineLimits(), feedbackBound: .milliseconds(400))
        let report = DriveFeedback.online(DriveReport(beltSpeed: .kmh(2), direction: .forward, running: true))
        _ = tm.step(Tick(inputs: .ready, drive: DriveReading(report, at: .seconds(10))), at: .seconds(10.3))
        #expect(tm.fault == nil)
        #expect(tm.beltSpeed == .kmh(2))
        let c = tm.step(Tick(inputs: .ready, drive: DriveReading(report, at: .seconds(10))), at: .seconds(10.5))
        #expect(tm.fault == .driveFeedbackStale(age: .milliseconds(500)))
        #expect(tm.beltSpeed == nil, "an old report is not a speed")
        #expect(!c.enable && c.drive == .stop)
    }

    @Test func anUndatedReportIsNeverTrusted() {
        var tm = Treadmill(limits: MachineLimits())
        let report = DriveFeedback.online(DriveReport(beltSpeed: .zero, direction: nil, running: false))
        _ = tm.step(Tick(inputs: .ready, drive: DriveReading(report, at: nil)), at: .seconds(1))
        #expect(tm.fault == .driveFeedbackStale(age: nil))
    }

    @Test func startIsRefusedOnAStaleReport() {
        var tm = Treadmill(limits: MachineLimits(), feedbackBound: .milliseconds(400))
        let report = DriveFeedback.online(DriveReport(beltSpeed: .zero, direction: nil, running: false))
        tm.observe(Tick(inputs: .ready, drive: DriveReading(report, at: .seconds(1))), at: .seconds(2))
        #expect(throws: RequestError.self) { try tm.start(prog, at: .seconds(2)) }
    }

    /// A trip the safety thread acted on is latched even when the readings look healthy by
    /// the tick (the line was lost and restored in between).
    @Test func tripsAreLatchedWhateverTheReadingsSay() {
        var tm = Treadmill(limits: MachineLimits())
        let report = DriveFeedback.online(DriveReport(beltSpeed: .zero, direction: nil, running: false))
        let lost = Fault.sensor(SensorFault(line: .estop, reason: .unreadable("chip gone")))
        _ = tm.step(Tick(inputs: .ready, drive: DriveReading(report, at: .seconds(1)), trips: [lost]), at: .seconds(1))
        #expect(tm.fault == lost)
    }

    @Test func aFailedEnableWriteIsLatched() {
        var tm = Treadmill(limits: MachineLimits())
        let report = DriveFeedback.online(DriveReport(beltSpeed: .zero, direction: nil, running: false))
        _ = tm.step(Tick(inputs: .ready, drive: DriveReading(report, at: .seconds(1)), enableFailure: "EIO"), at: .seconds(1))
        #expect(tm.fault == .enableOutput("EIO"))
    }
}
