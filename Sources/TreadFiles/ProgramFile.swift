import TreadCore
/// Reads programs from TOML. The format (docs/programs.md):
///
/// ```toml
/// title = "Week 1"
/// [[steps]]                     # a segment
/// direction = "forward"
/// speed_kmh = 4.0
/// duration = "3m"               # or duration_s = 180
/// [[steps]]                     # a repeat block
/// repeat = 3
///   [[steps.segments]]
///   direction = "reverse"
///   ...
/// ```
/// Every problem found is reported, each with file, line and key.
public enum ProgramFile {
    public static func parse(_ text: String, file: String, name: String? = nil) throws(FileErrors) -> Program {
        let doc: TOMLDocument
        do { doc = try TOMLDocument(text: text, file: file) } catch { throw FileErrors([error]) }
        var errors: [FileError] = []
        let root = doc.root
        func collect<T>(_ body: () throws(FileError) -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        _ = collect { () throws(FileError) in try root.rejectUnknownKeys(["version", "title", "description", "warmup", "cooldown", "steps"]) }
        if let version = collect({ () throws(FileError) in try root.int("version") }) ?? nil, version != formatVersion {
            errors.append(root.error("version", "this treadd reads program format version \(formatVersion), got \(version)"))
        }
        let title = collect { () throws(FileError) in try root.string("title") } ?? nil
        let warmup = collect { () throws(FileError) in try root.section("warmup") } ?? nil
        let cooldown = collect { () throws(FileError) in try root.section("cooldown") } ?? nil
        let steps = collect { () throws(FileError) in try root.sections("steps") } ?? []
        if steps.isEmpty && root.contains("steps") == false {
            errors.append(root.error("steps", "a program needs at least one [[steps]] entry"))
        }
        var items: [Program.Item] = []
        if let warmup, let seg = collect({ () throws(FileError) in try segment(warmup, doc, role: .warmup) }) { items.append(.segment(seg)) }
        for step in steps {
            if step.contains("repeat") {
                _ = collect { () throws(FileError) in try step.rejectUnknownKeys(["repeat", "segments"]) }
                guard let times = collect({ () throws(FileError) in try step.required("repeat", step.int) }) else { continue }
                if times < 1 || times > 100 {
                    errors.append(step.error("repeat", "must be between 1 and 100, got \(times)"))
                    continue
                }
                let inner = collect { () throws(FileError) in try step.sections("segments") } ?? []
                if inner.isEmpty { errors.append(step.error("segments", "a repeat block needs at least one segment")) }
                let segs = inner.compactMap { s in collect { () throws(FileError) in try segment(s, doc) } }
                if segs.count == inner.count, !inner.isEmpty { items.append(.repeated(times: times, segments: segs)) }
            } else if let seg = collect({ () throws(FileError) in try segment(step, doc) }) {
                items.append(.segment(seg))
            }
        }
        if let cooldown, let seg = collect({ () throws(FileError) in try segment(cooldown, doc, role: .cooldown) }) { items.append(.segment(seg)) }
        guard errors.isEmpty else { throw FileErrors(errors) }
        let programName = name ?? baseName(file)
        return Program(name: programName, title: title, items: items)
    }

    /// The program format this reader understands (`version = 1`, optional).
    public static let formatVersion = 1

    static func segment(_ s: TOMLSection, _ doc: TOMLDocument, role: Segment.Role = .main) throws(FileError) -> Segment {
        try s.rejectUnknownKeys(["direction", "speed_kmh", "duration", "duration_s", "message", "incline_pct"])
        // Warm-up and cool-down are forwards by definition; a direction there may only say so.
        let dirText = try role == .main ? s.required("direction", s.string) : (s.string("direction") ?? "forward")
        guard let direction = Direction(rawValue: dirText) else {
            throw s.error("direction", "must be \"forward\" or \"reverse\", got \"\(dirText)\"")
        }
        if role != .main, direction != .forward {
            throw s.error("direction", "the \(role.rawValue) is always forwards")
        }
        let incline = try s.double("incline_pct")
        if let incline, !(incline.isFinite && incline >= 0) {
            throw s.error("incline_pct", "must be a percentage of 0 or more, got \(incline)")
        }
        let speed = try s.required("speed_kmh", s.double)
        guard speed.isFinite, speed > 0 else { throw s.error("speed_kmh", "must be a speed above 0 km/h, got \(speed)") }
        let duration: Duration
        if let text = try s.string("duration") {
            guard let d = parseDuration(text) else {
                throw s.error("duration", "\"\(text)\" is not a duration; write e.g. \"90s\", \"2m\", \"1m30s\" or \"1:30\"")
            }
            duration = d
        } else if let secs = try s.seconds("duration_s") {
            duration = secs
        } else {
            throw s.error(nil, "a segment needs a duration (duration = \"2m\" or duration_s = 120)")
        }
        guard duration > .zero else { throw s.error("duration", "must be longer than 0 s") }
        return Segment(direction: direction, speed: .kmh(speed), duration: duration,
                       message: try s.string("message"), line: doc.index.line(for: s.path), incline: incline, role: role)
    }

    static func baseName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return last.hasSuffix(".toml") ? String(last.dropLast(5)) : last
    }
}
