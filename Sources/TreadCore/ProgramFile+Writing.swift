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

    static func quoted(_ text: String) -> String {
        var out = "\""
        for ch in text {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
