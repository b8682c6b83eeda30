import Foundation
import Testing
import TreadProtocol
import TreadTesting
import TreadCore
@testable import TreadDaemon

/// `history.session`'s query: one session with its segments and events, found by its id or a
/// unique prefix of at least 8 characters; an unknown or ambiguous id is a clear error.
@Suite struct HistorySessionQueryTests {
    static let t0 = 1_700_000_000.0

    func tally(forward: Double, reverse: Double, kcal: Double?) -> SessionTally {
        var t = SessionTally(massKnown: kcal != nil)
        t.forwardTime = .fractionalSeconds(forward)
        t.reverseTime = .fractionalSeconds(reverse * 2)
        t.forwardDistance = forward
        t.reverseDistance = reverse
        if let kcal { t.energy = EnergyEstimate(kcal: kcal) }
        return t
    }

    func store(_ dir: TempFolder) throws -> HistoryStore {
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        let fwd = Segment(direction: .forward, speed: .kmh(3.6), duration: .seconds(40), role: .warmup)
        let back = Segment(direction: .reverse, speed: .kmh(1.8), duration: .seconds(60))
        try store.write([
            .sessionStarted(.init(id: "aaaabbbb-1111", program: "demo", title: "Demo run", member: nil, at: Self.t0,
                                  planned: .seconds(100), plannedReverse: .seconds(60))),
            .segment(.init(sessionID: "aaaabbbb-1111", index: 0, segment: fwd, startedAt: Self.t0, endedAt: Self.t0 + 40,
                           tally: tally(forward: 38, reverse: 0, kcal: 3), outcome: "completed")),
            .event(.init(sessionID: "aaaabbbb-1111", at: Self.t0 + 50, kind: "pause", code: "rails_released", message: "rails released")),
            .segment(.init(sessionID: "aaaabbbb-1111", index: 1, segment: back, startedAt: Self.t0 + 40, endedAt: Self.t0 + 100,
                           tally: tally(forward: 0, reverse: 25, kcal: 4), outcome: "skipped")),
            .sessionEnded(sessionID: "aaaabbbb-1111", at: Self.t0 + 100, outcome: .finished, tally: tally(forward: 38, reverse: 25, kcal: 7)),
            .sessionStarted(.init(id: "aaaabbbb-2222", program: "demo", title: "Demo run", member: nil, at: Self.t0 + 1000,
                                  planned: .seconds(100), plannedReverse: .seconds(60))),
        ])
        return store
    }

    @Test func aSessionComesBackWithItsSegmentsAndEventsInOrder() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let d = try store(dir).session(id: "aaaabbbb-1111")
        #expect(d.session.id == "aaaabbbb-1111" && d.session.outcome == "finished")
        #expect(d.title == "Demo run" && d.plannedReverseS == 60 && d.updatedAt == Self.t0 + 100)
        #expect(d.segments.map(\.index) == [0, 1])
        #expect(d.segments.map(\.direction) == ["forward", "reverse"])
        #expect(d.segments[0].role == "warmup" && d.segments[1].outcome == "skipped")
        #expect(d.segments[1].reverseM == 25 && d.segments[1].reverseS == 50 && d.segments[1].kcalEstimate == 4)
        #expect(d.segments[1].startedAt == Self.t0 + 40 && d.segments[1].endedAt == Self.t0 + 100)
        #expect(d.events.map(\.kind) == ["pause"])
    }

    @Test func aUniquePrefixOfEightCharactersFindsTheSessionAndAShortOrSharedOneDoesNot() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let s = try store(dir)
        #expect(try s.session(id: "AAAABBBB-2").session.id == "aaaabbbb-2222")
        #expect(throws: HistoryQueryError.self) { try s.session(id: "aaaab") }
        do {
            _ = try s.session(id: "aaaabbbb")
            Issue.record("a prefix of two sessions found one")
        } catch {
            #expect(error.code == "unknown_session")
            #expect(error.description.contains("2 sessions"), "\(error)")
        }
    }

    @Test func anUnknownIdIsAnUnknownSessionNamingIt() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let s = try store(dir)
        do {
            _ = try s.session(id: "nope' OR 1=1 --")
            Issue.record("found a session for an unknown id")
        } catch {
            #expect(error.code == "unknown_session")
            #expect(error.description.contains("no session 'nope' OR 1=1 --'"), "\(error)")
        }
    }
}
