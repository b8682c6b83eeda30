import Foundation
import GRDB
import TreadProtocol

/// The fleet's outbox: every finished or interrupted session, latched fault and published
/// counters snapshot, written in the same transaction as the history rows it reports, so the
/// fleet can never miss one the history has (or hear of one it has not). Each entry has a
/// stable UUID (a session's own id) and the table's sequence number; treadsync publishes them
/// in order and remembers what the broker acknowledged (docs/fleet.md). treadd never reads it back.
enum Outbox {
    static func add<Body: Encodable>(_ kind: FleetKind, id: String, at: Double, _ body: Body, _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload = String(decoding: try encoder.encode(body), as: UTF8.self)
        // A session reported twice (ended, then found running at the next start-up cannot
        // happen; a retried batch can) keeps its first entry: the UUID is the key downstream.
        try db.execute(sql: "INSERT OR IGNORE INTO outbox (id, kind, created_at, payload) VALUES (?, ?, ?, ?)",
                       arguments: [id, kind.rawValue, at, payload])
    }

    /// Composes the session's report from what the history holds of it now.
    static func addSession(_ id: String, _ db: Database) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id = ?", arguments: [id]) else { return }
        let segments = try Row.fetchAll(db, sql: "SELECT * FROM segments WHERE session_id = ? ORDER BY id", arguments: [id]).map {
            FleetSession.Segment(index: $0["idx"], role: $0["role"], direction: $0["direction"], speedKmh: $0["speed_kmh"],
                                 plannedS: $0["planned_s"], forwardS: $0["forward_s"], reverseS: $0["reverse_s"],
                                 forwardM: $0["forward_m"], reverseM: $0["reverse_m"], outcome: $0["outcome"])
        }
        var notes: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM session_events WHERE session_id = ? GROUP BY kind",
                                  arguments: [id]) {
            notes[r["kind"]] = r["n"]
        }
        let ended: Double? = row["ended_at"]
        let session = FleetSession(
            program: row["program"], title: row["title"], member: row["member"], startedAt: row["started_at"], endedAt: ended,
            outcome: row["outcome"], plannedS: row["planned_s"], forwardS: row["forward_s"], reverseS: row["reverse_s"],
            forwardM: row["forward_m"], reverseM: row["reverse_m"], kcalEstimate: row["kcal"], segments: segments, notes: notes)
        try add(.session, id: id, at: ended ?? row["updated_at"], session, db)
    }

    static func persistedCounters(_ db: Database) throws -> MachineCounters {
        guard let text = try String.fetchOne(db, sql: "SELECT counters FROM machine_counters WHERE id = 1") else {
            return MachineCounters()
        }
        return try JSONDecoder().decode(MachineCounters.self, from: Data(text.utf8))
    }

    /// Replaces the persisted counters (absolute values: a dropped or repeated record cannot
    /// make them drift) and, when asked, queues a snapshot for the fleet.
    static func persist(counters: MachineCounters, at: Double, publish: Bool, _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(counters), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO machine_counters (id, updated_at, counters) VALUES (1, ?, ?)
            ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, counters = excluded.counters
            """, arguments: [at, text])
        if publish {
            try add(.counters, id: UUID().uuidString.lowercased(), at: at, FleetCounters(at: at, counters: counters), db)
        }
    }
}
