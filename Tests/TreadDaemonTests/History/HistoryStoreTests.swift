import Foundation
import Testing
import TreadProtocol
import TreadTesting
import TreadCore
@testable import TreadDaemon

/// The SQLite history on its own: what goes in comes back, a session left running by a crash
/// is found and marked interrupted with what was written before it, members, training load.
@Suite struct HistoryStoreTests {
    func tally(forward: Double, reverse: Double, kcal: Double?) -> SessionTally {
        var t = SessionTally(massKnown: kcal != nil)
        t.forwardTime = .fractionalSeconds(forward / 1.0)
        t.reverseTime = .fractionalSeconds(reverse / 0.5)
        t.forwardDistance = forward
        t.reverseDistance = reverse
        if let kcal { t.energy = EnergyEstimate(kcal: kcal) }
        return t
    }

    func start(_ id: String, at: Double, member: String? = nil) -> HistoryRecord {
        .sessionStarted(.init(id: id, program: "demo", title: "Demo", member: member, at: at, planned: .seconds(600), plannedReverse: .seconds(120)))
    }

    @Test func aSessionComesBackWithItsSegmentsNotesAndTotals() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/h/history.sqlite")
        let t0 = 1_700_000_000.0
        let seg = Segment(direction: .reverse, speed: .kmh(2), duration: .seconds(60))
        try store.write([
            start("s1", at: t0, member: "Anna"),
            .event(.init(sessionID: "s1", at: t0 + 1, kind: "warning", code: "weekly_volume", message: "too much")),
            .segment(.init(sessionID: "s1", index: 0, segment: seg, startedAt: t0, endedAt: t0 + 60,
                           tally: tally(forward: 0, reverse: 30, kcal: 5), outcome: "completed")),
            .event(.init(sessionID: "s1", at: t0 + 61, kind: "pause", code: "rails_released", message: "rails released")),
            .sessionEnded(sessionID: "s1", at: t0 + 90, outcome: .finished, tally: tally(forward: 50, reverse: 30, kcal: 9)),
        ])
        let sessions = try store.sessions(member: "anna", limit: 10)
        #expect(sessions.count == 1)
        let s = try #require(sessions.first)
        #expect(s.outcome == "finished")
        #expect(s.endedAt == t0 + 90)
        #expect(s.forwardM == 50 && s.reverseM == 30)
        #expect(s.kcalEstimate == 9)
        #expect(s.segments == 1)
        #expect(s.notes == ["warning: too much", "pause: rails released"])
        #expect(try store.sessions(member: "Bob", limit: 10).isEmpty)

        let weeks = try store.weeklyTotals(member: nil)
        #expect(weeks.count == 1)
        #expect(weeks[0].sessions == 1)
        #expect(abs(weeks[0].reverseShare - 60.0 / 110.0) < 1e-9)
    }

    @Test func aSessionLeftRunningIsInterruptedWithWhatWasWrittenBeforeIt() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.path + "/history.sqlite"
        let t0 = 1_700_000_000.0
        do {
            let store = try HistoryStore(path: path)
            try store.write([start("done", at: t0 - 3600), .sessionEnded(sessionID: "done", at: t0 - 3000, outcome: .finished, tally: tally(forward: 900, reverse: 100, kcal: nil))])
            try store.write([start("cut", at: t0), .checkpoint(sessionID: "cut", at: t0 + 40, tally: tally(forward: 40, reverse: 10, kcal: nil))])
            #expect(store.recoveredSessions == 0)
        }
        let reopened = try HistoryStore(path: path)
        #expect(reopened.recoveredSessions == 1)
        let byID = Dictionary(uniqueKeysWithValues: try reopened.sessions(member: nil, limit: 10).map { ($0.id, $0) })
        #expect(byID["done"]?.outcome == "finished")
        let cut = try #require(byID["cut"])
        #expect(cut.outcome == "interrupted")
        #expect(cut.endedAt == t0 + 40)
        #expect(cut.forwardM == 40 && cut.reverseM == 10)
        #expect(try HistoryStore(path: path).recoveredSessions == 0)
    }

    @Test func membersAreUniqueAndAnUnknownOneListsTheKnown() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        try store.addMember(try Member(name: "Anna", bodyMassKg: 62, level: .beginner))
        try store.addMember(try Member(name: "Bob"))
        #expect(throws: HistoryQueryError.self) { try store.addMember(try Member(name: "anna")) }
        #expect(try store.member(named: "ANNA").bodyMassKg == 62)
        do {
            _ = try store.member(named: "Carl")
            Issue.record("unknown member found")
        } catch {
            #expect(error.code == "unknown_member")
            #expect(error.description.contains("Carl") && error.description.contains("Anna, Bob"))
        }
    }

    @Test func recentLoadSumsTheLastTwoWeeksAndFindsTheLongest() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let now = 1_700_000_000.0, day = 86400.0
        var records: [HistoryRecord] = []
        for (i, (ago, seconds)) in [(1.0, 1200.0), (3.0, 1800.0), (9.0, 2400.0), (20.0, 3000.0), (40.0, 6000.0)].enumerated() {
            records.append(start("s\(i)", at: now - ago * day, member: "Anna"))
            records.append(.sessionEnded(sessionID: "s\(i)", at: now - ago * day + seconds, outcome: .finished,
                                         tally: tally(forward: seconds, reverse: 0, kcal: nil)))
        }
        records.append(start("other", at: now - day, member: "Bob"))
        records.append(.sessionEnded(sessionID: "other", at: now, outcome: .finished, tally: tally(forward: 9999, reverse: 0, kcal: nil)))
        try store.write(records)
        let r = try store.recentLoad(member: "anna", now: now)
        #expect(r.thisWeek == .seconds(3000))
        #expect(r.lastWeek == .seconds(2400))
        #expect(r.longestRecent == .seconds(3000))
    }

    @Test func fleetSessionsCountOnceBesideThisMachinesOwn() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let now = 1_700_000_000.0, day = 86400.0
        try store.write([start("local-1", at: now - day, member: "Anna"),
                         .sessionEnded(sessionID: "local-1", at: now - day + 600, outcome: .finished, tally: tally(forward: 600, reverse: 0, kcal: nil))])
        func fleet(_ id: String, _ ago: Double, _ s: Double) -> FleetMemberSummary.Session {
            .init(id: id, machine: "tm-x", startedAt: now - ago * day, movingS: s, reverseS: 0, distanceM: 0)
        }
        // This machine's own session is in the summary too (synced up and down): counted once.
        let r = try store.recentLoad(member: "anna", now: now, fleet: [
            fleet("LOCAL-1", 1, 600), fleet("a", 2, 900), fleet("b", 8, 1200), fleet("b", 8, 1200),
            fleet("old", 60, 5000), fleet("bad", 2, -5),
        ])
        #expect(r.thisWeek == .seconds(1500))
        #expect(r.lastWeek == .seconds(1200))
        #expect(r.longestRecent == .seconds(1200))
    }

    @Test func aCorruptFileIsAnErrorNamingItsPath() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = try dir.write("history.sqlite", String(repeating: "not a database ", count: 400))
        do {
            _ = try HistoryStore(path: path)
            Issue.record("a corrupt file opened")
        } catch {
            #expect(error.description.contains(path))
        }
    }
}
