import Foundation

/// Weeks as the reports count them: Monday 00:00 to Monday 00:00 UTC. UTC, not the gym's
/// time zone, so every site's totals line up and no daylight-saving hour goes missing; a
/// session just before midnight on Sunday, local time, may count in the next week.
public enum UTCWeek {
    /// The Monday 00:00 UTC starting the week `date` falls in.
    public static func start(of date: Date) -> Date {
        let day = (date.timeIntervalSince1970 / 86_400).rounded(.down)
        // 1970-01-01 was a Thursday: three days after a Monday.
        let sinceMonday = (day + 3).truncatingRemainder(dividingBy: 7)
        let monday = day - (sinceMonday < 0 ? sinceMonday + 7 : sinceMonday)
        return Date(timeIntervalSince1970: monday * 86_400)
    }
}
