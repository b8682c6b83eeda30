import Foundation
import PostgresNIO
import Testing
import TreadFleet
import TreadProtocol

extension FleetPostgresTests {
    @Suite struct Ingest {
        @Test func aSessionIngestedTwiceIsOneRowAndTheSecondIsADuplicate() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let id = UUID()
                let payload = Payloads.session(id: id)
                let first = await ingest.ingest(topic: Payloads.topic(), payload: payload)
                let second = await ingest.ingest(topic: Payloads.topic(), payload: payload)
                guard case .stored(.session, id) = first else { Issue.record("first: \(first)"); return }
                guard case .duplicate(.session, id) = second else { Issue.record("second: \(second)"); return }
                #expect(try await database.count("SELECT count(*) FROM sessions") == 1)
                #expect(try await database.count("SELECT count(*) FROM sessions WHERE id = '\(id.uuidString)' AND member = 'alice'"
                    + " AND machine = 'tm1' AND reverse_s = 300 AND notes->>'rail_release' = '1'"
                    + " AND segments->0->>'role' = 'work'") == 1)
                #expect(try await database.count("SELECT count(*) FROM machines WHERE site = 'gym1' AND machine = 'tm1'") == 1)
                #expect(try await database.count("SELECT count(*) FROM dead_letters") == 0)
            }
        }

        @Test func aFaultIsStoredOnceWithItsSession() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let session = UUID().uuidString.lowercased()
                let payload = Payloads.fault(at: 1_796_000_000, code: "overspeed", sessionID: session)
                guard case .stored(.fault, _) = await ingest.ingest(topic: Payloads.topic("faults"), payload: payload) else {
                    Issue.record("not stored"); return
                }
                guard case .duplicate(.fault, _) = await ingest.ingest(topic: Payloads.topic("faults"), payload: payload) else {
                    Issue.record("not a duplicate"); return
                }
                #expect(try await database.count("SELECT count(*) FROM faults WHERE session_id = '\(session)' AND code = 'overspeed'") == 1)
            }
        }

        @Test func anOlderCountersSnapshotDoesNotRollTheOdometerBack() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let topic = Payloads.topic("counters")
                let newer = UUID(), older = UUID(), newest = UUID()
                let newerPayload = Payloads.counters(id: newer, seq: 20, at: 2_000, beltM: 100_000)
                guard case .stored(.counters, newer) = await ingest.ingest(topic: topic, payload: newerPayload) else {
                    Issue.record("newer not stored"); return
                }
                let late = await ingest.ingest(topic: topic, payload: Payloads.counters(id: older, seq: 10, at: 1_000, beltM: 50_000))
                guard case .stale(.counters, older) = late else { Issue.record("older: \(late)"); return }
                let again = await ingest.ingest(topic: topic, payload: newerPayload)
                guard case .duplicate(.counters, newer) = again else { Issue.record("redelivered: \(again)"); return }
                #expect(try await database.count("SELECT belt_m::bigint FROM machine_counters") == 100_000)

                guard case .stored(.counters, newest) = await ingest.ingest(
                    topic: topic, payload: Payloads.counters(id: newest, seq: 30, at: 3_000, beltM: 120_000)) else {
                    Issue.record("newest not stored"); return
                }
                #expect(try await database.count("SELECT belt_m::bigint FROM machine_counters") == 120_000)
                #expect(try await database.count("SELECT count(*) FROM machine_counters") == 1)

                // Later in the sequence, earlier by the clock: the machine's clock went back.
                let afterJump = UUID()
                let jumped = await ingest.ingest(topic: topic, payload: Payloads.counters(id: afterJump, seq: 31, at: 2_500, beltM: 121_000))
                guard case .clockWentBack(.counters, afterJump) = jumped else { Issue.record("after the jump: \(jumped)"); return }
                #expect(try await database.count("SELECT belt_m::bigint FROM machine_counters") == 120_000)
            }
        }

        @Test func textPostgreSQLRefusesIsDeadLetteredNotRetried() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let payload = Payloads.session(title: "bad\u{0}title")
                let outcome = await FleetIngest(database: database).ingest(topic: Payloads.topic(), payload: payload)
                guard case .deadLettered(.refusedByDatabase(let detail)) = outcome else { Issue.record("\(outcome)"); return }
                #expect(detail.contains("22"), "names the SQLSTATE: \(detail)")
                #expect(try await database.count("SELECT count(*) FROM dead_letters") == 1)
                #expect(try await database.storedRowCounts().values.allSatisfy { $0 == 0 })
            }
        }

        /// Every fourth session is refused by PostgreSQL inside its transaction. Were two
        /// transactions to interleave on the connection, that rollback would take the others'
        /// rows with it (or abort them): each good session must still be stored, once.
        @Test func concurrentIngestsTakeTurnsOnTheOneConnection() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let outcomes = await withTaskGroup(of: IngestOutcome.self) { group in
                    for seq in 1...24 {
                        group.addTask {
                            let title = seq % 4 == 0 ? "poisoned\u{0}" : "Reverse intervals"
                            return await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(seq: Int64(seq), title: title))
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let stored = outcomes.filter { if case .stored = $0 { true } else { false } }
                let refused = outcomes.filter { if case .deadLettered(.refusedByDatabase) = $0 { true } else { false } }
                #expect(stored.count == 18, "\(outcomes.filter { !$0.isFinal })")
                #expect(refused.count == 6)
                let rows = try await database.count("SELECT count(*) FROM sessions")
                #expect(rows == 18)
                let letters = try await database.count("SELECT count(*) FROM dead_letters")
                #expect(letters == 6)
            }
        }
    }
}
