import Testing
@testable import TreadCore

/// The ACSM equations and the backwards multiplier, checked against the equations as the
/// training notes state them (S in m/min, G a fraction) and against their properties.
@Suite struct EnergyEstimateTests {
    /// The notes' formulas written out independently of the model.
    func acsm(kmh: Double, grade: Double, running: Bool) -> Double {
        let s = kmh * 1000 / 60
        return running ? 3.5 + 0.2 * s + 0.9 * s * grade : 3.5 + 0.1 * s + 1.8 * s * grade
    }

    @Test(arguments: [3.0, 4.5, 6.0, 7.9])
    func walkingSpeedsUseTheWalkingEquation(kmh: Double) {
        for grade in [0.0, 0.05] {
            let v = EnergyModel.vo2(speed: .kmh(kmh), direction: .forward, grade: grade)
            #expect(abs(v - acsm(kmh: kmh, grade: grade, running: false)) < 1e-9)
        }
    }

    @Test(arguments: [8.1, 10.0, 14.0])
    func runningSpeedsUseTheRunningEquation(kmh: Double) {
        let v = EnergyModel.vo2(speed: .kmh(kmh), direction: .forward, grade: 0.02)
        #expect(abs(v - acsm(kmh: kmh, grade: 0.02, running: true)) < 1e-9)
    }

    @Test(arguments: [2.0, 3.5, 5.0, 9.0])
    func backwardsMultipliesOnlyTheSpeedPart(kmh: Double) {
        let f = EnergyModel.vo2(speed: .kmh(kmh), direction: .forward)
        let r = EnergyModel.vo2(speed: .kmh(kmh), direction: .reverse)
        #expect(abs((r - EnergyModel.restingVO2) - (f - EnergyModel.restingVO2) * EnergyModel.backwardsMultiplier) < 1e-9)
        #expect(r > f)
    }

    @Test func kcalScaleWithBodyMassAndTime() {
        let a = EnergyModel.kcalPerMinute(speed: .kmh(5), direction: .forward, massKg: 60)
        let b = EnergyModel.kcalPerMinute(speed: .kmh(5), direction: .forward, massKg: 90)
        #expect(abs(b / a - 1.5) < 1e-9)
        // VO2 (ml/kg/min) x mass / 1000 x 5 kcal per litre.
        #expect(abs(a - EnergyModel.vo2(speed: .kmh(5), direction: .forward) * 60 / 1000 * 5) < 1e-9)
        let seg = Segment(direction: .reverse, speed: .kmh(2.5), duration: .seconds(600))
        let perMinute = EnergyModel.kcalPerMinute(speed: .kmh(2.5), direction: .reverse, massKg: 70)
        #expect(abs(seg.energy(massKg: 70).kcal - perMinute * 10) < 1e-9)
        #expect(seg.energy(massKg: 70).description.contains("estimate"))
    }

    @Test func aTallyKeepsDirectionsApartAndNeedsMassForEnergy() {
        var t = SessionTally(massKnown: true)
        t.add(speed: .kmh(3.6), direction: .forward, grade: 0, massKg: 70, over: .seconds(10))
        t.add(speed: .kmh(1.8), direction: .reverse, grade: 0, massKg: 70, over: .seconds(20))
        t.add(speed: .kmh(3.6), direction: nil, grade: 0, massKg: 70, over: .seconds(5))  // unknown direction: not counted
        #expect(abs(t.forwardDistance - 10) < 1e-9)  // 1 m/s for 10 s
        #expect(abs(t.reverseDistance - 10) < 1e-9)  // 0.5 m/s for 20 s
        #expect(t.forwardTime == .seconds(10) && t.reverseTime == .seconds(20))
        #expect(abs(t.reverseShare - 2.0 / 3.0) < 1e-9)
        let expected = EnergyModel.kcalPerMinute(speed: .kmh(3.6), direction: .forward, massKg: 70) * 10 / 60
            + EnergyModel.kcalPerMinute(speed: .kmh(1.8), direction: .reverse, massKg: 70) * 20 / 60
        #expect(abs((t.energy?.kcal ?? -1) - expected) < 1e-9)

        var anonymous = SessionTally()
        anonymous.add(speed: .kmh(3.6), direction: .forward, grade: 0, massKg: nil, over: .seconds(10))
        #expect(anonymous.energy == nil)
        #expect(anonymous.forwardDistance > 0)
    }

    @Test func aSessionMeasuresDistanceFromTheBeltAndEnergyForAMember() throws {
        let p = program(seg(.forward, 3.6, 20), seg(.reverse, 1.8, 20), seg(.forward, 3.6, 10))
        var rig = TreadmillRig()
        rig.step()
        let anna = try Member(name: "Anna", bodyMassKg: 62)
        try rig.tm.start(p, member: anna, at: rig.now)
        rig.expectReach({ $0.tm.state == .idle }, limit: .seconds(120))
        let t = rig.tm.tally
        // Ramps lose a little against the plan, never gain.
        #expect(t.forwardDistance <= p.plannedDistance.forward + 0.5)
        #expect(t.forwardDistance > p.plannedDistance.forward * 0.85)
        #expect(t.reverseDistance <= p.plannedDistance.reverse + 0.5)
        #expect(t.reverseDistance > p.plannedDistance.reverse * 0.8)
        let planned = p.energy(massKg: 62).kcal
        let measured = try #require(t.energy?.kcal)
        #expect(measured > planned * 0.8 && measured < planned * 1.1)
        #expect(rig.tm.member == anna)
    }
}
