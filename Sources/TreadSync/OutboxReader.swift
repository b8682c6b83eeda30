import GRDB
import TreadProtocol

/// Reads treadd's outbox (docs/fleet.md) from the history database, read-only: treadsync
/// never writes treadd's file, so a bug here cannot damage the history. treadd keeps every
/// entry; what has been delivered is treadsync's own ledger's business.
public final class OutboxReader {
    public let path: String
    private let db: DatabaseQueue

    public init(path: String) throws(SyncError) {
        self.path = path
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        do { db = try DatabaseQueue(path: path, configuration: config) } catch {
            throw .history(path: path, message: "\(error)")
        }
    }

    /// Entries after `seq`, oldest first. An outbox table that does not exist yet (treadd has
    /// not migrated the file) is an empty outbox, not an error.
    public func entries(after seq: Int64, limit: Int) throws(SyncError) -> [OutboxEntry] {
        do {
            return try db.read { db in
                guard try db.tableExists("outbox") else { return [] }
                return try Row.fetchAll(db, sql: "SELECT seq, id, kind, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                                        arguments: [seq, limit]).map { row in
                    OutboxEntry(seq: row["seq"], id: row["id"], kind: FleetKind(rawValue: row["kind"]), payload: row["payload"])
                }
            }
        } catch {
            throw .history(path: path, message: "\(error)")
        }
    }

    /// The newest sequence number in the outbox (0 when empty).
    public func lastSeq() throws(SyncError) -> Int64 {
        do {
            return try db.read { db in
                guard try db.tableExists("outbox") else { return 0 }
                return try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM outbox") ?? 0
            }
        } catch {
            throw .history(path: path, message: "\(error)")
        }
    }
}
