import ArgumentParser
import Foundation

@main
struct Treadfleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadfleet",
        abstract: "The fleet's central store: sessions, faults and counters from every treadmill, in PostgreSQL.",
        discussion: """
            Connects to PostgreSQL with --pg-host, --pg-port, --pg-user, --pg-database and
            --pg-password-file, or $TREADFLEET_PG_HOST, $TREADFLEET_PG_PORT, $TREADFLEET_PG_USER,
            $TREADFLEET_PG_DATABASE and $TREADFLEET_PG_PASSWORD_FILE (an option wins over the
            environment). Defaults: 127.0.0.1:5432, user and database treadfleet, no password.
            A password is never taken on the command line.

            Exit codes:
            \(FleetExitStatus.table)

            Examples:
              treadfleet serve --mqtt-host mqtt.chain.example --mqtt-ca-file /etc/treadfleet/ca.pem
              treadfleet migrate
              treadfleet machines --service-interval-km 3000
              treadfleet members show alice --json
              treadfleet ingest-file --topic treadd/gym1/tm2/sessions session.json
            """,
        subcommands: [Serve.self, Migrate.self, Members.self, Machines.self, IngestFile.self])

    /// Own errors exit with their documented status and a one-line message; the parser's
    /// (usage, --help) are left to ArgumentParser.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as FleetCLIError {
            FileHandle.standardError.write(Data("treadfleet: \(error)\n".utf8))
            Foundation.exit(error.exitStatus.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
