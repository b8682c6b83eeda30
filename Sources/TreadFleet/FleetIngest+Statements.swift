import Foundation
import Logging
import PostgresNIO
import TreadProtocol

/// The ingest's SQL, one statement per kind; all values are bound, none spliced in.
extension FleetIngest {
    /// True when the row was new.
    static func insert(session envelope: FleetEnvelope<FleetSession>, id: UUID, on connection: PostgresConnection,
                       logger: Logger) async throws -> Bool {
        let s = envelope.body
        let notes = try jsonText(s.notes), segments = try jsonText(s.segments)
        let rows = try await connection.query("""
            INSERT INTO sessions (id, site, machine, seq, member, program, title, started_at, ended_at, outcome,
                planned_s, forward_s, reverse_s, forward_m, reverse_m, kcal, notes, segments)
            VALUES (\(id), \(envelope.site), \(envelope.machine), \(envelope.seq), \(s.member), \(s.program), \(s.title),
                \(Date(timeIntervalSince1970: s.startedAt)), \(s.endedAt.map(Date.init(timeIntervalSince1970:))), \(s.outcome),
                \(s.plannedS), \(s.forwardS), \(s.reverseS), \(s.forwardM), \(s.reverseM), \(s.kcalEstimate),
                \(notes)::jsonb, \(segments)::jsonb)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, logger: logger)
        return try await rows.contains { _ in true }
    }

    static func insert(fault envelope: FleetEnvelope<FleetFault>, id: UUID, on connection: PostgresConnection,
                       logger: Logger) async throws -> Bool {
        let f = envelope.body
        let rows = try await connection.query("""
            INSERT INTO faults (id, site, machine, seq, at, code, message, session_id)
            VALUES (\(id), \(envelope.site), \(envelope.machine), \(envelope.seq), \(Date(timeIntervalSince1970: f.at)),
                \(f.code), \(f.message), \(f.sessionID.flatMap(UUID.init(uuidString:))))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, logger: logger)
        return try await rows.contains { _ in true }
    }

    /// True when this snapshot is now the kept one: there was none, or it is strictly newer.
    static func upsert(counters envelope: FleetEnvelope<FleetCounters>, id: UUID, on connection: PostgresConnection,
                       logger: Logger) async throws -> Bool {
        let c = envelope.body.counters
        let faults = try jsonText(c.faults)
        let rows = try await connection.query("""
            INSERT INTO machine_counters (site, machine, message_id, seq, at, belt_m, reverse_m, running_s,
                direction_changes, rail_releases, drive_comm_errors, faults)
            VALUES (\(envelope.site), \(envelope.machine), \(id), \(envelope.seq), \(Date(timeIntervalSince1970: envelope.body.at)),
                \(c.beltM), \(c.reverseM), \(c.runningS), \(c.directionChanges), \(c.railReleases), \(c.driveCommErrors),
                \(faults)::jsonb)
            ON CONFLICT (site, machine) DO UPDATE
            SET message_id = EXCLUDED.message_id, seq = EXCLUDED.seq, at = EXCLUDED.at, belt_m = EXCLUDED.belt_m,
                reverse_m = EXCLUDED.reverse_m, running_s = EXCLUDED.running_s, direction_changes = EXCLUDED.direction_changes,
                rail_releases = EXCLUDED.rail_releases, drive_comm_errors = EXCLUDED.drive_comm_errors,
                faults = EXCLUDED.faults, received_at = now()
            WHERE machine_counters.at < EXCLUDED.at
            RETURNING message_id
            """, logger: logger)
        return try await rows.contains { _ in true }
    }

    /// The id and seq of the snapshot kept for the machine, if any.
    static func keptCounters(site: String, machine: String, on connection: PostgresConnection, logger: Logger) async throws -> (id: UUID, seq: Int64)? {
        let rows = try await connection.query(
            "SELECT message_id, seq FROM machine_counters WHERE site = \(site) AND machine = \(machine)", logger: logger)
        for try await (id, seq) in rows.decode((UUID, Int64).self) { return (id, seq) }
        return nil
    }

    private static func jsonText(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
