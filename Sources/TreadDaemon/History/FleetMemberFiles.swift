import Foundation
import TreadProtocol
import TreadTraining

/// A member's sessions from the whole fleet, as treadsync last kept them ([history]
/// fleet_members, docs/fleet.md): one small JSON file per member, written whole by treadsync.
/// Read on the history desk's thread when that member starts, never on the control path; a
/// file that is missing, unreadable, too large or not a summary leaves the check to this
/// machine's sessions, and the member is told so.
public struct FleetMemberFiles: Sendable {
    public let directory: String
    /// A summary older than this is still counted, with a warning that it may miss sessions.
    public static let staleAfter = 24 * 3600.0

    public init(directory: String) { self.directory = directory }

    /// The member's fleet sessions and, when they are missing or old, the warning that says so.
    public func sessions(of member: String, now: Double) -> (sessions: [FleetMemberSummary.Session], warning: TrainingLoad.Warning?) {
        let path = (directory as NSString).appendingPathComponent(FleetMemberSummary.fileName(member: member))
        func localOnly(_ why: String) -> ([FleetMemberSummary.Session], TrainingLoad.Warning?) {
            ([], .fleetHistory("\(why); the weekly check counted this machine's sessions only"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return localOnly("no fleet history of \(member) has reached this machine")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: FleetMemberSummary.maxBytes + 1) ?? Data() } catch {
            return localOnly("the fleet history of \(member) cannot be read (\(error.localizedDescription))")
        }
        guard data.count <= FleetMemberSummary.maxBytes,
              let summary = try? JSONDecoder().decode(FleetMemberSummary.self, from: data),
              summary.v == FleetSchema.version, summary.member.lowercased() == member.lowercased()
        else { return localOnly("the fleet history of \(member) on this machine is not a summary this treadd reads") }
        let age = now - summary.asOf
        guard age > Self.staleAfter else { return (summary.sessions, nil) }
        let hours = Int((age / 3600).rounded())
        return (summary.sessions, .fleetHistory("the fleet history of \(member) is \(hours) h old: sessions on other machines since then are not counted"))
    }
}
