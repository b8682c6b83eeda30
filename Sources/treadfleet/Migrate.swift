import ArgumentParser
import TreadFleet

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Creates or updates the schema (safe to run again; serve does it at startup).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let (applied, all) = try await connection.withDatabase { database throws(FleetDatabaseError) in
            (try await database.migrate(), try await database.appliedMigrations())
        }
        if applied.isEmpty {
            print("Schema up to date (version \(all.max() ?? 0)).")
        } else {
            print("Applied migration\(applied.count == 1 ? "" : "s") \(applied.map(String.init).joined(separator: ", ")); schema at version \(all.max() ?? 0).")
        }
    }
}
