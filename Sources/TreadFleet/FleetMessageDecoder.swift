import Foundation
import TreadProtocol

/// Turns a topic and payload into a `FleetMessage`, or the reason it must be dead-lettered.
/// Pure: no database, so every refusal is tested by feeding bytes in.
public enum FleetMessageDecoder {
    public static func decode(topic: String, payload: [UInt8]) -> Result<(id: UUID, message: FleetMessage), IngestRejection> {
        do {
            return .success(try decodeOrThrow(topic: topic, payload: payload))
        } catch {
            return .failure(error)
        }
    }

    static func decodeOrThrow(topic name: String, payload: [UInt8]) throws(IngestRejection) -> (id: UUID, message: FleetMessage) {
        guard payload.count <= FleetSchema.maxPayloadBytes else {
            throw .tooLarge(bytes: payload.count, limit: FleetSchema.maxPayloadBytes)
        }
        guard let topic = FleetTopic(name) else { throw .badTopic(name) }
        let data = Data(payload)
        let header = try decode(EnvelopeHeader.self, from: data)
        guard header.v == FleetSchema.version else { throw .unknownVersion(header.v) }
        guard let kind = FleetKind(rawValue: header.kind) else { throw .unknownKind(header.kind) }
        guard kind == topic.kind else { throw .kindMismatchesTopic(kind: kind.rawValue, topicLeaf: topic.kind.topicLeaf) }
        guard header.site == topic.site, header.machine == topic.machine else {
            throw .sourceMismatchesTopic(envelope: "\(header.site)/\(header.machine)", topic: "\(topic.site)/\(topic.machine)")
        }
        guard let id = UUID(uuidString: header.id) else { throw .notUUID(key: "id", value: header.id) }
        switch kind {
        case .session:
            return (id, .session(try decode(FleetEnvelope<FleetSession>.self, from: data)))
        case .fault:
            let envelope = try decode(FleetEnvelope<FleetFault>.self, from: data)
            if let session = envelope.body.sessionID, UUID(uuidString: session) == nil {
                throw .notUUID(key: "body.session_id", value: session)
            }
            return (id, .fault(envelope))
        case .counters:
            return (id, .counters(try decode(FleetEnvelope<FleetCounters>.self, from: data)))
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(IngestRejection) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw rejection(for: error)
        } catch {
            throw .notJSON(String(describing: error))
        }
    }

    /// Names the key a decoding error is about; an error at the root with no key means the
    /// bytes were not JSON (or not an object) at all.
    static func rejection(for error: DecodingError) -> IngestRejection {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .undecodable(key: path(context.codingPath + [key]), detail: "missing")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .notJSON("not a JSON object") }
            return .undecodable(key: path(context.codingPath), detail: "expected \(type)")
        case .valueNotFound(let type, let context):
            return .undecodable(key: path(context.codingPath), detail: "null where \(type) is required")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { String(describing: $0) } ?? context.debugDescription
                return .notJSON(underlying)
            }
            return .undecodable(key: path(context.codingPath), detail: context.debugDescription)
        @unknown default:
            return .notJSON(String(describing: error))
        }
    }
}
