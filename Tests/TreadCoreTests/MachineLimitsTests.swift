import Testing
@testable import TreadCore

@Suite struct MachineLimitsTests {
    @Test func defaultsAreSound() {
        #expect(MachineLimits().violations().isEmpty)
    }

    @Test func reverseAboveTheHardLimitIsRejected() {
        let keys = MachineLimits(maxReverseSpeed: .kmh(6.5)).violations().map(\.key)
        #expect(keys == ["max_reverse_kmh"])
        #expect(MachineLimits(maxReverseSpeed: .kmh(6.0)).violations().isEmpty)
        #expect(MachineLimits(maxReverseSpeed: .kmh(0)).violations().map(\.key).contains("max_reverse_kmh"))
    }

    @Test func railGraceAboveThreeSecondsIsRejected() {
        #expect(MachineLimits(railGrace: .milliseconds(3500)).violations().map(\.key) == ["rail_grace_s"])
        #expect(MachineLimits(railGrace: .seconds(3)).violations().isEmpty)
        #expect(MachineLimits(railGrace: .zero).violations().isEmpty)
    }

    @Test(arguments: [
        (MachineLimits(maxForwardSpeed: .kmh(30)), "max_forward_kmh"),
        (MachineLimits(startSpeed: .kmh(2.0)), "start_kmh"),
        (MachineLimits(acceleration: 0), "accel_kmh_per_s"),
        (MachineLimits(deceleration: 9), "decel_kmh_per_s"),
        (MachineLimits(directionDwell: .milliseconds(500)), "direction_dwell_s"),
        (MachineLimits(standstill: .kmh(1.5)), "standstill_kmh"),
    ])
    func otherUnsoundLimitsAreNamed(limits: MachineLimits, key: String) {
        #expect(limits.violations().map(\.key).contains(key))
    }
}

@Suite struct ProgramViolationTests {
    let limits = MachineLimits(maxForwardSpeed: .kmh(12), maxReverseSpeed: .kmh(4))

    @Test func reverseSegmentAboveTheMachineCapIsRejectedNotClamped() throws {
        let p = program(seg(.forward, 3, 60, line: 2), seg(.reverse, 4.5, 60, line: 7))
        let v = p.violations(against: limits)
        #expect(v.count == 1)
        let first = try #require(v.first)
        #expect(first.segmentIndex == 1)
        #expect(first.line == 7)
        #expect(first.description.hasPrefix("line 7: segment 2: "))
        // The program itself is left as written.
        #expect(p.segments[1].speed == .kmh(4.5))
    }

    @Test func segmentsAtTheCapsAreAccepted() {
        let p = program(seg(.forward, 12, 60), seg(.reverse, 4, 60))
        #expect(p.violations(against: limits).isEmpty)
    }

    @Test func forwardCapAppliesToForwardSegments() {
        // 5 km/h is fine forwards on this machine, though above the reverse cap.
        #expect(program(seg(.forward, 5, 60)).violations(against: limits).isEmpty)
        #expect(program(seg(.forward, 13, 60)).violations(against: limits).map(\.segmentIndex) == [0])
    }

    @Test func programStartingInReverseIsRejected() {
        let v = program(seg(.reverse, 2, 60), seg(.forward, 3, 60)).violations(against: limits)
        #expect(v.map(\.segmentIndex) == [0])
        #expect(v.first?.message.contains("forward") == true)
    }

    @Test func emptyAndTooSlowProgramsAreRejected() {
        #expect(!Program(name: "empty", items: []).violations(against: limits).isEmpty)
        #expect(program(seg(.forward, 3, 60), seg(.forward, 0.5, 60)).violations(against: limits).map(\.segmentIndex) == [1])
    }

    @Test func violationsInsideRepeatBlocksCountEveryRepetition() {
        let p = Program(name: "r", items: [
            .segment(seg(.forward, 3, 30)),
            .repeated(times: 2, segments: [seg(.reverse, 5, 30), seg(.forward, 3, 30)]),
        ])
        #expect(p.violations(against: limits).map(\.segmentIndex) == [1, 3])
    }
}
