import TreadCore
/// Writes a program as a program file (format version 1) that `ProgramFile.parse` reads back
/// to the same program: warm-up and cool-down as their own tables, repeat blocks kept.
extension ProgramFile {
    public static func render(_ program: Program, comment: String? = nil) -> String {
        var out: [String] = []
        if let comment { out += comment.split(separator: "\n", omittingEmptySubsequences: false).map { "# \($0)" } }
        out.append("version = \(formatVersion)")
        out.append("title = \(quoted(program.title))")
        var steps: [String] = []
        var warmup: [String] = [], cooldown: [String] = []
        for item in program.items {
            switch item {
            case .segment(let s) where s.role == .warmup:
                warmup = ["", "[warmup]"] + fields(s, withDirection: false)
            case .segment(let s) where s.role == .cooldown:
                cooldown = ["", "[cooldown]"] + fields(s, withDirection: false)
            case .segment(let s):
                steps += ["", "[[steps]]"] + fields(s, withDirection: true)
            case .repeated(let times, let segs):
                steps += ["", "[[steps]]", "repeat = \(times)"]
                for s in segs { steps += ["  [[steps.segments]]"] + fields(s, withDirection: true).map { "  " + $0 } }
            }
        }
        return (out + warmup + steps + cooldown).joined(separator: "\n") + "\n"
    }

    static func fields(_ s: Segment, withDirection: Bool) -> [String] {
        var f: [String] = []
        if withDirection { f.append("direction = \"\(s.direction.rawValue)\"") }
        f.append("speed_kmh = \(formatKmh(s.speed.kmh))")
        f.append("duration = \"\(formatDuration(s.duration))\"")
        if let i = s.incline { f.append("incline_pct = \(formatKmh(i))") }
        if let m = s.message { f.append("message = \(quoted(m))") }
        return f
    }

    /// "5m", "36s", "6m24s"; whole seconds (programs are written in whole seconds).
    public static func formatDuration(_ d: Duration) -> String {
        let total = Int(d.inSeconds.rounded())
        let m = total / 60, s = total % 60
        if m == 0 { return "\(s)s" }
        return s == 0 ? "\(m)m" : "\(m)m\(s)s"
    }

    /// A TOML basic string. Every control character is escaped, not only newlines: the parser
    /// accepts `\f`, `\b` and `\u0001` in a message but refuses them raw, so a message that
    /// loaded must not render to text that does not (found by the program fuzz target).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
