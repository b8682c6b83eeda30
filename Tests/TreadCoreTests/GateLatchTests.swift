import Testing
@testable import TreadCore

/// The gate's rule on its own: a trip holds enable off and the drive stopped until the core
/// has latched a fault on readings that include the trip, and not one tick longer.
@Suite struct GateLatchTests {
    static let run = Commands(enable: true, drive: .run(.reverse, .kmh(3)), resetDriveFault: true, events: [])

    @Test func aTripHoldsUntilTheCoreLatchesOnReadingsThatIncludeIt() {
        var g = GateLatch()
        g.trip(.estopOpen)
        #expect(g.hold == .estopOpen)
        // A tick computed on readings from before the trip: it may not re-energise anything.
        let stale = g.pass(Self.run, latched: false, seen: 0)
        #expect(stale.enable == false)
        #expect(stale.drive == .stop)
        #expect(stale.resetFault == false)
        // The core latched, but on readings taken before the trip: still held.
        _ = g.pass(Self.run, latched: true, seen: 0)
        #expect(g.hold == .estopOpen)
        // Latched on readings that include it: released.
        let after = g.pass(Self.run, latched: true, seen: 1)
        #expect(g.hold == nil)
        #expect(after.enable && after.drive == Self.run.drive && after.resetFault)
    }

    @Test func aSecondTripAfterTheFirstWasSeenHoldsAgain() {
        var g = GateLatch()
        g.trip(.estopOpen)
        _ = g.pass(Self.run, latched: true, seen: 1)
        g.trip(.safetyKeyPulled)
        #expect(g.hold == .safetyKeyPulled, "the latest unacknowledged trip is the reason shown")
        #expect(g.pass(Self.run, latched: true, seen: 1).enable == false, "seen before the second trip")
        #expect(g.pass(Self.run, latched: true, seen: 2).enable)
    }

    @Test func withoutATripTheCommandsPassUnchanged() {
        var g = GateLatch()
        let out = g.pass(Self.run, latched: false, seen: 0)
        #expect(out.enable && out.drive == Self.run.drive && out.resetFault)
        #expect(g.hold == nil)
        // A count the gate never made acknowledges nothing beyond its own trips.
        _ = g.pass(Self.run, latched: true, seen: 5)
        g.trip(.estopOpen)
        #expect(g.hold == .estopOpen)
    }
}
