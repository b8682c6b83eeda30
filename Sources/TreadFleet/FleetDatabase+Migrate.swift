import PostgresNIO

extension FleetDatabase {
    /// Applies the migrations not yet recorded, all in one transaction (a failure leaves the
    /// schema as it was), and returns the versions it applied. An advisory lock keeps two
    /// treadfleets starting at once from racing.
    @discardableResult
    public func migrate(_ migrations: [FleetMigration] = FleetMigrations.all) async throws(FleetDatabaseError) -> [Int] {
        try await transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(Int.self) { applied.insert(version) }
            var done: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
                done.append(migration.version)
            }
            return done
        }
    }

    /// The versions recorded in `schema_migrations`, oldest first.
    public func appliedMigrations() async throws(FleetDatabaseError) -> [Int] {
        try await withConnection { connection, logger in
            var versions: [Int] = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations ORDER BY version", logger: logger)
                .decode(Int.self) { versions.append(version) }
            return versions
        }
    }

    /// "treadflt" as a number: the key of the advisory lock migrations take.
    static let migrationLockKey: Int64 = 0x7472_6561_6466_6c74
}
