import Foundation
import Testing
import TreadFleet
import TreadProtocol

extension FleetPostgresTests {
    /// Each machine numbers its outbox 1, 2, 3, ...; the ingest notices a number that never
    /// came and, once the hole is older than the grace, names the machine and the first
    /// missing seq, once per grace; the hole closes when the entry arrives.
    @Suite struct SequenceGaps {
        @Test func aHoleIsAskedForAfterTheGraceAndClosesWhenTheEntryArrives() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                for seq: Int64 in [1, 3, 4] {
                    let outcome = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(seq: seq))
                    guard case .stored = outcome else { Issue.record("seq \(seq): \(outcome)"); return }
                }
                #expect(try await database.resendsDue(grace: .seconds(3600)).isEmpty, "a hole younger than the grace is left alone")
                let due = try await database.resendsDue(grace: .zero)
                #expect(due == [DueResend(site: "gym1", machine: "tm1", request: FleetResendRequest(fromSeq: 2))])
                #expect(due.first?.topic == "treadfleet/resend/gym1/tm1")
                #expect(try await database.resendsDue(grace: .seconds(3600)).isEmpty, "asked once per grace")

                // The resend brings 2, 3 and 4 again: 2 fills the hole, 3 and 4 are duplicates.
                for seq: Int64 in [2] {
                    guard case .stored = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(seq: seq)) else {
                        Issue.record("seq \(seq) not stored"); return
                    }
                }
                #expect(try await database.resendsDue(grace: .zero).isEmpty, "no hole once 2 is in")
                #expect(try await database.count("SELECT contiguous_seq FROM machines WHERE machine = 'tm1'") == 4)
                #expect(try await database.count("SELECT count(*) FROM received_seqs") == 0, "seqs under the mark are forgotten")
            }
        }

        @Test func aRedeliveredOrStaleEntryAlsoFillsItsSeqAndMachinesAreApart() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let first = UUID()
                _ = await ingest.ingest(topic: Payloads.topic("counters"), payload: Payloads.counters(id: first, seq: 1, at: 2_000, beltM: 10))
                _ = await ingest.ingest(topic: Payloads.topic("counters"), payload: Payloads.counters(seq: 3, at: 3_000, beltM: 30))
                _ = await ingest.ingest(topic: Payloads.topic(machine: "tm2"), payload: Payloads.session(machine: "tm2", seq: 1))
                #expect(try await database.resendsDue(grace: .zero).map(\.machine) == ["tm1"], "tm2 has no hole")
                // seq 2 is a counters snapshot older than the one kept: stale, but received.
                let stale = await ingest.ingest(topic: Payloads.topic("counters"), payload: Payloads.counters(seq: 2, at: 2_500, beltM: 20))
                guard case .stale = stale else { Issue.record("\(stale)"); return }
                #expect(try await database.count("SELECT contiguous_seq FROM machines WHERE machine = 'tm1'") == 3)
                #expect(try await database.count("SELECT count(*) FROM machines WHERE gap_since IS NOT NULL") == 0)
            }
        }
    }
}
