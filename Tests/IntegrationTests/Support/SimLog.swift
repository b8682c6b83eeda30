import Foundation

/// treadsim's JSON Lines log, read back for assertions about what the drive saw.
struct SimLog {
    struct Entry {
        var t: Double
        var kind: String
        var fc: Int?
        var address: Int?
        var values: [Int]
        var outputHz: Double
        var direction: String
        var running: Bool
        var trip: Int?
        /// `refused` lines: the Modbus exception answered.
        var exception: Int?
        /// `inject` lines: the control command.
        var command: String?
    }

    let entries: [Entry]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        entries = text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Entry(t: obj["t"] as? Double ?? 0, kind: obj["kind"] as? String ?? "", fc: obj["fc"] as? Int,
                         address: obj["address"] as? Int, values: obj["values"] as? [Int] ?? [],
                         outputHz: obj["output_hz"] as? Double ?? 0, direction: obj["direction"] as? String ?? "",
                         running: obj["running"] as? Bool ?? false, trip: obj["trip"] as? Int,
                         exception: obj["exception"] as? Int, command: obj["command"] as? String)
        }
    }

    var requests: [Entry] { entries.filter { $0.kind == "request" } }
    var states: [Entry] { entries.filter { $0.kind == "state" } }
    /// Requests the drive answered with an exception instead of serving them.
    var refused: [Entry] { entries.filter { $0.kind == "refused" } }
    var injections: [Entry] { entries.filter { $0.kind == "inject" } }

    /// Writes to one register (FC06 or FC16), in order.
    func writes(to address: Int) -> [Entry] {
        requests.filter { ($0.fc == 6 || $0.fc == 16) && $0.address == address }
    }
}
