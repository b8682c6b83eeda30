import Testing
import TreadCore

/// The machine's odometer counts what the drive reported, tick by tick: distance and hours
/// only for a fresh report above standstill, a direction change across a stop, rail
/// releases and faults from the tick's events.
@Suite struct OdometerTests {
    let standstill = Speed.kmh(0.2)

    @Test func distanceAndHoursComeFromTheReportedSpeedAndTheTicksLength() {
        var o = Odometer()
        for _ in 0..<100 { o.add(speed: .kmh(3.6), direction: .forward, standstill: standstill, over: .milliseconds(40)) }
        // 1 m/s for 4 s.
        #expect(abs(o.distance - 4) < 1e-9)
        #expect(o.reverseDistance == 0)
        #expect(o.runningTime == .seconds(4))
        for _ in 0..<50 { o.add(speed: .kmh(1.8), direction: .reverse, standstill: standstill, over: .milliseconds(40)) }
        #expect(abs(o.distance - 5) < 1e-9)
        #expect(abs(o.reverseDistance - 1) < 1e-9)
        #expect(o.runningTime == .seconds(6))
    }

    @Test func aMissingReportStandstillOrAnUnknownDirectionAddsNothing() {
        var o = Odometer()
        o.add(speed: nil, direction: .forward, standstill: standstill, over: .seconds(1))
        o.add(speed: .kmh(0.1), direction: .forward, standstill: standstill, over: .seconds(1))
        o.add(speed: .kmh(5), direction: nil, standstill: standstill, over: .seconds(1))
        o.add(speed: .kmh(5), direction: .forward, standstill: standstill, over: .zero)
        #expect(o == Odometer())
    }

    @Test func aDirectionChangeCountsOnceAcrossTheStopBetween() {
        var o = Odometer()
        let dt = Duration.milliseconds(40)
        o.add(speed: .kmh(4), direction: .forward, standstill: standstill, over: dt)
        o.add(speed: .zero, direction: .forward, standstill: standstill, over: dt)
        o.add(speed: nil, direction: nil, standstill: standstill, over: dt)
        o.add(speed: .kmh(2), direction: .reverse, standstill: standstill, over: dt)
        o.add(speed: .kmh(2), direction: .reverse, standstill: standstill, over: dt)
        #expect(o.directionChanges == 1)
        o.add(speed: .kmh(3), direction: .forward, standstill: standstill, over: dt)
        #expect(o.directionChanges == 2)
        // Forward again after a stop is no change.
        o.add(speed: .zero, direction: .forward, standstill: standstill, over: dt)
        o.add(speed: .kmh(3), direction: .forward, standstill: standstill, over: dt)
        #expect(o.directionChanges == 2)
    }

    @Test func railReleasesAndFaultsAreCountedByReason() {
        var o = Odometer()
        o.count([.railWarning(grace: .seconds(3)), .faultLatched(.estopOpen), .railWarningCleared])
        o.count([.faultLatched(.estopOpen), .faultLatched(.safetyKeyPulled), .sessionStopped])
        #expect(o.railReleases == 1)
        #expect(o.faults == [Fault.estopOpen.code: 2, Fault.safetyKeyPulled.code: 1])
    }
}
