import Testing
@testable import TreadCore

/// Feeds a planner in fixed ticks.
struct PlannerDriver {
    var p: MotionPlanner
    var now = Instant.seconds(10)
    let tick = Duration.milliseconds(40)

    init(_ limits: MachineLimits = MachineLimits()) { p = MotionPlanner(limits: limits) }

    var limits: MachineLimits { p.limits }
    var dt: Double { tick.inSeconds }

    @discardableResult
    mutating func update(_ target: MotionTarget, standstill: Bool, mayStart: Bool = true) -> [MotionPlanner.Event] {
        now = now + tick
        return p.update(target: target, standstill: standstill, mayStart: mayStart, at: now)
    }

    /// Runs forwards at `kmh` from standstill until the reference reaches it.
    mutating func cruise(_ d: Direction, _ kmh: Double) {
        _ = update(.move(d, .kmh(kmh)), standstill: true)
        for _ in 0..<2000 where p.reference < .kmh(kmh) { update(.move(d, .kmh(kmh)), standstill: false) }
    }
}

let eps = 1e-9

@Suite struct MotionPlannerTests {
    @Test func startsAtStartSpeedAndRisesNoFasterThanAcceleration() {
        var d = PlannerDriver()
        let target = MotionTarget.move(.forward, .kmh(4))
        #expect(d.update(target, standstill: true) == [.started(.forward)])
        #expect(d.p.setpoint == .run(.forward, d.limits.startSpeed))
        var previous = d.limits.startSpeed.kmh
        var ticks = 0
        while d.p.reference < .kmh(4), ticks < 1000 {
            d.update(target, standstill: false)
            let rise = d.p.reference.kmh - previous
            #expect(rise <= d.limits.acceleration * d.dt + eps)
            #expect(rise > 0)
            previous = d.p.reference.kmh
            ticks += 1
        }
        // 1 -> 4 km/h at 1 km/h per s takes 3 s: 75 ticks of 40 ms.
        #expect(ticks == 75)
        #expect(d.p.setpoint == .run(.forward, .kmh(4)))
    }

    @Test func slowsNoFasterThanDecelerationAndStopsThroughAwaitingZero() {
        var d = PlannerDriver()
        d.cruise(.forward, 3)
        var previous = d.p.reference.kmh
        var ticks = 0
        while case .run = d.p.setpoint {
            #expect(d.update(.stop, standstill: false).isEmpty)
            let fall = previous - d.p.reference.kmh
            #expect(fall <= d.limits.deceleration * d.dt + eps)
            previous = d.p.reference.kmh
            ticks += 1
        }
        // 3 km/h at 1.5 km/h per s: 2 s, 50 ticks.
        #expect(ticks == 50)
        #expect(d.p.phase == .awaitingZero)
        for _ in 0..<100 { d.update(.stop, standstill: false) }
        #expect(d.p.phase == .awaitingZero)
        #expect(d.update(.stop, standstill: true) == [.standstillReached])
        #expect(d.p.phase == .stopped)
    }

    @Test func slowingToALowerTargetUsesDeceleration() {
        var d = PlannerDriver()
        d.cruise(.forward, 5)
        d.update(.move(.forward, .kmh(2)), standstill: false)
        #expect(abs(d.p.reference.kmh - (5 - d.limits.deceleration * d.dt)) < eps)
        for _ in 0..<100 { d.update(.move(.forward, .kmh(2)), standstill: false) }
        #expect(d.p.setpoint == .run(.forward, .kmh(2)))
    }

    @Test func directionChangeWaitsForVerifiedStandstillThenDwells() {
        var d = PlannerDriver()
        d.cruise(.forward, 3)
        let back = MotionTarget.move(.reverse, .kmh(2))
        d.update(back, standstill: false)
        #expect(d.p.phase == .rampingDown(.forward))
        for _ in 0..<200 where d.p.phase != .awaitingZero { d.update(back, standstill: false) }
        #expect(d.p.phase == .awaitingZero)

        // The drive never reports standstill: nothing may move, for as long as that lasts.
        for _ in 0..<3000 {
            #expect(d.update(back, standstill: false).isEmpty)
            #expect(d.p.setpoint == .stop)
            #expect(d.p.phase == .awaitingZero)
        }

        #expect(d.update(back, standstill: true) == [.standstillReached, .dwellStarted(.reverse, d.limits.directionDwell)])
        let verified = d.now
        while d.now + d.tick < verified + d.limits.directionDwell {
            #expect(d.update(back, standstill: true).isEmpty)
            #expect(d.p.setpoint == .stop)
        }
        #expect(d.update(back, standstill: true) == [.started(.reverse)])
        #expect(d.now - verified == d.limits.directionDwell)
        #expect(d.p.setpoint == .run(.reverse, d.limits.startSpeed))
    }

    @Test func losingStandstillDuringTheDwellStartsItAgain() {
        var d = PlannerDriver()
        d.cruise(.forward, 2)
        let back = MotionTarget.move(.reverse, .kmh(2))
        for _ in 0..<200 where d.p.phase != .awaitingZero { d.update(back, standstill: false) }
        d.update(back, standstill: true)
        for _ in 0..<25 { d.update(back, standstill: true) }
        d.update(back, standstill: false)
        #expect(d.p.phase == .awaitingZero)
        #expect(d.p.setpoint == .stop)
        #expect(d.update(back, standstill: true) == [.standstillReached, .dwellStarted(.reverse, d.limits.directionDwell)])
        let verified = d.now
        while d.p.setpoint == .stop, d.now < verified + .seconds(60) { d.update(back, standstill: true) }
        #expect(d.now - verified == d.limits.directionDwell)
    }

    @Test func withoutPermissionItWaitsReadyAndSaysSoOnce() {
        var d = PlannerDriver()
        let go = MotionTarget.move(.forward, .kmh(3))
        #expect(d.update(go, standstill: true, mayStart: false) == [.waitingForPermission(.forward)])
        #expect(d.p.phase == .ready(.forward))
        for _ in 0..<500 {
            #expect(d.update(go, standstill: true, mayStart: false).isEmpty)
            #expect(d.p.setpoint == .stop)
        }
        #expect(d.update(go, standstill: true, mayStart: true) == [.started(.forward)])
        #expect(d.p.setpoint == .run(.forward, d.limits.startSpeed))
    }

    @Test func afterTheDwellAReverseStartStillNeedsPermission() {
        var d = PlannerDriver()
        d.cruise(.forward, 2)
        let back = MotionTarget.move(.reverse, .kmh(2))
        for _ in 0..<200 where d.p.phase != .awaitingZero { d.update(back, standstill: false) }
        var events: [MotionPlanner.Event] = []
        for _ in 0..<500 {
            events += d.update(back, standstill: true, mayStart: false)
            #expect(d.p.setpoint == .stop)
        }
        #expect(events == [.standstillReached, .dwellStarted(.reverse, d.limits.directionDwell), .waitingForPermission(.reverse)])
        #expect(d.p.phase == .ready(.reverse))
        #expect(d.update(back, standstill: true, mayStart: true) == [.started(.reverse)])
    }

    @Test func startStraightAtALowTargetDoesNotOvershoot() {
        var d = PlannerDriver(MachineLimits(startSpeed: .kmh(1.5)))
        d.update(.move(.forward, .kmh(0.8)), standstill: true)
        #expect(d.p.setpoint == .run(.forward, .kmh(0.8)))
    }

    @Test func haltDropsTheReferenceAndWaitsForStandstill() {
        var d = PlannerDriver()
        d.cruise(.forward, 3)
        d.p.halt()
        #expect(d.p.setpoint == .stop)
        d.update(.move(.forward, .kmh(3)), standstill: false)
        #expect(d.p.setpoint == .stop)
        #expect(d.p.phase == .awaitingZero)
    }
}
