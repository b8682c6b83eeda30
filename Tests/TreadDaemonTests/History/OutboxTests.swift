import Foundation
import GRDB
import Testing
import TreadTesting
import TreadCore
import TreadProtocol
@testable import TreadDaemon

/// The fleet's outbox is written with the history, in the same transaction: a session that
/// ends (or is found cut short at start-up) and a latched fault each leave exactly one entry,
/// with a stable id and an ordered sequence; the machine's counters persist across a reopen.
@Suite struct OutboxTests {
    let t0 = 1_700_000_000.0

    func start(_ id: String, at: Double) -> HistoryRecord {
        .sessionStarted(.init(id: id, program: "demo", title: "Demo", member: "Anna", at: at, planned: .seconds(600), plannedReverse: .seconds(120)))
    }

    func tally(forward: Double, reverse: Double) -> SessionTally {
        var t = SessionTally()
        t.forwardTime = .seconds(forward)
        t.reverseTime = .seconds(reverse)
        t.forwardDistance = forward
        t.reverseDistance = reverse
        return t
    }

    struct Entry { var seq: Int64; var id: String; var kind: String; var payload: String }

    func entries(_ store: HistoryStore) throws -> [Entry] {
        try store.db.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, id, kind, payload FROM outbox ORDER BY seq").map {
                Entry(seq: $0["seq"], id: $0["id"], kind: $0["kind"], payload: $0["payload"])
            }
        }
    }

    @Test func anEndedSessionLeavesOneEntryWithItsSegmentsAndNotes() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let seg = Segment(direction: .reverse, speed: .kmh(2), duration: .seconds(60))
        try store.write([
            start("s1", at: t0),
            .segment(.init(sessionID: "s1", index: 0, segment: seg, startedAt: t0, endedAt: t0 + 60,
                           tally: tally(forward: 0, reverse: 30), outcome: "completed")),
            .event(.init(sessionID: "s1", at: t0 + 61, kind: "rail_release", code: nil, message: "rails let go")),
            .checkpoint(sessionID: "s1", at: t0 + 62, tally: tally(forward: 10, reverse: 30)),
        ])
        #expect(try entries(store).isEmpty, "a running session is not reported")
        try store.write([.sessionEnded(sessionID: "s1", at: t0 + 90, outcome: .finished, tally: tally(forward: 50, reverse: 30))])
        let out = try entries(store)
        #expect(out.count == 1)
        let e = try #require(out.first)
        #expect(e.id == "s1" && e.kind == "session")
        let s = try JSONDecoder().decode(FleetSession.self, from: Data(e.payload.utf8))
        #expect(s.outcome == "finished" && s.member == "Anna" && s.endedAt == t0 + 90)
        #expect(s.forwardM == 50 && s.reverseM == 30)
        #expect(s.segments.map(\.direction) == ["reverse"])
        #expect(s.notes == ["rail_release": 1])
    }

    @Test func aFailedBatchLeavesNoEntryAndItsRetryLeavesOne() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        try store.write([start("s1", at: t0)])
        // The batch's second record breaks a foreign key (GRDB enforces them): the whole transaction rolls back,
        // the outbox with it.
        let bad = HistoryRecord.segment(.init(sessionID: "no-such-session", index: 0, segment: Segment(direction: .forward, speed: .kmh(3), duration: .seconds(5)),
                                              startedAt: t0, endedAt: t0 + 5, tally: SessionTally(), outcome: "completed"))
        let ended = HistoryRecord.sessionEnded(sessionID: "s1", at: t0 + 5, outcome: .stopped, tally: SessionTally())
        #expect(throws: HistoryError.self) { try store.write([ended, bad]) }
        #expect(try entries(store).isEmpty)
        try store.write([ended])
        try store.write([ended])
        #expect(try entries(store).map(\.id) == ["s1"])
    }

    @Test func aSessionCutShortIsReportedAtTheNextStartUpAndAFaultOnItsOwn() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.path + "/history.sqlite"
        do {
            let store = try HistoryStore(path: path)
            try store.write([
                start("s1", at: t0),
                .event(.init(sessionID: "s1", at: t0 + 3, kind: "fault", code: "estop", message: "emergency stop pressed")),
                .checkpoint(sessionID: "s1", at: t0 + 4, tally: tally(forward: 4, reverse: 0)),
            ])
        }
        let reopened = try HistoryStore(path: path)
        #expect(reopened.recoveredSessions == 1)
        let out = try entries(reopened)
        #expect(out.map(\.kind) == ["fault", "session"])
        #expect(out[0].seq < out[1].seq)
        let fault = try JSONDecoder().decode(FleetFault.self, from: Data(out[0].payload.utf8))
        #expect(fault.code == "estop" && fault.sessionID == "s1")
        #expect(UUID(uuidString: out[0].id) != nil)
        let s = try JSONDecoder().decode(FleetSession.self, from: Data(out[1].payload.utf8))
        #expect(s.outcome == "interrupted" && s.forwardM == 4)
        // Opened again: nothing new to report.
        #expect(try entries(try HistoryStore(path: path)).count == 2)
    }

    @Test func countersPersistAcrossAReopenAndThisRunsAreAddedToThem() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.path + "/history.sqlite"
        do {
            let store = try HistoryStore(path: path)
            #expect(store.persistedCounters == MachineCounters())
            let run1 = MachineCounters(beltM: 1000, reverseM: 200, runningS: 600, directionChanges: 4, railReleases: 1,
                                       driveCommErrors: 2, faults: ["estop": 1])
            // Persisted twice with growing values (absolute, not added up), published once.
            try store.write([.counters(at: t0, live: MachineCounters(beltM: 500), publish: false)])
            try store.write([.counters(at: t0 + 60, live: run1, publish: true)])
            #expect(try entries(store).map(\.kind) == ["counters"])
        }
        let store = try HistoryStore(path: path)
        #expect(store.persistedCounters.beltM == 1000)
        #expect(store.persistedCounters.faults == ["estop": 1])
        try store.write([.counters(at: t0 + 120, live: MachineCounters(beltM: 10, faults: ["estop": 1, "sensor": 1]), publish: true)])
        let reopened = try HistoryStore(path: path)
        #expect(reopened.persistedCounters.beltM == 1010)
        #expect(reopened.persistedCounters.directionChanges == 4)
        #expect(reopened.persistedCounters.faults == ["estop": 2, "sensor": 1])
        let snapshots = try entries(reopened).filter { $0.kind == "counters" }
        let last = try JSONDecoder().decode(FleetCounters.self, from: Data(try #require(snapshots.last).payload.utf8))
        #expect(last.counters.beltM == 1010 && last.at == t0 + 120)
    }
}
