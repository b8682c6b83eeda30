import Testing
@testable import TreadCore

/// Speeds are written with one decimal; a speed no belt reaches is written too, never a trap:
/// the message that refuses `speed_kmh = 1.5e41` is the one that names it (a fuzz finding, in
/// treadd's own limits check of a program a socket client sent).
@Suite struct SpeedFormatTests {
    @Test func beltSpeedsHaveOneDecimal() {
        #expect(Speed.kmh(3).description == "3.0 km/h")
        #expect(Speed.kmh(12.34).description == "12.3 km/h")
        #expect(formatKmh(-0.25) == "-0.3")
    }

    @Test(arguments: [1.5555555555555556e41, -1e300, Double.greatestFiniteMagnitude, .infinity, -.infinity, .nan])
    func aSpeedNoBeltReachesIsWrittenNotTrapped(_ v: Double) {
        #expect(formatKmh(v) == "\(v)")
    }

    @Test func aProgramTooFastForAnyBeltIsRefusedByName() {
        let program = Program(name: "fast", title: "Fast", items: [
            .segment(Segment(direction: .forward, speed: .kmh(3), duration: .seconds(60))),
            .segment(Segment(direction: .reverse, speed: .kmh(1.5555555555555556e41), duration: .seconds(30))),
        ])
        let problems = program.violations(against: MachineLimits())
        #expect(problems.contains { $0.message.contains("1.5555555555555556e+41") }, "\(problems)")
    }
}
