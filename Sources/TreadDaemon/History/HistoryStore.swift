import Foundation
import GRDB
import TreadCore
import TreadProtocol

/// The workout history in SQLite (GRDB): sessions, the segments actually run, pauses, rail
/// releases, warnings, faults, and the member profiles. WAL journal with `synchronous=FULL`,
/// so a committed record survives a crash or a power cut.
///
/// Not thread-safe by itself beyond what GRDB's `DatabaseQueue` serialises; every call may
/// block on the disk, so it is only ever called from the history writer's thread or the
/// history reader's queue, never from the control thread or an event loop.
public final class HistoryStore: @unchecked Sendable {
    public let path: String
    let db: DatabaseQueue
    /// Sessions marked interrupted when the database was opened (left running by a crash).
    public private(set) var recoveredSessions = 0
    /// The machine's counters as persisted when the database was opened: what earlier runs of
    /// treadd counted. This run's counts are added to them, so a restart never resets them.
    public private(set) var persistedCounters = MachineCounters()

    public init(path: String) throws(HistoryError) {
        self.path = path
        var config = Configuration()
        config.journalMode = .wal
        // A locked database makes a write fail after 1 s; the writer retries, the control
        // loop never notices.
        config.busyMode = .timeout(1)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            db = try DatabaseQueue(path: path, configuration: config)
            try Self.migrator.migrate(db)
            (recoveredSessions, persistedCounters) = try db.write { db in
                let cut = try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE outcome = 'running'")
                try db.execute(sql: """
                    UPDATE sessions SET outcome = 'interrupted', ended_at = updated_at WHERE outcome = 'running'
                    """)
                try db.execute(sql: "UPDATE segments SET outcome = 'interrupted' WHERE outcome = 'running'")
                // The fleet hears of a session cut short as of any other: in this transaction.
                for id in cut { try Outbox.addSession(id, db) }
                return (cut.count, try Outbox.persistedCounters(db))
            }
        } catch {
            throw HistoryError(path: path, underlying: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE members (
                    name TEXT PRIMARY KEY COLLATE NOCASE,
                    body_mass_kg REAL,
                    level TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    program TEXT NOT NULL,
                    title TEXT NOT NULL,
                    member TEXT,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    updated_at REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    planned_s REAL NOT NULL,
                    planned_reverse_s REAL NOT NULL,
                    forward_s REAL NOT NULL DEFAULT 0,
                    reverse_s REAL NOT NULL DEFAULT 0,
                    forward_m REAL NOT NULL DEFAULT 0,
                    reverse_m REAL NOT NULL DEFAULT 0,
                    kcal REAL
                );
                CREATE INDEX sessions_member ON sessions(member, started_at);
                CREATE TABLE segments (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT NOT NULL REFERENCES sessions(id),
                    idx INTEGER NOT NULL,
                    role TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    speed_kmh REAL NOT NULL,
                    incline_pct REAL,
                    planned_s REAL NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL NOT NULL,
                    forward_s REAL NOT NULL,
                    reverse_s REAL NOT NULL,
                    forward_m REAL NOT NULL,
                    reverse_m REAL NOT NULL,
                    kcal REAL,
                    outcome TEXT NOT NULL
                );
                CREATE INDEX segments_session ON segments(session_id);
                CREATE TABLE session_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    session_id TEXT,
                    at REAL NOT NULL,
                    kind TEXT NOT NULL,
                    code TEXT,
                    message TEXT NOT NULL
                );
                CREATE INDEX session_events_session ON session_events(session_id);
                """)
        }
        m.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    payload TEXT NOT NULL
                );
                CREATE TABLE machine_counters (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    updated_at REAL NOT NULL,
                    counters TEXT NOT NULL
                );
                """)
        }
        return m
    }

    /// Writes a batch in one transaction: all of it or none (then the writer retries it whole).
    public func write(_ records: [HistoryRecord]) throws(HistoryError) {
        do {
            try db.write { db in
                for r in records { try apply(r, db) }
            }
        } catch {
            throw HistoryError(path: path, underlying: error)
        }
    }

    private func apply(_ r: HistoryRecord, _ db: Database) throws {
        let persisted = persistedCounters
        switch r {
        case .sessionStarted(let s):
            try db.execute(sql: """
                INSERT OR IGNORE INTO sessions (id, program, title, member, started_at, updated_at, outcome, planned_s, planned_reverse_s, kcal)
                VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, NULL)
                """, arguments: [s.id, s.program, s.title, s.member, s.at, s.at, s.planned.inSeconds, s.plannedReverse.inSeconds])
        case .segment(let g):
            try db.execute(sql: """
                INSERT INTO segments (session_id, idx, role, direction, speed_kmh, incline_pct, planned_s, started_at, ended_at,
                                      forward_s, reverse_s, forward_m, reverse_m, kcal, outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [g.sessionID, g.index, g.segment.role.rawValue, g.segment.direction.rawValue, g.segment.speed.kmh,
                                 g.segment.incline, g.segment.duration.inSeconds, g.startedAt, g.endedAt,
                                 g.tally.forwardTime.inSeconds, g.tally.reverseTime.inSeconds, g.tally.forwardDistance,
                                 g.tally.reverseDistance, g.tally.energy?.kcal, g.outcome])
        case .checkpoint(let id, let at, let t):
            try Self.updateTotals(db, id: id, at: at, tally: t, outcome: nil)
        case .event(let n):
            try db.execute(sql: "INSERT INTO session_events (session_id, at, kind, code, message) VALUES (?, ?, ?, ?, ?)",
                           arguments: [n.sessionID, n.at, n.kind, n.code, n.message])
            if n.kind == "fault" {
                try Outbox.add(.fault, id: UUID().uuidString.lowercased(), at: n.at,
                               FleetFault(at: n.at, code: n.code ?? "fault", message: n.message, sessionID: n.sessionID), db)
            }
        case .sessionEnded(let id, let at, let outcome, let t):
            try Self.updateTotals(db, id: id, at: at, tally: t, outcome: outcome)
            try Outbox.addSession(id, db)
        case .counters(let at, let live, let publish):
            try Outbox.persist(counters: persisted + live, at: at, publish: publish, db)
        }
    }

    private static func updateTotals(_ db: Database, id: String, at: Double, tally t: SessionTally, outcome: SessionOutcome?) throws {
        try db.execute(sql: """
            UPDATE sessions SET updated_at = ?, forward_s = ?, reverse_s = ?, forward_m = ?, reverse_m = ?, kcal = ?,
                outcome = COALESCE(?, outcome), ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END
            WHERE id = ?
            """, arguments: [at, t.forwardTime.inSeconds, t.reverseTime.inSeconds, t.forwardDistance, t.reverseDistance,
                             t.energy?.kcal, outcome?.rawValue, outcome?.rawValue, at, id])
    }
}

/// A history database that cannot be opened, read or written, naming its path.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    init(path: String, underlying: any Error) {
        self.path = path
        if let e = underlying as? DatabaseError {
            message = "\(e.resultCode): \(e.message ?? "\(e)")"
        } else if let e = underlying as? HistoryError {
            message = e.message
        } else {
            message = "\(underlying)"
        }
    }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "history database \(path): \(message)" }
}
