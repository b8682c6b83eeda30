import Foundation
import TreadProtocol

/// What became of one received message. Everything but `unavailable` is final, and the
/// MQTT side acknowledges it; `unavailable` must not be acknowledged, so the broker
/// redelivers the message once PostgreSQL is back (it is never dead-lettered for that).
public enum IngestOutcome: Sendable, CustomStringConvertible {
    /// Written: a new session or fault, or counters newer than the ones kept.
    case stored(FleetKind, UUID)
    /// Already there under the same id (a redelivery): nothing changed.
    case duplicate(FleetKind, UUID)
    /// Counters older than (or as old as) the snapshot kept: ignored, so a late redelivery
    /// never rolls the odometer back.
    case stale(FleetKind, UUID)
    /// Counters later in the machine's sequence than the snapshot kept but earlier by its
    /// clock: the machine's clock went back. Not kept (a snapshot is never replaced by one
    /// dated earlier), and worth a line in the journal: that machine's counters stay as they
    /// are until its clock passes the kept snapshot's time.
    case clockWentBack(FleetKind, UUID)
    /// Unusable as sent: kept in `dead_letters` with the reason.
    case deadLettered(IngestRejection)
    /// PostgreSQL could not be reached or the connection broke: nothing was written.
    case unavailable(FleetDatabaseError)

    /// Whether the message is done with (acknowledge it to the broker).
    public var isFinal: Bool {
        if case .unavailable = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .stored(let kind, let id): "stored \(kind.rawValue) \(id.uuidString.lowercased())"
        case .duplicate(let kind, let id): "duplicate \(kind.rawValue) \(id.uuidString.lowercased()) (already stored)"
        case .stale(let kind, let id): "stale \(kind.rawValue) \(id.uuidString.lowercased()) (older than the stored snapshot)"
        case .clockWentBack(let kind, let id): "not kept: \(kind.rawValue) \(id.uuidString.lowercased()) is later in the machine's sequence but dated before the snapshot kept (its clock went back)"
        case .deadLettered(let reason): "dead-lettered: \(reason)"
        case .unavailable(let error): "not stored: \(error)"
        }
    }
}
