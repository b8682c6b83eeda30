import Testing
@testable import TreadCore

@Suite struct InputMonitorTests {
    let all: Set<InputLine> = [.estop, .safetyKey, .railLeft, .railRight]
    let t0 = Instant.seconds(50)

    func started(_ lines: Set<InputLine>? = nil, chatter: InputMonitor.ChatterLimit = .init()) -> InputMonitor {
        var m = InputMonitor(lines: lines ?? all, chatter: chatter)
        for l in (lines ?? all) { _ = m.receive(.edge(l, permissive: true, at: t0)) }
        return m
    }

    @Test func everyConfiguredLineReadsUnsafeUntilItsFirstReading() {
        var m = InputMonitor(lines: all)
        let before = m.takeInputs(at: t0)
        #expect(!before.estopClosed && !before.keyInserted && !before.railLeftHeld && !before.railRightHeld)
        #expect(before.frontZoneClear, "a machine without a front-zone sensor must not read it occupied")
        for l in all { _ = m.receive(.edge(l, permissive: true, at: t0)) }
        #expect(m.takeInputs(at: t0) == SafetyInputs(estopClosed: true, keyInserted: true, railLeftHeld: true, railRightHeld: true))
    }

    @Test func anEstopPressedAndReleasedBetweenTwoTicksStillReadsOpenOnce() {
        var m = started()
        _ = m.takeInputs(at: t0)
        #expect(m.receive(.edge(.estop, permissive: false, at: t0 + .milliseconds(5))) == .trip(.estopOpen))
        #expect(m.receive(.edge(.estop, permissive: true, at: t0 + .milliseconds(9))) == .none)
        #expect(!m.takeInputs(at: t0 + .milliseconds(40)).estopClosed, "the blip vanished before the tick")
        #expect(m.takeInputs(at: t0 + .milliseconds(80)).estopClosed, "sticky for one take only")
    }

    /// The gate holds the belt for every trip until the core has latched on readings that
    /// include it: each trip since the last take is handed over, oldest first, exactly once,
    /// also when the line came back before the tick.
    @Test func everyTripSinceTheLastTakeIsHandedToTheCoreOnce() {
        var m = started()
        _ = m.take(at: t0)
        _ = m.receive(.lost(.estop, reason: "EIO", at: t0 + .milliseconds(2)))
        _ = m.receive(.restored(.estop, permissive: true, at: t0 + .milliseconds(4)))
        _ = m.receive(.edge(.safetyKey, permissive: false, at: t0 + .milliseconds(6)))
        _ = m.receive(.edge(.safetyKey, permissive: true, at: t0 + .milliseconds(8)))
        let take = m.take(at: t0 + .milliseconds(40))
        #expect(take.trips == [.sensor(SensorFault(line: .estop, reason: .unreadable("EIO"))), .safetyKeyPulled])
        #expect(m.take(at: t0 + .milliseconds(80)).trips.isEmpty, "handed over once")
    }

    @Test func keyPulledTripsAndRailsDoNot() {
        var m = started()
        #expect(m.receive(.edge(.safetyKey, permissive: false, at: t0)) == .trip(.safetyKeyPulled))
        #expect(m.receive(.edge(.railLeft, permissive: false, at: t0)) == .none)
        #expect(m.receive(.edge(.estop, permissive: true, at: t0)) == .none)
    }

    @Test func chatterAboveTheLimitIsAFaultNamingTheLineUntilItIsQuiet() {
        let limit = InputMonitor.ChatterLimit(edges: 4, window: .seconds(1), quiet: .seconds(2))
        var m = started(chatter: limit)
        var reflexes: [InputMonitor.Reflex] = []
        for i in 0..<5 {
            reflexes.append(m.receive(.edge(.railLeft, permissive: i % 2 == 1, at: t0 + .milliseconds(Int64(100 * i)))))
        }
        #expect(Array(reflexes.prefix(4)) == Array(repeating: .none, count: 4), "four changes in a second are a person")
        guard case .trip(.sensor(let f)) = reflexes[4] else { Issue.record("the fifth change must trip, got \(reflexes[4])"); return }
        #expect(f.line == .railLeft)
        #expect(f.description.contains("rail_left"))
        #expect(m.takeInputs(at: t0 + .seconds(1)).sensorFault?.line == .railLeft)
        // Still chattering: the fault holds; then quiet for the quiet period: gone.
        _ = m.receive(.edge(.railLeft, permissive: true, at: t0 + .milliseconds(1500)))
        #expect(m.takeInputs(at: t0 + .milliseconds(3400)).sensorFault != nil)
        #expect(m.takeInputs(at: t0 + .milliseconds(3500)).sensorFault == nil)
    }

    @Test func slowChangesNeverCountAsChatter() {
        var m = started(chatter: .init(edges: 3, window: .seconds(1)))
        for i in 0..<50 {
            #expect(m.receive(.edge(.railRight, permissive: i % 2 == 1, at: t0 + .milliseconds(Int64(400 * i)))) == .none)
        }
        #expect(m.takeInputs(at: t0 + .seconds(30)).sensorFault == nil)
    }

    @Test func aLostLineTripsReadsUnsafeAndComesBackOnlyWhenRestored() {
        var m = started()
        guard case .trip(.sensor(let f)) = m.receive(.lost(.railRight, reason: "chip gone", at: t0)) else {
            Issue.record("a lost line must trip"); return
        }
        #expect(f.line == .railRight)
        #expect(m.receive(.lost(.railRight, reason: "chip gone", at: t0)) == .none, "one trip per loss")
        let lost = m.takeInputs(at: t0)
        #expect(!lost.railRightHeld)
        #expect(lost.sensorFault?.description.contains("chip gone") == true)
        _ = m.receive(.restored(.railRight, permissive: true, at: t0 + .seconds(1)))
        _ = m.takeInputs(at: t0 + .seconds(1))
        let back = m.takeInputs(at: t0 + .seconds(1))
        #expect(back.railRightHeld && back.sensorFault == nil)
    }

    @Test func aRestoredEstopThatIsOpenTrips() {
        var m = started()
        _ = m.receive(.lost(.estop, reason: "x", at: t0))
        #expect(m.receive(.restored(.estop, permissive: false, at: t0)) == .trip(.estopOpen))
    }

    @Test func linesTheMachineDoesNotHaveAreIgnored() {
        var m = started()
        #expect(m.receive(.edge(.frontZone, permissive: false, at: t0)) == .none)
        #expect(m.takeInputs(at: t0).frontZoneClear)
    }
}

@Suite struct SensorFaultPrecedenceTests {
    @Test func anUnreadableEstopIsReportedAsTheSensorNotAsAPressedEstop() {
        var m = InputMonitor(lines: [.estop, .safetyKey, .railLeft, .railRight])
        for l in m.lines { _ = m.receive(.edge(l, permissive: true, at: .seconds(1))) }
        _ = m.receive(.lost(.estop, reason: "GPIO chip /dev/gpiochip0 went away", at: .seconds(2)))
        let inputs = m.takeInputs(at: .seconds(2))
        #expect(!inputs.estopClosed)
        guard case .sensor(let f) = Interlock.hardStop(inputs) else { Issue.record("expected a sensor fault"); return }
        #expect(f.line == .estop)
        #expect(f.description.contains("gpiochip0"))
    }
}

extension InputMonitor {
    /// The readings of a take, for tests that look at nothing else.
    mutating func takeInputs(at now: Instant) -> SafetyInputs { take(at: now).inputs }
}
