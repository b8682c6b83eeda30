import Testing
import TreadCore
import TreadTraining

@Suite struct TrainingLoadTests {
    func min(_ m: Double) -> Duration { .fractionalSeconds(m * 60) }

    @Test func warnsWhenTheWeekGrowsMoreThanTenPercent() {
        let recent = TrainingLoad.Recent(thisWeek: min(60), lastWeek: min(90), longestRecent: min(40))
        #expect(TrainingLoad.check(planned: min(30), recent: recent).isEmpty)   // 90 -> 90
        #expect(TrainingLoad.check(planned: min(39), recent: recent).isEmpty)   // 99 = +10%
        #expect(TrainingLoad.check(planned: min(41), recent: recent).map(\.code) == ["weekly_volume"])  // 101 = +12%
        let w = TrainingLoad.check(planned: min(45), recent: recent)            // +17%, and 45 > 40 x 1.1
        #expect(w.contains { $0.code == "weekly_volume" })
        #expect(w.contains { $0.code == "session_spike" })
    }

    @Test func warnsOnASessionMuchLongerThanTheRecentLongest() {
        let recent = TrainingLoad.Recent(thisWeek: .zero, lastWeek: min(200), longestRecent: min(30))
        #expect(TrainingLoad.check(planned: min(33), recent: recent).isEmpty)
        let w = TrainingLoad.check(planned: min(45), recent: recent)
        #expect(w.map(\.code) == ["session_spike"])
        #expect(w[0].description.contains("45 min") && w[0].description.contains("30 min"))
    }

    @Test func aNewMemberGetsNoWarnings() {
        let recent = TrainingLoad.Recent(thisWeek: .zero, lastWeek: .zero, longestRecent: nil)
        #expect(TrainingLoad.check(planned: min(90), recent: recent).isEmpty)
    }

    @Test func membersAreCheckedWithEveryProblemNamed() {
        #expect(throws: MemberError.self) { try Member(name: "", bodyMassKg: 70) }
        do {
            _ = try Member(name: "x/y", bodyMassKg: 7000)
            Issue.record("accepted")
        } catch {
            guard case .invalid(let problems) = error else { Issue.record("\(error)"); return }
            #expect(problems.count == 2)
        }
        let m = try? Member(name: "  Anna Lee ", bodyMassKg: 61.5, level: .intermediate)
        #expect(m?.name == "Anna Lee")
    }
}
