import Foundation

/// How the text reports write times, durations and distances (UTC throughout).
enum ReportFormat {
    static func day(_ date: Date) -> String { utc("yyyy-MM-dd").string(from: date) }
    static func minute(_ date: Date) -> String { utc("yyyy-MM-dd HH:mm").string(from: date) }

    /// h:mm:ss.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }

    static func km(_ metres: Double) -> String { String(format: "%.2f km", metres / 1000) }
    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }

    private static func utc(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }
}
