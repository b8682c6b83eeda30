import ArgumentParser
import Foundation
import TreadFleet

/// Where PostgreSQL is, shared by every subcommand with `@OptionGroup`. Each option falls back
/// to its `TREADFLEET_PG_*` variable, then a default; the password only ever from a file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "PostgreSQL host ($TREADFLEET_PG_HOST, default 127.0.0.1).")
    var pgHost: String?

    @Option(help: "PostgreSQL port ($TREADFLEET_PG_PORT, default 5432).")
    var pgPort: Int?

    @Option(help: "PostgreSQL user ($TREADFLEET_PG_USER, default treadfleet).")
    var pgUser: String?

    @Option(help: "PostgreSQL database ($TREADFLEET_PG_DATABASE, default treadfleet).")
    var pgDatabase: String?

    @Option(help: ArgumentHelp("File holding the password, first line ($TREADFLEET_PG_PASSWORD_FILE; default: none).",
                               valueName: "path"))
    var pgPasswordFile: String?

    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(FleetCLIError) -> FleetDatabaseConfiguration {
        let port: Int
        if let pgPort {
            port = pgPort
        } else if let text = environment["TREADFLEET_PG_PORT"] {
            guard let parsed = Int(text) else { throw .badSetting("TREADFLEET_PG_PORT=\(text) is not a port number") }
            port = parsed
        } else {
            port = 5432
        }
        guard (1...65535).contains(port) else { throw .badSetting("port \(port) is out of range 1-65535") }
        var password: String?
        if let path = pgPasswordFile ?? environment["TREADFLEET_PG_PASSWORD_FILE"] {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            } catch {
                throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
            }
        }
        return FleetDatabaseConfiguration(
            host: pgHost ?? environment["TREADFLEET_PG_HOST"] ?? "127.0.0.1", port: port,
            user: pgUser ?? environment["TREADFLEET_PG_USER"] ?? "treadfleet",
            database: pgDatabase ?? environment["TREADFLEET_PG_DATABASE"] ?? "treadfleet", password: password)
    }

    /// Runs `body` with an open database, closed afterwards whatever happens.
    func withDatabase<T: Sendable>(_ body: (FleetDatabase) async throws(FleetDatabaseError) -> T) async throws(FleetCLIError) -> T {
        let database = FleetDatabase(configuration: try configuration())
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw .database(error)
        }
    }
}
