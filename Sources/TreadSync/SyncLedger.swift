import Foundation
import GRDB

/// What the broker has acknowledged, in treadsync's own SQLite file: a watermark (every entry
/// up to it is acknowledged) and the few acknowledged above it (PUBACKs may come out of
/// order). Written with `synchronous = FULL` after each PUBACK, so a treadsync killed at any
/// moment republishes at most what was in flight, never skips an entry.
public final class SyncLedger {
    public let path: String
    private let db: DatabaseQueue
    public private(set) var watermark: Int64 = 0
    public private(set) var ackedAbove: Set<Int64> = []

    public init(path: String) throws(SyncError) {
        self.path = path
        var config = Configuration()
        config.journalMode = .wal
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            db = try DatabaseQueue(path: path, configuration: config)
            var m = DatabaseMigrator()
            m.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE watermark (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
                    INSERT INTO watermark VALUES (1, 0);
                    CREATE TABLE acked (seq INTEGER PRIMARY KEY, acked_at REAL NOT NULL);
                    """)
            }
            try m.migrate(db)
            (watermark, ackedAbove) = try db.read { db in
                (try Int64.fetchOne(db, sql: "SELECT seq FROM watermark") ?? 0,
                 Set(try Int64.fetchAll(db, sql: "SELECT seq FROM acked")))
            }
        } catch {
            throw .ledger(path: path, message: "\(error)")
        }
    }

    public func isAcknowledged(_ seq: Int64) -> Bool { seq <= watermark || ackedAbove.contains(seq) }

    /// Records a PUBACK durably and moves the watermark over every contiguous acknowledged
    /// entry (treadd's outbox numbers them without gaps: SQLite's AUTOINCREMENT in the same
    /// transaction as the row, so a rolled-back write takes its number back).
    public func acknowledge(_ seq: Int64, at: Double) throws(SyncError) {
        guard !isAcknowledged(seq) else { return }
        var acked = ackedAbove
        acked.insert(seq)
        var mark = watermark
        while acked.remove(mark + 1) != nil { mark += 1 }
        let newMark = mark
        do {
            try db.write { db in
                if newMark != watermark {
                    try db.execute(sql: "UPDATE watermark SET seq = ?", arguments: [newMark])
                    try db.execute(sql: "DELETE FROM acked WHERE seq <= ?", arguments: [newMark])
                }
                if seq > newMark { try db.execute(sql: "INSERT OR IGNORE INTO acked VALUES (?, ?)", arguments: [seq, at]) }
            }
        } catch {
            throw .ledger(path: path, message: "\(error)")
        }
        watermark = newMark
        ackedAbove = acked
    }

    /// Forgets acknowledgements from `seq` on, so those entries are published again: the
    /// ingest asked for them (it found a gap), or an operator did.
    public func forget(from seq: Int64) throws(SyncError) {
        let mark = min(watermark, max(0, seq - 1))
        do {
            try db.write { db in
                try db.execute(sql: "UPDATE watermark SET seq = ?", arguments: [mark])
                try db.execute(sql: "DELETE FROM acked WHERE seq >= ?", arguments: [seq])
            }
        } catch {
            throw .ledger(path: path, message: "\(error)")
        }
        watermark = mark
        ackedAbove = ackedAbove.filter { $0 < seq }
    }
}
