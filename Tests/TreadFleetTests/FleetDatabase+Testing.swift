import Foundation
import PostgresNIO
import Testing
import TreadFleet

/// Runs `body` against a fresh database on the suite's server, migrated unless asked not
/// to, and closes the connection however `body` ends (PostgresNIO traps on an unclosed one).
func withFreshDatabase(migrated: Bool = true, _ body: (FleetDatabase, PostgresServer) async throws -> Void) async throws {
    let server = try #require(PostgresServer.current, "the suite needs the .postgres trait")
    let database = FleetDatabase(configuration: try await server.makeDatabase())
    do {
        if migrated { try await database.migrate() }
        try await body(database, server)
        await database.close()
    } catch {
        await database.close()
        throw error
    }
}

extension FleetDatabase {
    /// One integer from a query such as `SELECT count(*) FROM sessions`.
    func count(_ sql: String) async throws -> Int {
        try await withConnection { connection, logger in
            var value = 0
            for try await n in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) { value = n }
            return value
        }
    }

    /// Rows counted in each of the stored tables: what a dead-lettered message must not touch.
    func storedRowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["machines", "sessions", "faults", "machine_counters"] {
            counts[table] = try await count("SELECT count(*) FROM \(table)")
        }
        return counts
    }
}
