import Foundation
import TreadProtocol

/// A received message that passed every check: its kind, its id as a UUID, and the
/// decoded envelope. Only these reach the database.
public enum FleetMessage: Sendable {
    case session(FleetEnvelope<FleetSession>)
    case fault(FleetEnvelope<FleetFault>)
    case counters(FleetEnvelope<FleetCounters>)

    public var kind: FleetKind {
        switch self {
        case .session: .session
        case .fault: .fault
        case .counters: .counters
        }
    }
}

/// What every envelope has, read before the body so the checks on version, kind and source
/// come first: a message from a newer treadd is reported as that, not as a body that does
/// not decode.
struct EnvelopeHeader: Decodable {
    var v: Int
    var kind: String
    var id: String
    var seq: Int64
    var site: String
    var machine: String
}
