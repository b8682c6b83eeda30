import Testing
@testable import TreadCore

/// SplitMix64: small, seedable, and the same on every platform.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random targets, random (sticky) standstill reports and permission, random tick lengths:
/// whatever the drive says, the planner must never run the other way without a verified
/// standstill lasting the dwell since the last run, and must keep its ramps.
@Suite struct MotionPlannerPropertyTests {
    @Test(arguments: [1, 2, 3, 42, 1234, 99_991] as [UInt64])
    func neverReversesWithoutVerifiedStandstillAndKeepsRamps(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let limits = MachineLimits(directionDwell: .seconds(1))
        var p = MotionPlanner(limits: limits)
        var now = Instant.seconds(1)
        var target = MotionTarget.stop
        var standstill = true
        var mayStart = true

        var previous = DriveSetpoint.stop
        var lastRun: Direction?
        var stretchStart: Instant?
        var longestStretch = Duration.zero
        var reversals = 0

        for _ in 0..<40_000 {
            let dt = Duration.milliseconds(Int.random(in: 10...100, using: &rng))
            now = now + dt
            if Int.random(in: 0..<150, using: &rng) == 0 {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: target = .stop
                case 1: target = .move(.forward, .kmh(Double.random(in: 1...8, using: &rng)))
                default: target = .move(.reverse, .kmh(Double.random(in: 1...4, using: &rng)))
                }
            }
            if Int.random(in: 0..<40, using: &rng) == 0 { standstill.toggle() }
            if Int.random(in: 0..<80, using: &rng) == 0 { mayStart.toggle() }

            // A verified standstill: the drive reports zero while a stop is commanded.
            if standstill, previous == .stop {
                stretchStart = stretchStart ?? now
                longestStretch = max(longestStretch, now - stretchStart!)
            } else {
                stretchStart = nil
            }

            _ = p.update(target: target, standstill: standstill, mayStart: mayStart, at: now)
            let sp = p.setpoint
            let seconds = dt.inSeconds

            switch (previous, sp) {
            case (.stop, .run(let d, let s)):
                #expect(standstill, "started while the drive reported motion")
                #expect(s <= limits.startSpeed, "started above the start speed")
                if let last = lastRun, last != d {
                    reversals += 1
                    #expect(longestStretch >= limits.directionDwell,
                            "seed \(seed): \(last) -> \(d) after only \(longestStretch) of verified standstill")
                }
            case (.run(let d0, let s0), .run(let d1, let s1)):
                #expect(d0 == d1, "seed \(seed): direction flipped between two run commands")
                #expect(s1.kmh - s0.kmh <= limits.acceleration * seconds + eps)
                #expect(s0.kmh - s1.kmh <= limits.deceleration * seconds + eps)
            case (.run(_, let s0), .stop):
                #expect(s0.kmh <= limits.deceleration * seconds + eps, "dropped to stop from \(s0)")
            case (.stop, .stop):
                break
            }
            if case .run(let d, _) = sp {
                lastRun = d
                longestStretch = .zero
                stretchStart = nil
            }
            previous = sp
        }
        #expect(reversals > 5, "the walk should exercise direction changes")
    }
}
