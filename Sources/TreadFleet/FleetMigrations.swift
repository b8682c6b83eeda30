/// The schema, as migrations (docs/fleet.md describes the tables).
///
/// Sizes and partitioning: a busy gym logs a few hundred sessions a day, so `sessions`
/// grows by about 100 000 rows a year per site, which PostgreSQL handles unpartitioned with
/// the (member, started_at) index. If a fleet grows to millions of rows a year, `sessions`
/// and `faults` can become range-partitioned by month on `started_at` / `at`; the primary key
/// must then include that column (`PRIMARY KEY (id, started_at)`), and `ON CONFLICT (id)`
/// would have to become a lookup first, so it is a migration to plan, not a flag to flip.
public enum FleetMigrations {
    public static let all: [FleetMigration] = [initial, sequences]

    /// The newest version this treadfleet knows.
    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    static let initial = FleetMigration(version: 1, name: "machines, sessions, faults, counters, dead letters", statements: [
        """
        CREATE TABLE IF NOT EXISTS machines (
            site text NOT NULL,
            machine text NOT NULL,
            first_seen timestamptz NOT NULL DEFAULT now(),
            last_seen timestamptz NOT NULL,
            last_seq bigint NOT NULL,
            PRIMARY KEY (site, machine)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS sessions (
            id uuid PRIMARY KEY,
            site text NOT NULL,
            machine text NOT NULL,
            seq bigint NOT NULL,
            member text,
            program text NOT NULL,
            title text NOT NULL,
            started_at timestamptz NOT NULL,
            ended_at timestamptz,
            outcome text NOT NULL,
            planned_s double precision NOT NULL,
            forward_s double precision NOT NULL,
            reverse_s double precision NOT NULL,
            forward_m double precision NOT NULL,
            reverse_m double precision NOT NULL,
            kcal double precision,
            notes jsonb NOT NULL,
            segments jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX IF NOT EXISTS sessions_member_started_at ON sessions (member, started_at)",
        "CREATE INDEX IF NOT EXISTS sessions_machine ON sessions (site, machine)",
        """
        CREATE TABLE IF NOT EXISTS faults (
            id uuid PRIMARY KEY,
            site text NOT NULL,
            machine text NOT NULL,
            seq bigint NOT NULL,
            at timestamptz NOT NULL,
            code text NOT NULL,
            message text NOT NULL,
            session_id uuid,
            received_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "CREATE INDEX IF NOT EXISTS faults_machine_at ON faults (site, machine, at)",
        """
        CREATE TABLE IF NOT EXISTS machine_counters (
            site text NOT NULL,
            machine text NOT NULL,
            message_id uuid NOT NULL,
            seq bigint NOT NULL,
            at timestamptz NOT NULL,
            belt_m double precision NOT NULL,
            reverse_m double precision NOT NULL,
            running_s double precision NOT NULL,
            direction_changes bigint NOT NULL,
            rail_releases bigint NOT NULL,
            drive_comm_errors bigint NOT NULL,
            faults jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (site, machine)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS dead_letters (
            id bigserial PRIMARY KEY,
            received_at timestamptz NOT NULL DEFAULT now(),
            topic text NOT NULL,
            reason text NOT NULL,
            payload bytea NOT NULL
        )
        """,
    ])

    /// Each machine's outbox numbers its entries 1, 2, 3, ... with no gaps, so the ingest can
    /// tell when one never arrived (the broker lost it, or libmosquitto had acknowledged it
    /// before a killed ingest stored it): `contiguous_seq` is the highest seq up to which all
    /// arrived, `received_seqs` holds those above it, `gap_since` when the first hole was seen
    /// and `resend_asked_at` when the machine was last asked to publish again.
    static let sequences = FleetMigration(version: 2, name: "sequence gaps, resend requests, members by lowercased name", statements: [
        "ALTER TABLE machines ADD COLUMN IF NOT EXISTS contiguous_seq bigint NOT NULL DEFAULT 0",
        "ALTER TABLE machines ADD COLUMN IF NOT EXISTS gap_since timestamptz",
        "ALTER TABLE machines ADD COLUMN IF NOT EXISTS resend_asked_at timestamptz",
        """
        CREATE TABLE IF NOT EXISTS received_seqs (
            site text NOT NULL,
            machine text NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (site, machine, seq)
        )
        """,
        // Machines seen before this migration: what they sent so far counts as received.
        "INSERT INTO received_seqs (site, machine, seq) SELECT site, machine, seq FROM sessions ON CONFLICT DO NOTHING",
        "INSERT INTO received_seqs (site, machine, seq) SELECT site, machine, seq FROM faults ON CONFLICT DO NOTHING",
        "INSERT INTO received_seqs (site, machine, seq) SELECT site, machine, seq FROM machine_counters ON CONFLICT DO NOTHING",
        // Member names match without case, as on the machines.
        "CREATE INDEX IF NOT EXISTS sessions_member_lower_started_at ON sessions (lower(member), started_at)",
    ])
}
