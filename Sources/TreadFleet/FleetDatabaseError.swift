/// Why a PostgreSQL operation failed, split by what the caller should do about it:
/// `unavailable` is the server or the network (retry later: the MQTT side must not
/// acknowledge, so the broker redelivers), `rejected` is the statement or its data.
public enum FleetDatabaseError: Error, Sendable, CustomStringConvertible {
    /// Could not connect, or the connection broke (server stopped, restarting, network).
    case unavailable(address: String, reason: String)
    /// The server refused the statement: SQLSTATE and its message.
    case rejected(sqlState: String, message: String)

    public var description: String {
        switch self {
        case .unavailable(let address, let reason): "PostgreSQL at \(address) is unavailable: \(reason)"
        case .rejected(let state, let message): "PostgreSQL refused the statement (SQLSTATE \(state)): \(message)"
        }
    }

    /// A refusal caused by the values sent (class 22 data exception, 23 integrity
    /// violation): the same message will be refused again, so it belongs in dead_letters.
    public var isCausedByData: Bool {
        if case .rejected(let state, _) = self { return state.hasPrefix("22") || state.hasPrefix("23") }
        return false
    }
}
