import PostgresNIO
import Testing
import TreadFleet

extension FleetPostgresTests {
    @Suite struct Migrations {
        @Test func applyTwiceAndRecordTheirVersions() async throws {
            try await withFreshDatabase(migrated: false) { (database, _) async throws in
                #expect(try await database.migrate() == FleetMigrations.all.map(\.version))
                #expect(try await database.migrate() == [], "a second run applies nothing")
                #expect(try await database.appliedMigrations() == FleetMigrations.all.map(\.version))
                let tables = try await database.count("""
                    SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN
                    ('schema_migrations', 'machines', 'sessions', 'faults', 'machine_counters', 'dead_letters')
                    """)
                #expect(tables == 6)
                let index = try await database.count(
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'sessions_member_started_at'")
                #expect(index == 1)
            }
        }

        @Test func aFailingMigrationLeavesNothingBehind() async throws {
            try await withFreshDatabase(migrated: false) { (database, _) async throws in
                let broken = FleetMigrations.all + [FleetMigration(version: 99, name: "broken", statements: [
                    "CREATE TABLE half_done (x integer)", "THIS IS NOT SQL",
                ])]
                await #expect(throws: FleetDatabaseError.self) { try await database.migrate(broken) }
                #expect(try await database.count(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('half_done', 'schema_migrations', 'sessions')") == 0)
                #expect(try await database.migrate() == FleetMigrations.all.map(\.version))
            }
        }
    }
}
