import Testing
@testable import TreadCore

func rails(left: Bool, right: Bool) -> SafetyInputs {
    SafetyInputs(estopClosed: true, keyInserted: true, railLeftHeld: left, railRightHeld: right)
}

@Suite struct InterlockTests {
    let held = rails(left: true, right: true)
    let released = rails(left: false, right: false)
    let t0 = Instant.seconds(50)

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func railRules(left: Bool, right: Bool) {
        let inputs = rails(left: left, right: right)
        #expect(Interlock(rule: .both).railsHeld(inputs) == (left && right))
        #expect(Interlock(rule: .either).railsHeld(inputs) == (left || right))
    }

    @Test func hardStops() {
        #expect(Interlock.hardStop(.ready) == nil)
        #expect(Interlock.hardStop(SafetyInputs(estopClosed: false, keyInserted: true)) == .estopOpen)
        #expect(Interlock.hardStop(SafetyInputs(estopClosed: true, keyInserted: false)) == .safetyKeyPulled)
        // The e-stop is named first when both are open; an all-false reading is never safe.
        #expect(Interlock.hardStop(SafetyInputs()) == .estopOpen)
        // Holding the rails does not make an open e-stop safe.
        #expect(Interlock.hardStop(SafetyInputs(estopClosed: false, keyInserted: true, railLeftHeld: true, railRightHeld: true)) == .estopOpen)
    }

    @Test func releaseInReverseWarnsAndReholdingClears() {
        var i = Interlock(rule: .both, grace: .seconds(1))
        #expect(i.watchRails(held, reverseMotion: true, at: t0) == .clear)
        let oneHand = rails(left: true, right: false)
        #expect(i.watchRails(oneHand, reverseMotion: true, at: t0 + .milliseconds(40)) == .warningStarted(grace: .seconds(1)))
        #expect(i.watchRails(oneHand, reverseMotion: true, at: t0 + .milliseconds(440)) == .warning(remaining: .milliseconds(600)))
        #expect(i.watchRails(held, reverseMotion: true, at: t0 + .milliseconds(900)) == .warningCleared)
        #expect(i.watchRails(held, reverseMotion: true, at: t0 + .seconds(5)) == .clear)
        // A later release gets a whole new grace.
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + .seconds(6)) == .warningStarted(grace: .seconds(1)))
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + .milliseconds(6900)) == .warning(remaining: .milliseconds(100)))
    }

    @Test(arguments: [Duration.milliseconds(500), .seconds(1), .seconds(3)])
    func noReholdStopsAfterExactlyTheGrace(grace: Duration) {
        var i = Interlock(rule: .both, grace: grace)
        #expect(i.watchRails(released, reverseMotion: true, at: t0) == .warningStarted(grace: grace))
        var t = t0
        while t + .milliseconds(40) < t0 + grace {
            t = t + .milliseconds(40)
            #expect(i.watchRails(released, reverseMotion: true, at: t) != .stop)
        }
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + (grace - .nanoseconds(1))) == .warning(remaining: .nanoseconds(1)))
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + grace) == .stop)
    }

    @Test func graceIsCappedAtTheHardLimit() {
        var i = Interlock(rule: .both, grace: .seconds(10))
        _ = i.watchRails(released, reverseMotion: true, at: t0)
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + .seconds(3)) == .stop)
    }

    @Test func zeroGraceStopsAtOnce() {
        var i = Interlock(rule: .both, grace: .zero)
        #expect(i.watchRails(released, reverseMotion: true, at: t0) == .stop)
    }

    @Test func forwardMotionIgnoresTheRails() {
        var i = Interlock(rule: .both, grace: .seconds(1))
        for k in 0..<500 {
            #expect(i.watchRails(released, reverseMotion: false, at: t0 + .milliseconds(40 * k)) == .clear)
        }
    }

    @Test func warningEndsWhenReverseMotionEnds() {
        var i = Interlock(rule: .both, grace: .seconds(1))
        _ = i.watchRails(released, reverseMotion: true, at: t0)
        #expect(i.watchRails(released, reverseMotion: false, at: t0 + .milliseconds(500)) == .warningCleared)
        #expect(i.watchRails(released, reverseMotion: false, at: t0 + .seconds(2)) == .clear)
    }

    @Test func eitherRuleNeedsOnlyOneHand() {
        var i = Interlock(rule: .either, grace: .seconds(1))
        for k in 0..<100 {
            #expect(i.watchRails(rails(left: k % 2 == 0, right: k % 2 == 1), reverseMotion: true, at: t0 + .milliseconds(40 * k)) == .clear)
        }
        #expect(i.watchRails(released, reverseMotion: true, at: t0 + .seconds(5)) == .warningStarted(grace: .seconds(1)))
    }
}
