import ArgumentParser
import Foundation
import TreadFleet

struct MembersShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "A member's sessions from every machine, newest first, with weekly totals.",
        discussion: """
            Weeks start on Monday 00:00 UTC. Backwards is the share of moving time spent on a
            reversed belt.

            Example:
              treadfleet members show alice --json
            """)

    @Argument(help: "The member's name, as the machines record it.")
    var name: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let name = name
        let report = try await connection.withDatabase { database throws(FleetDatabaseError) in
            try await database.memberReport(name: name)
        }
        if json {
            print(String(decoding: try FleetJSON.encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text, terminator: "")
        }
    }
}
