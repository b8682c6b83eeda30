import Foundation

extension MemberReport {
    /// The text `treadfleet members show` prints.
    public var text: String {
        guard !sessions.isEmpty else { return "No sessions for member \(member).\n" }
        let machines = Set(sessions.map { "\($0.site)/\($0.machine)" }).count
        var out = "Member \(member): \(sessions.count) session\(sessions.count == 1 ? "" : "s") on \(machines) machine\(machines == 1 ? "" : "s")\n"
        out += "\nWeekly totals (weeks start Monday 00:00 UTC; backwards = share of moving time):\n"
        for week in weeks {
            out += "  week of \(ReportFormat.day(week.start))  \(pad("\(week.sessions)", 3)) session\(week.sessions == 1 ? " " : "s")"
            out += "  moving \(pad(ReportFormat.duration(week.movingS), 8))  \(pad(ReportFormat.km(week.distanceM), 9))"
            out += "  backwards \(ReportFormat.percent(week.reverseShare))\n"
        }
        out += "\nSessions, newest first (times UTC):\n"
        for s in sessions {
            let share = s.movingS > 0 ? s.reverseS / s.movingS : 0
            out += "  \(ReportFormat.minute(s.startedAt))  \(s.site)/\(s.machine)  \(s.title) (\(s.program))  \(s.outcome)"
            out += "  moving \(ReportFormat.duration(s.movingS))  \(ReportFormat.km(s.distanceM))  backwards \(ReportFormat.percent(share))\n"
        }
        return out
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
