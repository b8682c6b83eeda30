import ArgumentParser
import Foundation
import TreadFleet

struct Machines: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every machine: last seen, sessions, belt distance, running hours, faults of the last 7 days, maintenance.",
        discussion: """
            The time since a belt's last service is not recorded, so maintenance falls due each
            time the belt distance passes a multiple of --service-interval-km.

            Example:
              treadfleet machines --service-interval-km 3000 --json
            """)

    @Option(help: "Belt distance between services, in km.")
    var serviceIntervalKm: Double = ServiceInterval.default.km

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard serviceIntervalKm > 0 else { throw ValidationError("--service-interval-km must be more than 0") }
    }

    func run() async throws {
        let interval = ServiceInterval(km: serviceIntervalKm)
        let report = try await connection.withDatabase { database throws(FleetDatabaseError) in
            try await database.machinesReport(now: Date(), serviceInterval: interval)
        }
        if json {
            print(String(decoding: try FleetJSON.encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text, terminator: "")
        }
    }
}
