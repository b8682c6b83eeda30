import Foundation
import TreadProtocol

/// The published message: the outbox entry's body, as treadd wrote it, inside a
/// `FleetEnvelope`'s header. The body is spliced in, not decoded and re-encoded, so treadsync
/// publishes exactly what treadd recorded, even a body of a kind it does not know.
enum Envelope {
    private struct Header: Encodable {
        var v: Int
        var kind: String
        var id: String
        var seq: Int64
        var site: String
        var machine: String
    }

    static func encode(_ e: OutboxEntry, kind: FleetKind, site: String, machine: String) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = Header(v: FleetSchema.version, kind: kind.rawValue, id: e.id, seq: e.seq, site: site, machine: machine)
        var bytes = Array((try? encoder.encode(header)) ?? Data("{}".utf8))
        // {"id":...} -> {"body":<payload>,"id":...}
        bytes.removeFirst()
        return Array("{\"body\":".utf8) + Array(e.payload.utf8) + Array(",".utf8) + bytes
    }
}
