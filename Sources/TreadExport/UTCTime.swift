import Foundation

/// The two clocks of the export formats, from treadd's seconds since 1970.
enum UTCTime {
    /// FIT's epoch, 1989-12-31T00:00:00Z, in seconds since 1970 (FIT protocol, `date_time`).
    static let fitEpoch: Double = 631_065_600

    /// `date_time`: whole seconds since FIT's epoch (a uint32).
    static func fit(_ unix: Double) -> UInt32 {
        UInt32(clamping: Int64((unix - fitEpoch).rounded(.down)))
    }

    /// xsd:dateTime in UTC with milliseconds, as TCX wants it: 2026-12-07T20:15:03.250Z.
    static func iso8601(_ unix: Double) -> String {
        var t = time_t(unix.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(((unix - unix.rounded(.down)) * 1000).rounded(.down))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ms)
    }
}
