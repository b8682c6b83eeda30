import Logging
import PostgresNIO

/// The per-machine sequence bookkeeping, in the transaction that made a message final.
extension FleetIngest {
    /// Marks `seq` as received from the machine, moves its contiguous mark over every seq
    /// now present without a hole, forgets the seqs below the mark, and notes when a hole
    /// first appeared (or clears that once it is filled).
    static func received(site: String, machine: String, seq: Int64, stored: Bool, on connection: PostgresConnection,
                         logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO machines (site, machine, last_seen, last_seq) VALUES (\(site), \(machine), now(), \(seq))
            ON CONFLICT (site, machine) DO UPDATE
            SET last_seen = CASE WHEN \(stored) THEN GREATEST(machines.last_seen, EXCLUDED.last_seen) ELSE machines.last_seen END,
                last_seq = GREATEST(machines.last_seq, EXCLUDED.last_seq)
            """, logger: logger)
        try await connection.query("""
            INSERT INTO received_seqs (site, machine, seq) VALUES (\(site), \(machine), \(seq)) ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            WITH RECURSIVE run(seq) AS (
                SELECT contiguous_seq FROM machines WHERE site = \(site) AND machine = \(machine)
                UNION ALL
                SELECT r.seq FROM received_seqs r, run
                WHERE r.site = \(site) AND r.machine = \(machine) AND r.seq = run.seq + 1
            )
            UPDATE machines SET contiguous_seq = (SELECT max(seq) FROM run)
            WHERE site = \(site) AND machine = \(machine)
            """, logger: logger)
        try await connection.query("""
            UPDATE machines
            SET gap_since = CASE WHEN last_seq > contiguous_seq THEN COALESCE(gap_since, now()) END,
                resend_asked_at = CASE WHEN last_seq > contiguous_seq THEN resend_asked_at END
            WHERE site = \(site) AND machine = \(machine)
            """, logger: logger)
        try await connection.query("""
            DELETE FROM received_seqs r USING machines m
            WHERE r.site = \(site) AND r.machine = \(machine) AND m.site = r.site AND m.machine = r.machine
              AND r.seq <= m.contiguous_seq
            """, logger: logger)
    }
}
