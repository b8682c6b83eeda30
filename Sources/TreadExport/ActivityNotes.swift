import Foundation
import TreadProtocol

/// The activity's notes, in words: where TCX keeps them (`Activity/Notes`) and what treadctl
/// prints. Backwards distance and share, the energy estimate labelled as one, and how the
/// session ended, so a member reading it on Strava or Garmin sees what their watch cannot.
enum ActivityNotes {
    /// At most this many session events (pauses, rail releases, faults...) are listed.
    static let maxEvents = 12

    static func text(for a: ExportedActivity, _ d: SessionDetail) -> String {
        let s = d.session
        var lines = ["Treadmill session \(s.id) on treadd: program \(s.program) (\(d.title))" + (s.member.map { ", member \($0)" } ?? "") + "."]
        lines.append("Backwards: \(metres(a.reverseM)) of \(metres(a.distanceM)) (\(percent(a.reverseDistanceShare)) of the distance, "
                     + "\(percent(a.reverseTimeShare)) of the time on the moving belt).")
        if let k = a.kcal {
            lines.append("Energy: about \(Int(k.rounded())) kcal, an estimate (ACSM equations, backwards counted 1.3 times), not a measurement.")
        } else {
            lines.append("Energy: not estimated (no body mass known for the member).")
        }
        switch s.outcome {
        case "interrupted":
            lines.append("Cut short: treadd stopped during this session (killed, crashed or power lost); "
                         + "this is what was recorded up to \(UTCTime.iso8601(a.endedAt)), the last checkpoint.")
        case "running":
            lines.append("Cut short: the session was still running when exported; this is what was recorded so far.")
        case "stopped": lines.append("Ended early: stopped before the program's end.")
        case "fault": lines.append("Ended by a fault: the belt was stopped by treadd's safety checks.")
        default: break
        }
        let events = d.events.filter { $0.kind != "warning" }
        for e in events.prefix(maxEvents) { lines.append("\(UTCTime.iso8601(e.at)) \(e.kind): \(e.message)") }
        if events.count > maxEvents { lines.append("... and \(events.count - maxEvents) more events (treadctl history).") }
        return lines.joined(separator: "\n")
    }

    static func metres(_ m: Double) -> String { m < 1000 ? "\(Int(m.rounded())) m" : String(format: "%.2f km", m / 1000) }
    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
}
