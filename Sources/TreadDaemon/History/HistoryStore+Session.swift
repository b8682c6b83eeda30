import Foundation
import GRDB
import TreadProtocol

/// One session in full, for `history.session` (and so for exports). Called from the history
/// desk's queue only. The id comes from a socket client: it is only ever a bound SQL
/// argument, compared as text, never parsed.
extension HistoryStore {
    /// The shortest prefix of an id that is looked up as a prefix; shorter text must be a whole id.
    public static let sessionPrefixLength = 8

    /// The session whose id is `id`, or whose id starts with `id` (at least
    /// `sessionPrefixLength` characters, case-insensitive); `unknownSession` or
    /// `ambiguousSession` otherwise.
    public func session(id: String) throws(HistoryQueryError) -> SessionDetail {
        let wanted = id.lowercased()
        return try run { db throws -> SessionDetail in
            var ids = try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE id = ?", arguments: [wanted])
            if ids.isEmpty, wanted.count >= Self.sessionPrefixLength {
                ids = try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE substr(id, 1, ?) = ? LIMIT 3",
                                          arguments: [wanted.count, wanted])
            }
            guard let found = ids.first else { throw HistoryQueryError.unknownSession(id) }
            guard ids.count == 1 else { throw HistoryQueryError.ambiguousSession(id, matches: ids.count) }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM segments g WHERE g.session_id = s.id) AS segment_count FROM sessions s WHERE s.id = ?
                """, arguments: [found]) else { throw HistoryQueryError.unknownSession(id) }
            let info = try Self.sessionInfo(row, db)
            let segments = try Row.fetchAll(db, sql: "SELECT * FROM segments WHERE session_id = ? ORDER BY started_at, id", arguments: [found]).map { g in
                SessionDetail.SegmentRecord(index: g["idx"], role: g["role"], direction: g["direction"], speedKmh: g["speed_kmh"],
                                            inclinePct: g["incline_pct"], plannedS: g["planned_s"], startedAt: g["started_at"], endedAt: g["ended_at"],
                                            forwardS: g["forward_s"], reverseS: g["reverse_s"], forwardM: g["forward_m"], reverseM: g["reverse_m"],
                                            kcalEstimate: g["kcal"], outcome: g["outcome"])
            }
            let events = try Row.fetchAll(db, sql: "SELECT at, kind, code, message FROM session_events WHERE session_id = ? ORDER BY id", arguments: [found]).map { e in
                SessionDetail.SessionEvent(at: e["at"], kind: e["kind"], code: e["code"], message: e["message"])
            }
            return SessionDetail(session: info, title: row["title"], plannedReverseS: row["planned_reverse_s"], updatedAt: row["updated_at"],
                                 segments: segments, events: events)
        }
    }
}
