import TreadProtocol

/// Why a received message was put in `dead_letters` instead of being stored. Each is about
/// the message itself, so redelivering it would fail the same way: the MQTT side
/// acknowledges it, and an operator can replay it with `treadfleet ingest-file` once fixed.
/// The description is the `reason` column, written for that operator.
public enum IngestRejection: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    /// Not `treadd/<site>/<machine>/<sessions|faults|counters>`.
    case badTopic(String)
    case notJSON(String)
    /// A key missing or of the wrong type, with its path (`body.started_at`).
    case undecodable(key: String, detail: String)
    /// A `v` this treadfleet does not know (a machine running a newer treadd).
    case unknownVersion(Int)
    case unknownKind(String)
    case kindMismatchesTopic(kind: String, topicLeaf: String)
    /// The envelope's site/machine is not the one in the topic it came on.
    case sourceMismatchesTopic(envelope: String, topic: String)
    case notUUID(key: String, value: String)
    /// PostgreSQL refused the values (for example a NUL character in text).
    case refusedByDatabase(String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "payload is \(bytes) bytes, over the limit of \(limit)"
        case .badTopic(let topic): "topic '\(topic)' is not treadd/<site>/<machine>/<sessions|faults|counters>"
        case .notJSON(let detail): "payload is not JSON: \(detail)"
        case .undecodable(let key, let detail): "key '\(key)': \(detail)"
        case .unknownVersion(let v):
            "schema version v=\(v) is not known (this treadfleet reads v=\(FleetSchema.version)); upgrade treadfleet and replay"
        case .unknownKind(let kind): "kind '\(kind)' is not one of \(FleetKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case .kindMismatchesTopic(let kind, let leaf): "kind '\(kind)' does not belong on topic leaf '\(leaf)'"
        case .sourceMismatchesTopic(let envelope, let topic): "envelope says \(envelope) but the topic says \(topic)"
        case .notUUID(let key, let value): "key '\(key)': '\(value)' is not a UUID"
        case .refusedByDatabase(let detail): "refused by PostgreSQL: \(detail)"
        }
    }
}
