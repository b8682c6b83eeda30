import PostgresNIO

extension FleetDatabaseError {
    /// Sorts a PostgresNIO error into unavailable or rejected. Server errors of the classes
    /// that describe the server rather than the statement (08 connection, 53 resources,
    /// 57 operator intervention such as a shutdown) count as unavailable.
    init(_ error: any Error, address: String) {
        if let error = error as? FleetDatabaseError {
            self = error
            return
        }
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? transaction.rollbackError
            self = inner.map { FleetDatabaseError($0, address: address) } ?? .unavailable(address: address, reason: "transaction failed")
            return
        }
        if let error = error as? PSQLError, error.code == .server, let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "no message"
            if ["08", "53", "57"].contains(where: state.hasPrefix) {
                self = .unavailable(address: address, reason: "\(message) (SQLSTATE \(state))")
            } else {
                self = .rejected(sqlState: state, message: message)
            }
            return
        }
        self = .unavailable(address: address, reason: Self.reason(of: error))
    }

    /// A readable reason. PSQLError's own description is deliberately generic (it hides
    /// server details from end users); treadfleet's users are its operators, who need them.
    static func reason(of error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] {
            return error.serverInfo?[.sqlState].map { "\(message) (SQLSTATE \($0))" } ?? message
        }
        if let underlying = error.underlying { return String(describing: underlying) }
        return "\(error.code)"
    }
}
