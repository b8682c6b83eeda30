import Testing
@testable import TreadCore

/// The rail interlock as the member meets it: waiting to start a reverse segment, and letting
/// go while walking backwards.
@Suite struct TreadmillRailsTests {
    let p = program(seg(.forward, 2, 5), seg(.reverse, 3, 30))

    /// Runs `p` with the rails held until the belt walks backwards at speed.
    func rigInReverse() throws -> TreadmillRig {
        var rig = TreadmillRig()
        try rig.start(p)
        let reached = rig.run(until: { $0.belt.velocity <= -2.5 }, limit: .seconds(60))
        #expect(reached)
        return rig
    }

    @Test func reverseSegmentWaitsAtStandstillForTheRails() throws {
        var rig = TreadmillRig()
        rig.holdRails(false)
        try rig.start(p)
        rig.expectReach({ $0.tm.waitingForRails }, limit: .seconds(60))
        // Forward walking never needed the rails.
        #expect(!rig.eventList.contains { if case .railWarning = $0 { true } else { false } })
        let elapsed = rig.tm.session?.elapsed
        for _ in 0..<500 {
            let c = rig.step()
            #expect(c.drive == .stop)
            #expect(rig.tm.waitingForRails)
            #expect(rig.tm.state == .running)
        }
        #expect(rig.belt.speed == .zero)
        #expect(rig.tm.session?.elapsed == elapsed)
        #expect(rig.eventList.filter { $0 == .waitingForRails }.count == 1)

        rig.holdRails(true)
        let c = rig.step()
        #expect(c.drive == .run(.reverse, rig.limits.startSpeed))
        #expect(!rig.tm.waitingForRails)
        #expect(rig.directionViolations.isEmpty)
    }

    @Test func oneHandIsNotEnoughUnderTheBothRule() throws {
        var rig = TreadmillRig()
        rig.inputs.railRightHeld = false
        try rig.start(p)
        rig.expectReach({ $0.tm.waitingForRails }, limit: .seconds(60))
        var either = TreadmillRig(railRule: .either)
        either.inputs.railRightHeld = false
        try either.start(p)
        either.expectReach({ if case .run(.reverse, _) = $0.last?.drive { true } else { false } }, limit: .seconds(60))
        #expect(!either.tm.waitingForRails)
    }

    @Test func releasingInReverseWarnsAtOnceThenPausesAfterTheGrace() throws {
        var rig = try rigInReverse()
        rig.inputs.railLeftHeld = false
        let released = rig.now
        let first = rig.step()
        #expect(first.events == [.railWarning(grace: rig.limits.railGrace)])
        #expect(rig.tm.state == .running)
        while rig.now < released + rig.limits.railGrace {
            let c = rig.step()
            #expect(rig.tm.state == .running)
            #expect(!c.events.contains(.paused(.railsReleased)))
            if case .run(.reverse, _) = c.drive {} else { Issue.record("belt slowed before the grace ran out") }
        }
        let paused = rig.step()
        #expect(paused.events.contains(.paused(.railsReleased)))
        #expect(rig.tm.state == .paused)
        #expect(rig.tm.pauseReason == .railsReleased)

        // A controlled stop: the belt ramps down, enable stays on until it is still.
        var previous = rig.belt.speed
        var steps = 0
        while rig.last?.enable == true, steps < 1000 {
            let before = rig.belt.speed
            let c = rig.step()
            if !c.enable { #expect(before <= rig.limits.standstill, "enable dropped at \(before)") }
            #expect(rig.belt.speed <= previous)
            previous = rig.belt.speed
            steps += 1
        }
        #expect(steps > 25, "a ramp from 3 km/h takes more than a second")
        #expect(rig.last?.enable == false)
        #expect(rig.belt.speed == .zero)
        for c in rig.run(for: .seconds(5)) {
            #expect(!c.enable)
            #expect(c.drive == .stop)
        }

        #expect(throws: RequestError.railsNotHeld) { try rig.tm.resume() }
        #expect(rig.tm.state == .paused)
        rig.holdRails(true)
        rig.step()  // requests see the inputs as of the last step
        try rig.tm.resume()
        let resumed = rig.step()
        #expect(resumed.events.contains(.resumed))
        #expect(resumed.enable)
        #expect(resumed.drive == .run(.reverse, rig.limits.startSpeed))
        rig.expectReach({ $0.tm.state == .idle }, limit: .seconds(120))
        #expect(rig.directionViolations.isEmpty)
    }

    @Test func reholdingWithinTheGraceKeepsWalking() throws {
        var rig = try rigInReverse()
        rig.holdRails(false)
        #expect(rig.step().events == [.railWarning(grace: rig.limits.railGrace)])
        rig.run(for: .milliseconds(600))
        rig.holdRails(true)
        #expect(rig.step().events == [.railWarningCleared])
        for c in rig.run(for: .seconds(5)) {
            if case .run(.reverse, _) = c.drive {} else { Issue.record("belt left reverse: \(c.drive)") }
        }
        #expect(rig.tm.state == .running)
        #expect(!rig.eventList.contains(.paused(.railsReleased)))
    }
}
