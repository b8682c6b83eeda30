import Foundation
import TreadProtocol

/// Envelopes as treadsync publishes them, encoded with the shared types.
enum Payloads {
    static func session(id: UUID = UUID(), site: String = "gym1", machine: String = "tm1", seq: Int64 = 1, member: String? = "alice",
                        startedAt: Double = 1_764_000_000, forwardS: Double = 1200, reverseS: Double = 300,
                        forwardM: Double = 2000, reverseM: Double = 250, title: String = "Reverse intervals") -> [UInt8] {
        let body = FleetSession(
            program: "intervals", title: title, member: member, startedAt: startedAt, endedAt: startedAt + forwardS + reverseS + 60,
            outcome: "finished", plannedS: forwardS + reverseS, forwardS: forwardS, reverseS: reverseS, forwardM: forwardM,
            reverseM: reverseM, kcalEstimate: 140,
            segments: [.init(index: 0, role: "work", direction: "forward", speedKmh: 6, plannedS: forwardS, forwardS: forwardS,
                             reverseS: 0, forwardM: forwardM, reverseM: 0, outcome: "completed")],
            notes: ["rail_release": 1])
        return encode(FleetEnvelope(kind: .session, id: id.uuidString.lowercased(), seq: seq, site: site, machine: machine, body: body))
    }

    static func fault(id: UUID = UUID(), site: String = "gym1", machine: String = "tm1", seq: Int64 = 2, at: Double,
                      code: String, sessionID: String? = nil) -> [UInt8] {
        encode(FleetEnvelope(kind: .fault, id: id.uuidString.lowercased(), seq: seq, site: site, machine: machine,
                             body: FleetFault(at: at, code: code, message: "\(code) latched", sessionID: sessionID)))
    }

    static func counters(id: UUID = UUID(), site: String = "gym1", machine: String = "tm1", seq: Int64 = 3, at: Double,
                         beltM: Double, runningS: Double = 3600) -> [UInt8] {
        encode(FleetEnvelope(kind: .counters, id: id.uuidString.lowercased(), seq: seq, site: site, machine: machine,
                             body: FleetCounters(at: at, counters: MachineCounters(beltM: beltM, reverseM: beltM / 10, runningS: runningS))))
    }

    /// `payload` with its JSON object edited (a key removed, replaced or added).
    static func edited(_ payload: [UInt8], _ edit: (inout [String: Any]) -> Void) -> [UInt8] {
        var object = try! JSONSerialization.jsonObject(with: Data(payload)) as! [String: Any]
        edit(&object)
        return Array(try! JSONSerialization.data(withJSONObject: object))
    }

    static func topic(_ leaf: String = "sessions", site: String = "gym1", machine: String = "tm1") -> String {
        "treadd/\(site)/\(machine)/\(leaf)"
    }

    private static func encode(_ value: some Encodable) -> [UInt8] { Array(try! JSONEncoder().encode(value)) }
}
