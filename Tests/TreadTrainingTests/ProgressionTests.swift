import Testing
import TreadCore
import TreadFiles
import TreadTraining

/// The planner's programs, written as files and read back by the program loader.
@Suite struct ProgressionTests {
    func plan(weeks: Int = 8, sessions: Int = 3, minutes: Int = 30) throws -> [Program] {
        try Progression.plan(Progression.Options(weeks: weeks, sessionsPerWeek: sessions, minutes: minutes))
    }

    @Test(arguments: [(8, 30), (12, 20), (1, 45), (6, 60)])
    func writtenProgramsLoadBackUnchanged(weeks: Int, minutes: Int) throws {
        for p in try plan(weeks: weeks, minutes: minutes) {
            let text = ProgramFile.render(p, comment: "test")
            let back = try ProgramFile.parse(text, file: "\(p.name).toml")
            #expect(back.name == p.name)
            #expect(back.title == p.title)
            #expect(back.segments.map(\.direction) == p.segments.map(\.direction))
            #expect(back.segments.map(\.speed) == p.segments.map(\.speed))
            #expect(back.segments.map(\.duration) == p.segments.map(\.duration))
            #expect(back.segments.map(\.role) == p.segments.map(\.role))
            #expect(back.violations(against: MachineLimits()).isEmpty, "\(back.violations(against: MachineLimits()))")
        }
    }

    @Test func weeklyVolumeNeverGrowsMoreThanTenPercent() throws {
        let programs = try plan(weeks: 12, sessions: 3, minutes: 25)
        for (a, b) in zip(programs, programs.dropFirst()) {
            let growth = b.totalDuration.inSeconds / a.totalDuration.inSeconds - 1
            #expect(growth <= TrainingLoad.maxWeeklyGrowth + 1e-9)
            #expect(growth >= 0)
        }
    }

    @Test func backwardsShareGrowsFromTheStartToTheTarget() throws {
        var o = Progression.Options(weeks: 10, sessionsPerWeek: 3, minutes: 40)
        o.startReverse = 0.06
        o.targetReverse = 0.40
        let programs = try Progression.plan(o)
        #expect(abs(programs.first!.reverseShare - 0.06) < 0.02)
        #expect(abs(programs.last!.reverseShare - 0.40) < 0.02)
        for (a, b) in zip(programs, programs.dropFirst()) { #expect(b.reverseShare >= a.reverseShare - 0.005) }
        for p in programs {
            #expect(p.segments.first?.role == .warmup && p.segments.first?.direction == .forward)
            #expect(p.segments.last?.role == .cooldown && p.segments.last?.direction == .forward)
        }
    }

    @Test func badOptionsAreAllReported() {
        var o = Progression.Options(weeks: 0, sessionsPerWeek: 3, minutes: 5)
        o.weeklyGrowth = 0.2
        do {
            _ = try Progression.plan(o)
            Issue.record("accepted")
        } catch {
            #expect(error.problems.count == 3)
            #expect(error.description.contains("weekly growth"))
        }
    }
}
