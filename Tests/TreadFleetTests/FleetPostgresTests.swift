import Testing

/// Everything that needs a PostgreSQL: one real server for all of them (`.postgres`), one
/// fresh database per test. Serialized because the outage test stops and restarts the server.
@Suite(.postgres, .serialized, .timeLimit(.minutes(5)))
struct FleetPostgresTests {}
