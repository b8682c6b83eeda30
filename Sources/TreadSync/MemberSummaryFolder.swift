import Foundation
import TreadProtocol

/// The members' fleet summaries as they last came down from treadfleet (retained on
/// `treadfleet/members/<name>`), one JSON file per member, each replaced whole (write and
/// rename), so treadd never reads half a file. treadd reads the one member it starts.
public struct MemberSummaryFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public enum Refusal: Error, CustomStringConvertible {
        case tooLarge(Int)
        case notASummary
        case cannotWrite(String)
        public var description: String {
            switch self {
            case .tooLarge(let n): return "a member summary of \(n) bytes (at most \(FleetMemberSummary.maxBytes))"
            case .notASummary: return "not a member summary of a known version"
            case .cannotWrite(let why): return "cannot write the summary: \(why)"
            }
        }
    }

    /// Checks the payload is a summary of this schema (re-encoded, so only what was decoded
    /// is kept) and writes it; returns the member's name.
    @discardableResult
    public func keep(_ payload: [UInt8]) throws(Refusal) -> String {
        guard payload.count <= FleetMemberSummary.maxBytes else { throw .tooLarge(payload.count) }
        guard let summary = try? JSONDecoder().decode(FleetMemberSummary.self, from: Data(payload)),
              summary.v == FleetSchema.version, !summary.member.isEmpty, summary.asOf.isFinite
        else { throw .notASummary }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let file = URL(fileURLWithPath: path).appendingPathComponent(FleetMemberSummary.fileName(member: summary.member))
            try encoder.encode(summary).write(to: file, options: .atomic)
        } catch {
            throw .cannotWrite((error as NSError).localizedDescription)
        }
        return summary.member
    }
}
