import TreadCore
import TreadFiles
import TreadProtocol

extension ProgramSpec {
    /// The structured form of a parsed program, as the parser answers it.
    init(_ p: Program) {
        self.init(name: p.name, title: p.title, items: p.items.map { item in
            switch item {
            case .segment(let s): return Item(repeatTimes: nil, segments: [SegmentSpec(s)])
            case .repeated(let times, let segs): return Item(repeatTimes: times, segments: segs.map(SegmentSpec.init))
            }
        })
    }
}

extension SegmentSpec {
    init(_ s: Segment) {
        self.init(direction: s.direction.rawValue, speedKmh: s.speed.kmh, durationS: s.duration.inSeconds, message: s.message,
                  line: s.line, inclinePct: s.incline, role: s.role.rawValue)
    }
}

/// Bounds on a structured program, far beyond any real workout, so a helper that answers
/// garbage cannot make treadd hold or walk an enormous program.
enum ProgramSpecBounds {
    static let items = 1_000
    static let segmentsPerBlock = 200
    static let expandedSegments = 20_000
    static let textCharacters = 1_000
    static let repeatTimes = 1...100
}

extension Program {
    /// A program from structured data that came from outside treadd (the parser's answer):
    /// every field is checked again, as the file reader checks it, and every problem is
    /// reported against `file`, by line where the data names one.
    init(spec: ProgramSpec, file: String) throws(FileErrors) {
        var problems: [FileError] = []
        func problem(_ line: Int?, _ key: String?, _ message: String) {
            problems.append(FileError(file: file, line: line, key: key, message: message))
        }
        if spec.name.isEmpty || spec.name.count > ProgramSpecBounds.textCharacters { problem(nil, "name", "a program needs a name of 1 to \(ProgramSpecBounds.textCharacters) characters") }
        if spec.title.count > ProgramSpecBounds.textCharacters { problem(nil, "title", "longer than \(ProgramSpecBounds.textCharacters) characters") }
        if spec.items.isEmpty { problem(nil, "steps", "a program needs at least one segment") }
        if spec.items.count > ProgramSpecBounds.items { problem(nil, "steps", "more than \(ProgramSpecBounds.items) steps") }
        var expanded = 0
        var items: [Item] = []
        for (index, item) in spec.items.prefix(ProgramSpecBounds.items).enumerated() {
            let segments = item.segments.prefix(ProgramSpecBounds.segmentsPerBlock).compactMap { s -> Segment? in
                do throws(FileError) {
                    return try Segment(spec: s, file: file, first: index == 0, last: index == spec.items.count - 1)
                } catch { problems.append(error); return nil }
            }
            if item.segments.count > ProgramSpecBounds.segmentsPerBlock { problem(item.segments.first?.line, "segments", "more than \(ProgramSpecBounds.segmentsPerBlock) segments in one step") }
            guard segments.count == item.segments.count, !segments.isEmpty else {
                if item.segments.isEmpty { problem(nil, "segments", "step \(index + 1) has no segment") }
                continue
            }
            if let times = item.repeatTimes {
                guard ProgramSpecBounds.repeatTimes.contains(times) else {
                    problem(segments.first?.line, "repeat", "must be between 1 and 100, got \(times)")
                    continue
                }
                expanded += times * segments.count
                items.append(.repeated(times: times, segments: segments))
            } else {
                guard segments.count == 1 else { problem(segments.first?.line, "segments", "a step that is not a repeat block holds one segment, got \(segments.count)"); continue }
                expanded += 1
                items.append(.segment(segments[0]))
            }
        }
        if expanded > ProgramSpecBounds.expandedSegments { problem(nil, "steps", "more than \(ProgramSpecBounds.expandedSegments) segments once repeats are expanded") }
        guard problems.isEmpty else { throw FileErrors(problems) }
        self.init(name: spec.name, title: spec.title, items: items)
    }
}

extension Segment {
    /// `first`/`last`: whether the segment's step opens or closes the program, the only places
    /// a warm-up and a cool-down may stand.
    init(spec s: SegmentSpec, file: String, first: Bool, last: Bool) throws(FileError) {
        func fail(_ key: String?, _ message: String) -> FileError { FileError(file: file, line: s.line, key: key, message: message) }
        guard let direction = Direction(rawValue: s.direction) else { throw fail("direction", "must be \"forward\" or \"reverse\", got \"\(s.direction.prefix(40))\"") }
        guard let role = Role(rawValue: s.role) else { throw fail("role", "must be warmup, main or cooldown, got \"\(s.role.prefix(40))\"") }
        if role != .main, direction != .forward { throw fail("direction", "the \(role.rawValue) is always forwards") }
        if role == .warmup, !first { throw fail("warmup", "the warm-up can only open a program") }
        if role == .cooldown, !last { throw fail("cooldown", "the cool-down can only close a program") }
        guard s.speedKmh.isFinite, s.speedKmh > 0 else { throw fail("speed_kmh", "must be a speed above 0 km/h, got \(s.speedKmh)") }
        guard let duration = Duration.checkedSeconds(s.durationS), duration > .zero else {
            throw fail("duration", "must be a number of seconds above 0 and up to \(Int(Duration.maxSeconds)), got \(s.durationS)")
        }
        if let incline = s.inclinePct, !(incline.isFinite && incline >= 0) { throw fail("incline_pct", "must be a percentage of 0 or more, got \(incline)") }
        if let m = s.message, m.count > ProgramSpecBounds.textCharacters { throw fail("message", "longer than \(ProgramSpecBounds.textCharacters) characters") }
        if let line = s.line, line < 1 { throw fail(nil, "line numbers start at 1, got \(line)") }
        self.init(direction: direction, speed: .kmh(s.speedKmh), duration: duration, message: s.message, line: s.line,
                  incline: s.inclinePct, role: role)
    }
}
