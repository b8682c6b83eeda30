import Foundation
import Testing
import TreadFleet

extension FleetPostgresTests {
    @Suite struct Outage {
        @Test func aStoppedServerIsUnavailableNotADeadLetterAndTheMessageIsStoredAfterRestart() async throws {
            try await withFreshDatabase { (database, server) async throws in
                let ingest = FleetIngest(database: database)
                guard case .stored = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session()) else {
                    Issue.record("the first session was not stored"); return
                }
                let id = UUID()
                let payload = Payloads.session(id: id)
                try server.stop()
                // The open connection breaks first; the next attempt cannot even connect.
                let onBrokenConnection = await ingest.ingest(topic: Payloads.topic(), payload: payload)
                let onRefusedConnect = await ingest.ingest(topic: Payloads.topic(), payload: payload)
                try server.start()
                for outcome in [onBrokenConnection, onRefusedConnect] {
                    guard case .unavailable(.unavailable(let address, _)) = outcome else { Issue.record("\(outcome)"); continue }
                    #expect(address == "127.0.0.1:\(server.port)")
                    #expect(!outcome.isFinal, "must not be acknowledged")
                }
                let afterRestart = await ingest.ingest(topic: Payloads.topic(), payload: payload)
                guard case .stored(.session, id) = afterRestart else { Issue.record("after restart: \(afterRestart)"); return }
                #expect(try await database.count("SELECT count(*) FROM sessions") == 2)
                #expect(try await database.count("SELECT count(*) FROM dead_letters") == 0)
            }
        }
    }
}
