import Logging
import PostgresNIO

/// treadfleet's one connection to PostgreSQL, opened when first needed and opened again
/// after it breaks, so a server restart needs no restart of treadfleet.
///
/// One connection, not a pool: ingest handles one MQTT message at a time (the broker
/// orders a machine's messages) and a report is a handful of queries, so there is nothing to
/// run in parallel. What a pool would add is worse here: a request waits for a connection
/// while the server is down (up to its circuit breaker, a minute) instead of failing at once,
/// and a failing ingest must fail at once so the message stays unacknowledged.
///
/// Callers take turns (first come, first served): an actor alone would not be enough, since
/// it runs another call whenever one awaits, and two transactions must never interleave on
/// one connection, nor two callers open a connection each.
public actor FleetDatabase {
    public nonisolated let configuration: FleetDatabaseConfiguration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextConnectionID = 0
    /// A caller holds the connection; `waiting` are resumed one at a time, in order.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(configuration: FleetDatabaseConfiguration, logger: Logger = Logger(label: "treadfleet.postgres")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `body` on the connection (connecting first if there is none). Every error comes
    /// out as a `FleetDatabaseError`; one that means the connection is gone also drops it,
    /// so the next call connects again. `body` must not call back into this database: it
    /// would wait for its own turn.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> sending Result
    ) async throws(FleetDatabaseError) -> Result {
        await takeTurn()
        defer { endTurn() }
        let connection = try await connected()
        do {
            return try await body(connection, logger)
        } catch let error as FleetDatabaseError {
            throw error
        } catch {
            let classified = FleetDatabaseError(error, address: configuration.address)
            if case .unavailable = classified { await drop() }
            throw classified
        }
    }

    /// `body` inside BEGIN … COMMIT, rolled back if it throws.
    @discardableResult
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> sending Result
    ) async throws(FleetDatabaseError) -> Result {
        try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { connection in
                try await body(connection, logger)
            }
        }
    }

    /// Closes the connection (tools call this before exiting; PostgresNIO insists on it).
    public func close() async {
        await takeTurn()
        defer { endTurn() }
        await drop()
    }

    private func takeTurn() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn straight to the next waiter (`busy` stays set), or frees it.
    private func endTurn() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    private func connected() async throws(FleetDatabaseError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        if let stale = connection {
            connection = nil
            try? await stale.close()
        }
        var config = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: .disable)
        config.options.connectTimeout = .seconds(configuration.connectTimeoutSeconds)
        nextConnectionID += 1
        do {
            let opened = try await PostgresConnection.connect(configuration: config, id: nextConnectionID, logger: logger)
            connection = opened
            return opened
        } catch {
            // Whatever stops a connection (refused, timeout, bad password, no such database) is
            // the setup's problem, never the message's: always unavailable, never a dead letter.
            throw .unavailable(address: configuration.address, reason: FleetDatabaseError.reason(of: error))
        }
    }

    private func drop() async {
        guard let open = connection else { return }
        connection = nil
        try? await open.close()
    }
}
