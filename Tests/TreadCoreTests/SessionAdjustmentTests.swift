import Testing
@testable import TreadCore

/// Skip, extend, add time and nudge: the same limits as a program, and a skip into reverse
/// still goes through standstill, the dwell and the rails.
@Suite struct SessionAdjustmentTests {
    let p = program(seg(.forward, 3, 30), seg(.reverse, 2, 30), seg(.forward, 3, 10))

    func running() throws -> TreadmillRig {
        var rig = TreadmillRig()
        try rig.start(p)
        rig.expectReach({ $0.belt.velocity >= 2.9 }, limit: .seconds(20))
        return rig
    }

    @Test func aNudgeNeverLiftsAReverseSegmentAboveTheReverseCap() throws {
        var rig = try running()
        try rig.tm.adjust(.skip)
        rig.expectReach({ $0.belt.velocity <= -1.9 }, limit: .seconds(30))
        let cap = rig.limits.maxReverseSpeed
        // Nudge up to the cap in allowed steps, then one more is refused and nothing changes.
        var steps = 0
        while let s = rig.tm.session?.current?.speed, s.kmh + 0.5 <= cap.kmh + 1e-9, steps < 20 {
            try rig.tm.adjust(.nudge(kmh: 0.5))
            steps += 1
        }
        let before = try #require(rig.tm.session?.current?.speed)
        #expect(throws: RequestError.self) { try rig.tm.adjust(.nudge(kmh: 0.5)) }
        do {
            try rig.tm.adjust(.nudge(kmh: 0.5))
        } catch {
            guard case .speedOutOfLimits(let why) = error else { Issue.record("wrong error \(error)"); return }
            #expect(why.contains("reverse limit"))
        }
        #expect(rig.tm.session?.current?.speed == before)
        rig.run(for: .seconds(10))
        if case .run(.reverse, let s) = rig.last?.drive { #expect(s <= cap) } else { Issue.record("belt not running in reverse") }
        #expect(rig.belt.speed <= cap)
    }

    @Test func nudgesAreSmallAndNeverBelowTheStartSpeed() throws {
        var rig = try running()
        #expect(throws: RequestError.self) { try rig.tm.adjust(.nudge(kmh: 1.0)) }
        try rig.tm.adjust(.nudge(kmh: -0.5))
        #expect(rig.tm.session?.current?.speed == .kmh(2.5))
        rig.run(for: .seconds(5))
        #expect(abs(rig.belt.speed.kmh - 2.5) < 0.05)
        // Down toward the start speed; the step that would go below it is refused.
        var refused = false
        for _ in 0..<10 {
            do { try rig.tm.adjust(.nudge(kmh: -0.5)) } catch { refused = true; break }
        }
        #expect(refused)
        #expect(try #require(rig.tm.session?.current?.speed) >= rig.limits.startSpeed)
        #expect(rig.eventList.contains { if case .sessionAdjusted(.nudge, _) = $0 { true } else { false } })
    }

    @Test func aSkipIntoReverseStopsDwellsAndWaitsForTheRails() throws {
        var rig = try running()
        rig.holdRails(false)
        try rig.tm.adjust(.skip)
        #expect(rig.tm.session?.index == 1)
        rig.expectReach({ $0.tm.waitingForRails }, limit: .seconds(30))
        #expect(rig.belt.speed == .zero)
        for _ in 0..<100 { #expect(rig.step().drive == .stop) }
        #expect(rig.eventList.contains { if case .directionChangeAnnounced(.reverse, _) = $0 { true } else { false } })
        rig.holdRails(true)
        rig.expectReach({ $0.belt.velocity < 0 }, limit: .seconds(5))
        #expect(rig.directionViolations.isEmpty)
        // The adjustment is published before the segment it enters (the history relies on it).
        let adjusted = rig.eventList.firstIndex { if case .sessionAdjusted(.skip, _) = $0 { true } else { false } }
        let entered = rig.eventList.firstIndex(of: .segmentStarted(index: 1, segment: p.segments[1]))
        #expect(adjusted != nil && entered != nil && adjusted! < entered!)
    }

    @Test func extendAndAddTimeLengthenTheRightSegment() throws {
        var rig = try running()
        let before = try #require(rig.tm.session?.remaining)
        try rig.tm.adjust(.extend(.seconds(60)))
        #expect(rig.tm.session?.current?.duration == .seconds(90))
        try rig.tm.adjust(.addTime(.seconds(30)))
        #expect(rig.tm.session?.program.segments.last?.duration == .seconds(40))
        #expect(rig.tm.session?.remaining == before + .seconds(90))
        #expect(throws: RequestError.self) { try rig.tm.adjust(.extend(.seconds(601))) }
        #expect(throws: RequestError.self) { try rig.tm.adjust(.extend(.zero)) }
    }

    @Test func theLastSegmentCannotBeSkippedAndIdleCannotBeAdjusted() throws {
        var rig = try running()
        try rig.tm.adjust(.skip)
        try rig.tm.adjust(.skip)
        do {
            try rig.tm.adjust(.skip)
            Issue.record("skipping the last segment was accepted")
        } catch {
            #expect(error.code == "adjustment_refused")
        }
        var idle = TreadmillRig()
        idle.step()
        #expect(throws: RequestError.notActive) { try idle.tm.adjust(.skip) }
    }
}
