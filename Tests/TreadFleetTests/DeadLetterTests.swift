import Foundation
import PostgresNIO
import Testing
import TreadFleet
import TreadProtocol

/// One refused message: where it came, what it held and the reason it must be given.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var topic: String
    var payload: [UInt8]
    var expected: @Sendable (IngestRejection) -> Bool
    var testDescription: String { name }

    init(_ name: String, topic: String = Payloads.topic(), payload: [UInt8], expected: IngestRejection) {
        self.init(name, topic: topic, payload: payload) { $0 == expected }
    }

    init(_ name: String, topic: String = Payloads.topic(), payload: [UInt8], matching: @escaping @Sendable (IngestRejection) -> Bool) {
        self.name = name; self.topic = topic; self.payload = payload; self.expected = matching
    }

    static let all: [BadInput] = {
        let session = Payloads.session()
        let huge = Payloads.session(title: String(repeating: "x", count: FleetSchema.maxPayloadBytes))
        return [
            BadInput("over the size limit", payload: huge, expected: .tooLarge(bytes: huge.count, limit: FleetSchema.maxPayloadBytes)),
            BadInput("not JSON", payload: Array("session, finished {".utf8)) {
                if case .notJSON = $0 { return true } else { return false }
            },
            BadInput("JSON but not an object", payload: Array("[1, 2]".utf8), expected: .notJSON("not a JSON object")),
            BadInput("a body key missing", payload: Payloads.edited(session) { envelope in
                var body = envelope["body"] as! [String: Any]
                body["started_at"] = nil
                envelope["body"] = body
            }, expected: .undecodable(key: "body.started_at", detail: "missing")),
            BadInput("an envelope key of the wrong type", payload: Payloads.edited(session) { $0["seq"] = "seven" }) {
                if case .undecodable(key: "seq", _) = $0 { return true } else { return false }
            },
            BadInput("a newer schema", payload: Payloads.edited(session) { $0["v"] = 2 }, expected: .unknownVersion(2)),
            BadInput("an unknown kind", payload: Payloads.edited(session) { $0["kind"] = "weather" }, expected: .unknownKind("weather")),
            BadInput("a kind not matching the topic", topic: Payloads.topic("faults"), payload: session,
                     expected: .kindMismatchesTopic(kind: "session", topicLeaf: "faults")),
            BadInput("another site than the topic's", topic: Payloads.topic(site: "gym2"), payload: session,
                     expected: .sourceMismatchesTopic(envelope: "gym1/tm1", topic: "gym2/tm1")),
            BadInput("another machine than the topic's", topic: Payloads.topic(machine: "tm9"), payload: session,
                     expected: .sourceMismatchesTopic(envelope: "gym1/tm1", topic: "gym1/tm9")),
            BadInput("an id that is not a UUID", payload: Payloads.edited(session) { $0["id"] = "session-17" },
                     expected: .notUUID(key: "id", value: "session-17")),
            BadInput("a fault's session id that is not a UUID", topic: Payloads.topic("faults"),
                     payload: Payloads.fault(at: 1_000, code: "overspeed", sessionID: "17"),
                     expected: .notUUID(key: "body.session_id", value: "17")),
            BadInput("a topic that is not a machine's", topic: "treadd/gym1/sessions", payload: session,
                     expected: .badTopic("treadd/gym1/sessions")),
        ]
    }()
}

extension FleetPostgresTests {
    @Suite struct DeadLetters {
        @Test(arguments: BadInput.all)
        func badInputLandsInDeadLettersWithItsReasonAndNothingElseIsStored(_ input: BadInput) async throws {
            try await withFreshDatabase { (database, _) async throws in
                let outcome = await FleetIngest(database: database).ingest(topic: input.topic, payload: input.payload)
                guard case .deadLettered(let rejection) = outcome else { Issue.record("\(outcome)"); return }
                #expect(input.expected(rejection), "rejected as \(rejection)")
                let rows = try await database.withConnection { connection, logger in
                    var rows: [(String, String, ByteBuffer)] = []
                    for try await row in try await connection.query("SELECT topic, reason, payload FROM dead_letters", logger: logger)
                        .decode((String, String, ByteBuffer).self) { rows.append(row) }
                    return rows
                }
                #expect(rows.count == 1)
                #expect(rows.first?.0 == input.topic)
                #expect(rows.first?.1 == rejection.description)
                #expect(rows.first.map { Array($0.2.readableBytesView) } == input.payload, "the payload is kept byte for byte")
                #expect(try await database.storedRowCounts() == ["machines": 0, "sessions": 0, "faults": 0, "machine_counters": 0])
            }
        }
    }
}
