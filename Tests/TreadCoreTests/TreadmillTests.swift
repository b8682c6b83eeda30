import Testing
@testable import TreadCore

/// Whole sessions and the requests that start them.
@Suite struct TreadmillTests {
    let demo = program(seg(.forward, 3, 20), seg(.reverse, 2, 20), seg(.forward, 3, 20))

    @Test func freshTreadmillIsIdleWithEnableOff() {
        var tm = Treadmill(limits: MachineLimits())
        #expect(tm.state == .idle)
        #expect(tm.fault == nil)
        #expect(tm.session == nil)
        let c = tm.step(inputs: .ready, drive: .online(DriveReport(beltSpeed: .zero, direction: nil, running: false)), at: .seconds(1))
        #expect(!c.enable)
        #expect(c.drive == .stop)
        #expect(c.events.isEmpty)
        #expect(tm.state == .idle)
    }

    @Test func demoProgramRunsToTheEndWithVerifiedDirectionChanges() throws {
        var rig = TreadmillRig()
        try rig.start(demo)
        var elapsedAtFinish: Duration?
        var creditedWhileNotDriving = false
        var timeNotDriving = Duration.zero
        let deadline = rig.now + .seconds(200)
        while rig.tm.state != .idle, rig.now < deadline {
            let segmentBefore = rig.tm.session?.current
            let elapsedBefore = rig.tm.session?.elapsed
            let c = rig.step()
            if c.events.contains(.sessionFinished) { elapsedAtFinish = rig.tm.session?.elapsed }
            // Session time may only grow while the belt is driven in the segment's direction.
            if let seg = segmentBefore, let before = elapsedBefore, let after = rig.tm.session?.elapsed {
                if case .run(seg.direction, _) = c.drive { continue }
                if after != before { creditedWhileNotDriving = true }
                timeNotDriving += rig.tick
            }
        }
        #expect(rig.tm.state == .idle)
        #expect(rig.tm.session == nil)
        #expect(rig.last?.enable == false)
        #expect(rig.last?.drive == .stop)
        #expect(rig.belt.speed <= rig.limits.standstill)

        let dwell = rig.limits.directionDwell
        #expect(rig.eventList == [
            .sessionStarted(program: "test"),
            .segmentStarted(index: 0, segment: demo.segments[0]),
            .segmentStarted(index: 1, segment: demo.segments[1]),
            .directionChangeAnnounced(to: .reverse, in: dwell),
            .segmentStarted(index: 2, segment: demo.segments[2]),
            .directionChangeAnnounced(to: .forward, in: dwell),
            .sessionFinished,
        ])
        #expect(elapsedAtFinish == demo.totalDuration)
        #expect(!creditedWhileNotDriving)
        // Two direction changes, each with at least a full dwell, none of it session time.
        #expect(timeNotDriving >= dwell + dwell)
        #expect(rig.directionChanges.count == 2)
        #expect(rig.directionViolations.isEmpty)
    }

    @Test func stopRequestEndsTheSessionWithAControlledStop() throws {
        var rig = TreadmillRig()
        try rig.start(demo)
        rig.run(for: .seconds(8))
        try rig.tm.stop()
        #expect(rig.tm.state == .stopping)
        var speeds: [Double] = []
        let reached = rig.run(until: {
            speeds.append($0.belt.speed.kmh)
            return $0.tm.state == .idle
        }, limit: .seconds(30))
        #expect(reached)
        #expect(zip(speeds, speeds.dropFirst()).allSatisfy { $1 <= $0 })
        #expect(rig.eventList.contains(.sessionStopped))
        #expect(!rig.eventList.contains(.sessionFinished))
        #expect(rig.last?.enable == false)
        #expect(throws: RequestError.notActive) { try rig.tm.stop() }
    }

    @Test func pauseOnRequestStopsTheBeltAndResumeContinues() throws {
        var rig = TreadmillRig()
        try rig.start(demo)
        rig.run(for: .seconds(6))
        try rig.tm.pause()
        #expect(rig.tm.pauseReason == .request)
        let elapsed = rig.tm.session?.elapsed
        rig.expectReach({ $0.last?.enable == false }, limit: .seconds(30))
        #expect(rig.belt.speed <= rig.limits.standstill)
        rig.run(for: .seconds(5))
        #expect(rig.tm.session?.elapsed == elapsed)
        try rig.tm.resume()
        let c = rig.step()
        #expect(c.events.contains(.resumed))
        #expect(c.drive == .run(.forward, rig.limits.startSpeed))
        #expect(rig.tm.state == .running)
    }

    @Test func startIsRefusedWhileTheDriveIsConnecting() {
        var rig = TreadmillRig()
        rig.driveOverride = .connecting
        rig.step()
        #expect(throws: RequestError.driveNotReady("not connected yet")) { try rig.tm.start(demo, at: rig.now) }
        #expect(rig.tm.state == .idle)
        #expect(rig.step().enable == false)
    }

    @Test func startIsRefusedWhileTheDriveIsOffline() {
        var rig = TreadmillRig()
        rig.driveOverride = .offline(.notAnswering("no reply from drive 1"))
        rig.step()
        let error = #expect(throws: RequestError.self) { try rig.tm.start(demo, at: rig.now) }
        #expect(["drive_not_ready", "faulted"].contains(error?.code))
        #expect(rig.tm.state != .running)
        #expect(rig.tm.session == nil)
        #expect(rig.step().enable == false)
    }

    @Test func startIsRefusedForAProgramBeyondTheLimits() throws {
        var rig = TreadmillRig(limits: MachineLimits(maxReverseSpeed: .kmh(4)))
        let tooFast = program(seg(.forward, 3, 20), seg(.reverse, 5, 20))
        let error = #expect(throws: RequestError.self) { try rig.start(tooFast) }
        guard case .programRejected(let v) = error else {
            Issue.record("expected programRejected, got \(String(describing: error))")
            return
        }
        #expect(v.map(\.segmentIndex) == [1])
        #expect(rig.tm.state == .idle)
        // Nothing moves: the program was refused, not clamped to 4 km/h.
        for c in rig.run(for: .seconds(5)) { #expect(c.drive == .stop) }
    }

    @Test func startIsRefusedWhileASessionRuns() throws {
        var rig = TreadmillRig()
        try rig.start(demo)
        rig.run(for: .seconds(2))
        #expect(throws: RequestError.busy(.running)) { try rig.tm.start(demo, at: rig.now) }
        #expect(rig.tm.session?.program == demo)
    }
}
