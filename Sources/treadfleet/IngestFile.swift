import ArgumentParser
import Foundation
import TreadFleet

struct IngestFile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingests one payload from a file, as if it had arrived on --topic.",
        discussion: """
            For replaying a dead letter once its cause is fixed, or feeding a test message. The
            payload goes through the same checks as one from the broker: refused, it lands in
            dead_letters (exit 65); PostgreSQL unreachable, nothing is written (exit 69).

            Example:
              psql -XAtc "SELECT encode(payload, 'escape') FROM dead_letters WHERE id = 7" > m.json
              treadfleet ingest-file --topic treadd/gym1/tm2/sessions m.json
            """)

    @Option(help: "The topic it arrived on: treadd/<site>/<machine>/<sessions|faults|counters>.")
    var topic: String

    @Argument(help: "The payload: one envelope, JSON.")
    var file: String

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let payload: [UInt8]
        do {
            payload = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw FleetCLIError.unreadable(path: file, reason: (error as NSError).localizedDescription)
        }
        let topic = topic
        let outcome = try await connection.withDatabase { database throws(FleetDatabaseError) in
            await FleetIngest(database: database).ingest(topic: topic, payload: payload)
        }
        switch outcome {
        case .stored, .duplicate, .stale, .clockWentBack: print(outcome.description)
        case .deadLettered(let reason): throw FleetCLIError.deadLettered(reason)
        case .unavailable(let error): throw FleetCLIError.database(error)
        }
    }
}
