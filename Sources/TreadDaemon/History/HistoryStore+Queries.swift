import Foundation
import GRDB
import TreadCore
import TreadProtocol
import TreadTraining

/// Reads and member edits. Called from the history desk's queue only (they touch the disk).
extension HistoryStore {
    public func addMember(_ m: Member, at now: Double = Date().timeIntervalSince1970) throws(HistoryQueryError) {
        try run { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM members WHERE name = ?", arguments: [m.name]) != nil {
                throw HistoryQueryError.member(.exists(m.name))
            }
            try db.execute(sql: "INSERT INTO members (name, body_mass_kg, level, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [m.name, m.bodyMassKg, m.level.rawValue, now])
        }
    }

    public func members() throws(HistoryQueryError) -> [Member] {
        try run { db in
            try Row.fetchAll(db, sql: "SELECT name, body_mass_kg, level FROM members ORDER BY name COLLATE NOCASE").compactMap { r in
                try? Member(name: r["name"], bodyMassKg: r["body_mass_kg"], level: Member.Level(rawValue: r["level"]) ?? .beginner)
            }
        }
    }

    /// The member of that name (case-insensitive), or `unknown` listing the known ones.
    public func member(named name: String) throws(HistoryQueryError) -> Member {
        let all = try members()
        if let m = all.first(where: { $0.name.lowercased() == name.lowercased() }) { return m }
        throw .member(.unknown(name, known: all.map(\.name)))
    }

    /// Training time of the last 7 days and the 7 before, and the longest session of the last
    /// 30: this machine's sessions and `fleet`'s (the member's sessions on every machine, as
    /// treadsync last kept them), each session once by its id.
    public func recentLoad(member: String, now: Double = Date().timeIntervalSince1970,
                           fleet: [FleetMemberSummary.Session] = []) throws(HistoryQueryError) -> TrainingLoad.Recent {
        try run { db in
            let since = now - max(TrainingLoad.recentWindow.inSeconds, 14 * 86_400)
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, started_at, forward_s + reverse_s AS moving FROM sessions
                WHERE member = ? COLLATE NOCASE AND started_at >= ?
                """, arguments: [member, since])
            var seen = Set<String>()
            var past: [TrainingLoad.Past] = []
            for r in rows {
                seen.insert((r["id"] as String).lowercased())
                past.append(.init(startedAt: r["started_at"], moving: .fractionalSeconds(r["moving"] as Double)))
            }
            for f in fleet where f.startedAt >= since && f.movingS.isFinite && f.movingS >= 0 && !seen.contains(f.id.lowercased()) {
                seen.insert(f.id.lowercased())
                past.append(.init(startedAt: f.startedAt, moving: .fractionalSeconds(f.movingS)))
            }
            return TrainingLoad.Recent(sessions: past, now: now)
        }
    }

    public func sessions(member: String?, limit: Int) throws(HistoryQueryError) -> [SessionInfo] {
        try run { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM segments g WHERE g.session_id = s.id) AS segment_count
                FROM sessions s WHERE (? IS NULL OR s.member = ? COLLATE NOCASE)
                ORDER BY s.started_at DESC LIMIT ?
                """, arguments: [member, member, limit])
            return try rows.map { try Self.sessionInfo($0, db) }
        }
    }

    /// A `sessions` row with its `segment_count`, and its events as notes.
    static func sessionInfo(_ r: Row, _ db: Database) throws -> SessionInfo {
        let id: String = r["id"]
        let notes = try Row.fetchAll(db, sql: "SELECT kind, message FROM session_events WHERE session_id = ? ORDER BY id",
                                     arguments: [id]).map { "\($0["kind"] as String): \($0["message"] as String)" }
        return SessionInfo(id: id, program: r["program"], member: r["member"], startedAt: r["started_at"], endedAt: r["ended_at"],
                           outcome: r["outcome"], plannedS: r["planned_s"], forwardS: r["forward_s"], reverseS: r["reverse_s"],
                           forwardM: r["forward_m"], reverseM: r["reverse_m"], kcalEstimate: r["kcal"],
                           segments: r["segment_count"], notes: notes)
    }

    /// Totals per calendar week (weeks start on Monday, local time), newest first.
    public func weeklyTotals(member: String?) throws(HistoryQueryError) -> [WeekTotals] {
        try run { db in
            try Row.fetchAll(db, sql: """
                SELECT date(started_at, 'unixepoch', 'localtime', 'weekday 0', '-6 days') AS week,
                       COUNT(*) AS n, SUM(forward_s + reverse_s) AS moving, SUM(reverse_s) AS rev_s,
                       SUM(forward_m) AS fm, SUM(reverse_m) AS rm, SUM(kcal) AS kcal
                FROM sessions WHERE (? IS NULL OR member = ? COLLATE NOCASE)
                GROUP BY week ORDER BY week DESC
                """, arguments: [member, member]).map { r in
                let moving: Double = r["moving"] ?? 0
                let rev: Double = r["rev_s"] ?? 0
                return WeekTotals(week: r["week"], sessions: r["n"], movingS: moving, forwardM: r["fm"] ?? 0, reverseM: r["rm"] ?? 0,
                                  reverseShare: moving > 0 ? rev / moving : 0, kcalEstimate: r["kcal"])
            }
        }
    }

    func run<T>(_ body: (Database) throws -> T) throws(HistoryQueryError) -> T {
        do {
            return try db.write { try body($0) }
        } catch let e as HistoryQueryError {
            throw e
        } catch {
            throw .database(HistoryError(path: path, underlying: error))
        }
    }
}

public enum HistoryQueryError: Error, Sendable, CustomStringConvertible {
    case member(MemberError)
    case database(HistoryError)
    /// No session has that id (or starts with that prefix).
    case unknownSession(String)
    /// The prefix starts more than one session's id.
    case ambiguousSession(String, matches: Int)

    public var code: String {
        switch self {
        case .member(let e): return e.code
        case .database: return "history_unavailable"
        case .unknownSession, .ambiguousSession: return "unknown_session"
        }
    }

    public var description: String {
        switch self {
        case .member(let e): return e.description
        case .database(let e): return e.description
        case .unknownSession(let id):
            return "no session '\(id)' in the history; `treadctl history` lists the sessions with the first 8 characters of their ids"
        case .ambiguousSession(let id, let n):
            return "'\(id)' starts the ids of \(n) sessions; give more of the id (`treadctl history --json` shows them whole)"
        }
    }
}
