/// One numbered step of treadfleet's schema. Applied once, in order, recorded in
/// `schema_migrations`; each statement is also safe to run again (IF NOT EXISTS), so a
/// database made by hand or half-migrated by an older tool still converges.
///
/// A migration is never edited once released: a change is a new, higher number.
public struct FleetMigration: Sendable, Hashable {
    public var version: Int
    public var name: String
    /// One SQL statement each (the extended protocol runs one statement per query).
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version; self.name = name; self.statements = statements
    }
}
