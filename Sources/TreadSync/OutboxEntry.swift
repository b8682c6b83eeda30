import TreadProtocol

/// One row of treadd's outbox, as treadsync reads it.
public struct OutboxEntry: Sendable, Equatable {
    public var seq: Int64
    public var id: String
    /// Nil for a kind this treadsync does not know (a newer treadd): acknowledged unsent, logged.
    public var kind: FleetKind?
    /// The body's JSON, as treadd wrote it.
    public var payload: String
}
