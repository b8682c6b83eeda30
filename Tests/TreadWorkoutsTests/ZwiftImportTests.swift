import Foundation
import Testing
import TreadCore
import TreadFiles
@testable import TreadWorkouts

/// The mapping from Zwift blocks to program segments, one kind of block at a time, and the
/// whole fixture through the same loader as every program file.
@Suite struct ZwiftImportTests {
    func segments(_ p: ImportedProgram) -> [(Direction, Double, Int)] {
        p.program.segments.map { ($0.direction, $0.speed.kmh, Int($0.duration.inSeconds)) }
    }

    @Test func steadyStateIsAShareOfTheReferencePaceSpeed() throws {
        let w = try Fixture.workout(#"<SteadyState Duration="300" Power="0.8" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.segments.count == 1)
        #expect(p.program.segments[0].speed == .kmh(8))
        #expect(p.program.segments[0].duration == .seconds(300))
        #expect(p.program.segments[0].line == 6, "the segment remembers its .zwo line")
        #expect(p.pacesUsed == [.fiveK])
    }

    @Test func aBlockWithoutPaceUsesTheMilePaceAsZwiftDoes() throws {
        let w = try Fixture.workout(#"<SteadyState Duration="60" Power="1.0"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options(paces: ReferencePaces([.mile: 300])))
        #expect(p.program.segments[0].speed == .kmh(12))
    }

    @Test func aPaceNobodyGaveIsARefusalNamingTheBlock() {
        #expect(throws: ZwiftImportError.noReferencePace(file: "t.zwo", line: 6, pace: .fiveK)) {
            _ = try ZwiftImport.program(from: try Fixture.workout(#"<SteadyState Duration="60" Power="1.0" pace="1"/>"#),
                                        file: "t.zwo", options: Fixture.options(paces: ReferencePaces()))
        }
    }

    @Test func rampsBecomeStepsAndSaySo() throws {
        let w = try Fixture.workout(#"<Warmup Duration="300" PowerLow="0.5" PowerHigh="0.7" pace="1"/><SteadyState Duration="60" Power="1" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        let steps = p.program.segments.dropLast()
        #expect(steps.map(\.speed.kmh) == [5.2, 5.6, 6.0, 6.4, 6.8], "5 one-minute steps at the ramp's mean over each")
        #expect(steps.allSatisfy { $0.duration == .seconds(60) && $0.direction == .forward })
        #expect(p.program.segments.first?.role == .warmup, "a leading warm-up's first step is the program's warm-up")
        #expect(p.notes.contains { $0.kind == .approximated && $0.line == 6 && $0.block == "Warmup" })
    }

    @Test func rampStepsAddUpToTheBlocksLength() throws {
        let w = try Fixture.workout(#"<Ramp Duration="605" PowerLow="0.5" PowerHigh="1.0" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.totalDuration == .seconds(605))
    }

    @Test func aCooldownAlwaysSlowsDownAndEndsTheProgram() throws {
        let w = try Fixture.workout(#"<SteadyState Duration="60" Power="1" pace="1"/><Cooldown Duration="120" PowerLow="0.4" PowerHigh="0.6" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.segments.map(\.speed.kmh) == [10, 5.5, 4.5])
        #expect(p.program.segments.last?.role == .cooldown)
    }

    @Test func intervalsAreARepeatBlockWithTheReverseShareAtTheStartOfEachRecovery() throws {
        let w = try Fixture.workout(#"<IntervalsT Repeat="5" OnDuration="60" OffDuration="120" OnPower="1.1" OffPower="0.5" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options(share: 0.1))
        guard case .repeated(let times, let round)? = p.program.items.first else { Issue.record("not a repeat block"); return }
        #expect(times == 5)
        #expect(round.map(\.direction) == [.forward, .reverse, .forward])
        #expect(round.map(\.speed.kmh) == [11, 2, 5])
        #expect(round.map { Int($0.duration.inSeconds) } == [60, 12, 108], "10% of the 120 s recovery, backwards first")
        #expect(abs(p.program.reverseShare - 60.0 / 900.0) < 1e-9)
    }

    @Test func withoutAReverseShareEverythingIsForwards() throws {
        let w = try Fixture.workout(#"<IntervalsT Repeat="3" OnDuration="60" OffDuration="120" OnPower="1.1" OffPower="0.5" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.segments.allSatisfy { $0.direction == .forward })
        #expect(p.program.segments.count == 6)
    }

    @Test func backwardsIsNeverFasterThanTheRecoveryNorTooShortToBeWorthAStop() throws {
        let slow = try Fixture.workout(#"<IntervalsT Repeat="1" OnDuration="60" OffDuration="200" OnPower="1.1" OffPower="0.15" pace="1"/>"#)
        let p = try ZwiftImport.program(from: slow, file: "t.zwo", options: Fixture.options(share: 0.1))
        #expect(p.program.segments.map(\.speed.kmh) == [11, 1.5, 1.5], "the reverse bout walks at the recovery's 1.5 km/h, not 2")

        let short = try Fixture.workout(#"<IntervalsT Repeat="2" OnDuration="60" OffDuration="60" OnPower="1.1" OffPower="0.5" pace="1"/>"#)
        let q = try ZwiftImport.program(from: short, file: "t.zwo", options: Fixture.options(share: 0.1))
        #expect(q.program.segments.allSatisfy { $0.direction == .forward }, "6 s backwards is below the 10 s bout")
        #expect(q.notes.contains { $0.kind == .approximated && $0.line == 6 && $0.message.contains("stays forwards") })
    }

    @Test func aSlowSteadyBlockBetweenEffortsIsARecovery() throws {
        let w = try Fixture.workout("""
            <SteadyState Duration="180" Power="1.0" pace="1"/>
            <SteadyState Duration="200" Power="0.5" pace="1"/>
            <SteadyState Duration="180" Power="1.0" pace="1"/>
            <SteadyState Duration="200" Power="0.5" pace="1"/>
            """)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options(share: 0.1))
        #expect(p.program.segments.map(\.direction) == [.forward, .reverse, .forward, .forward, .forward],
                "the last slow block follows an effort but precedes none: it is not a recovery")
    }

    @Test func blocksWithoutATargetSpeedAreListedWithTheirLines() throws {
        let p = try ZwiftImport.program(from: try Fixture.read("intervals-run"), file: "intervals-run.zwo", options: Fixture.options(share: 0.1))
        let unmapped = p.notes.filter { $0.kind == .unmapped }
        #expect(unmapped.map(\.block) == ["FreeRide", "MaxEffort"])
        #expect(unmapped.map(\.line) == [13, 17])
        #expect(unmapped[0].description(file: "intervals-run.zwo").hasPrefix("intervals-run.zwo:13: <FreeRide>: not imported: "))
    }

    @Test func aStandstillIsNotASegment() throws {
        let w = try Fixture.workout(#"<SteadyState Duration="60" Power="0" pace="1"/><SteadyState Duration="60" Power="1" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.segments.count == 1)
        #expect(p.notes.contains { $0.kind == .unmapped && $0.line == 6 && $0.message.contains("standstill") })
    }

    @Test func distanceWorkoutsTakeTheTimeTheDistanceNeedsAtItsSpeed() throws {
        let p = try ZwiftImport.program(from: try Fixture.read("distance"), file: "distance.zwo", options: Fixture.options())
        let s = try #require(p.program.segments.first)
        #expect(s.speed.kmh == 9.6, "10k pace derived from the 5k: 6:15/km")
        #expect(s.duration == .seconds(Int((1000 / (9.6 / 3.6)).rounded())))
        #expect(p.derivedPaces.map(\.pace) == [.tenK])
    }

    @Test func overAHundredRepeatsBecomeSeveralBlocks() throws {
        let w = try Fixture.workout(#"<IntervalsT Repeat="150" OnDuration="10" OffDuration="10" OnPower="0.6" OffPower="0.4" pace="1"/>"#)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        let counts = p.program.items.compactMap { item -> Int? in if case .repeated(let t, _) = item { return t } else { return nil } }
        #expect(counts == [100, 50])
    }

    @Test func theWholeFixtureReadsBackThroughTheProgramLoader() throws {
        let p = try ZwiftImport.program(from: try Fixture.read("intervals-run"), file: "intervals-run.zwo", options: Fixture.options(share: 0.1))
        let text = ProgramFile.render(p.program)
        let back = try ProgramFile.parse(text, file: "imported.toml")
        #expect(back.segments.map(\.direction) == p.program.segments.map(\.direction))
        #expect(back.segments.map(\.speed) == p.program.segments.map(\.speed))
        #expect(back.segments.map(\.duration) == p.program.segments.map(\.duration))
        #expect(back.segments.map(\.role) == p.program.segments.map(\.role))
        #expect(back.segments.first?.role == .warmup && back.segments.last?.role == .cooldown)
        #expect(back.title == "Run intervals with a free stretch")
        #expect(p.program.reverseShare > 0)
    }

    @Test func badOptionsAreRefused() throws {
        let w = try Fixture.workout(#"<SteadyState Duration="60" Power="1" pace="1"/>"#)
        var o = Fixture.options(share: 1.5)
        #expect(throws: ZwiftImportError.self) { _ = try ZwiftImport.program(from: w, file: "t.zwo", options: o) }
        o = Fixture.options(share: 0.1)
        o.reverseSpeed = .kmh(7)
        #expect(throws: ZwiftImportError.self) { _ = try ZwiftImport.program(from: w, file: "t.zwo", options: o) }
    }
}
