/// The schema, as migrations (docs/fleet.md describes the tables).
///
/// Sizes and partitioning: a busy gym logs a few hundred sessions a day, so `sessions`
/// grows by about 100 000 rows a year per site, which PostgreSQL handles unpartitioned with
/// the (member, started_at) index. If a fleet grows to millions of rows a year, `sessions`
/// and `faults` can become range-partitioned by month on `started_at` / `at`; the primary key
/// must then include that column (`PRIMARY KEY (id, started_at)`), and `ON CONFLICT (id)`
/// would have to become a lookup first, so it is a migration to plan, not a flag to flip.
public enum FleetMigrations {
    public static let all: [FleetMigration] = [initial]

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
}
