import Foundation
import PostgresNIO
import TreadProtocol

/// The central ingest: one call per message received from the broker.
///
/// Sessions and faults are inserted by their UUID (`ON CONFLICT (id) DO NOTHING`), so a
/// message delivered twice is stored once. Counters keep only the newest snapshot per
/// machine by its `at`. Every stored message also marks its machine as seen. A message that
/// cannot be used goes to `dead_letters`; PostgreSQL being away is reported as
/// `.unavailable` and writes nothing.
public struct FleetIngest: Sendable {
    public let database: FleetDatabase

    public init(database: FleetDatabase) {
        self.database = database
    }

    /// Validates, then stores or dead-letters one message. Never throws: the outcome says
    /// whether to acknowledge it (`isFinal`).
    public func ingest(topic: String, payload: [UInt8]) async -> IngestOutcome {
        switch FleetMessageDecoder.decode(topic: topic, payload: payload) {
        case .failure(let rejection):
            return await deadLetter(topic: topic, payload: payload, rejection: rejection)
        case .success(let decoded):
            do {
                return try await store(decoded.message, id: decoded.id)
            } catch let error where error.isCausedByData {
                return await deadLetter(topic: topic, payload: payload, rejection: .refusedByDatabase(error.description))
            } catch {
                return .unavailable(error)
            }
        }
    }

    private func deadLetter(topic: String, payload: [UInt8], rejection: IngestRejection) async -> IngestOutcome {
        do {
            try await database.withConnection { connection, logger in
                try await connection.query("""
                    INSERT INTO dead_letters (topic, reason, payload)
                    VALUES (\(topic), \(rejection.description), \(ByteBuffer(bytes: payload)))
                    """, logger: logger)
            }
            return .deadLettered(rejection)
        } catch {
            // Not even the dead letter could be written: leave the message with the broker.
            return .unavailable(error)
        }
    }

    private func store(_ message: FleetMessage, id: UUID) async throws(FleetDatabaseError) -> IngestOutcome {
        try await database.transaction { connection, logger in
            let outcome: IngestOutcome
            let site: String, machine: String, seq: Int64
            switch message {
            case .session(let envelope):
                (site, machine, seq) = (envelope.site, envelope.machine, envelope.seq)
                let written = try await Self.insert(session: envelope, id: id, on: connection, logger: logger)
                outcome = written ? .stored(.session, id) : .duplicate(.session, id)
            case .fault(let envelope):
                (site, machine, seq) = (envelope.site, envelope.machine, envelope.seq)
                let written = try await Self.insert(fault: envelope, id: id, on: connection, logger: logger)
                outcome = written ? .stored(.fault, id) : .duplicate(.fault, id)
            case .counters(let envelope):
                (site, machine, seq) = (envelope.site, envelope.machine, envelope.seq)
                if try await Self.upsert(counters: envelope, id: id, on: connection, logger: logger) {
                    outcome = .stored(.counters, id)
                } else {
                    let kept = try await Self.keptCounters(site: site, machine: machine, on: connection, logger: logger)
                    outcome = kept?.id == id ? .duplicate(.counters, id)
                        : (kept.map { seq > $0.seq } ?? false) ? .clockWentBack(.counters, id) : .stale(.counters, id)
                }
            }
            // Every final outcome counts as the seq received, so a redelivery also fills a hole.
            let stored = if case .stored = outcome { true } else { false }
            try await Self.received(site: site, machine: machine, seq: seq, stored: stored, on: connection, logger: logger)
            return outcome
        }
    }
}
