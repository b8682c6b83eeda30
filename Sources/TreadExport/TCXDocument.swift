/// A Garmin Training Center (TCX) v2 document for one activity, as Strava, Garmin Connect and
/// most training logs import it. Written against TrainingCenterDatabasev2.xsd (the tests
/// validate every document with `xmllint --schema` against the published schema, kept in
/// Tests/TreadExportTests/Fixtures):
///
/// - `Activity Sport`: `Running`, or `Other` for walking (the schema has only Running,
///   Biking and Other); `Id` is the start time.
/// - One `Lap` per segment (`StartTime`), in the schema's order: `TotalTimeSeconds` (wall
///   clock, ramps and dwells included), `DistanceMeters`, `Calories` (the estimate, rounded;
///   0 when there is none, as the element is required), `Intensity` (`Active`: the schema's
///   other value, `Resting`, is for standing still), `TriggerMethod` (`Time` when the segment
///   ran its time, `Manual` otherwise), a `Track`, and the lap's `Notes`.
/// - `Trackpoint`s with `Time` and the cumulative `DistanceMeters` at the session's start and
///   at the end of every lap: treadd records distance per segment, not per second, so the
///   file does not invent the points in between.
/// - The activity's `Notes`: backwards distance and share, the energy estimate, "Cut short"
///   for an interrupted session.
///
/// Speed is not written: TCX has it only in Garmin's ActivityExtension v2 schema, which is
/// not validated here; importers compute it from time and distance.
public enum TCXDocument {
    public static func render(_ a: ExportedActivity) -> String {
        var x = XMLLines()
        x.line(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        x.open("TrainingCenterDatabase", #"xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2""#,
               #"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
               #"xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd""#)
        x.open("Activities")
        x.open("Activity", "Sport=\"\(a.sport == .running ? "Running" : "Other")\"")
        x.leaf("Id", UTCTime.iso8601(a.startedAt))
        var distance = 0.0
        for (i, lap) in a.laps.enumerated() {
            x.open("Lap", "StartTime=\"\(UTCTime.iso8601(lap.startedAt))\"")
            x.leaf("TotalTimeSeconds", decimal(lap.elapsedS, 3))
            x.leaf("DistanceMeters", decimal(lap.distanceM, 2))
            x.leaf("Calories", "\(min(65_535, max(0, Int((lap.kcal ?? 0).rounded()))))")
            x.leaf("Intensity", "Active")
            x.leaf("TriggerMethod", lap.trigger == .time ? "Time" : "Manual")
            x.open("Track")
            if i == 0 { trackpoint(&x, at: lap.startedAt, distance: 0) }
            distance += lap.distanceM
            trackpoint(&x, at: lap.endedAt, distance: distance)
            x.close("Track")
            x.leaf("Notes", lap.description)
            x.close("Lap")
        }
        x.leaf("Notes", a.notes)
        x.close("Activity")
        x.close("Activities")
        x.close("TrainingCenterDatabase")
        return x.text
    }

    private static func trackpoint(_ x: inout XMLLines, at time: Double, distance: Double) {
        x.open("Trackpoint")
        x.leaf("Time", UTCTime.iso8601(time))
        x.leaf("DistanceMeters", decimal(distance, 2))
        x.close("Trackpoint")
    }

    /// A plain xsd:double: digits, a point, `places` decimals; never an exponent or "nan".
    static func decimal(_ v: Double, _ places: Int) -> String {
        let safe = v.isFinite ? max(0, v) : 0
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let n = Int((safe * scale).rounded())
        let whole = n / Int(scale), frac = n % Int(scale)
        let digits = String(frac)
        return "\(whole)." + String(repeating: "0", count: places - digits.count) + digits
    }
}

/// Indented XML lines; text and attribute values are escaped here, nowhere else.
struct XMLLines {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ s: String) { text += String(repeating: "  ", count: depth) + s + "\n" }
    /// `attributes` are written as given: callers build them from constants and escaped values.
    mutating func open(_ name: String, _ attributes: String...) {
        line("<" + ([name] + attributes).joined(separator: " ") + ">")
        depth += 1
    }
    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }
    mutating func leaf(_ name: String, _ value: String) { line("<\(name)>\(Self.escaped(value))</\(name)>") }

    static func escaped(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 allows tab, newline and carriage return among the controls, nothing else.
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default:
                if c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
