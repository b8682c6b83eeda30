/// A program as structured data: what the program parser (a helper process) answers for a
/// program's text, so treadd itself never parses text a client sent. treadd checks every field
/// again when it turns this into a program (`Program(spec:file:)`); nothing here is trusted.
public struct ProgramSpec: Codable, Hashable, Sendable {
    public var name: String
    public var title: String
    public var items: [Item]

    /// One segment (`repeat` nil, one entry in `segments`) or a repeat block.
    public struct Item: Codable, Hashable, Sendable {
        public var repeatTimes: Int?
        public var segments: [SegmentSpec]
        enum CodingKeys: String, CodingKey { case repeatTimes = "repeat", segments }
        public init(repeatTimes: Int?, segments: [SegmentSpec]) { self.repeatTimes = repeatTimes; self.segments = segments }
    }

    public init(name: String, title: String, items: [Item]) { self.name = name; self.title = title; self.items = items }
}

public struct SegmentSpec: Codable, Hashable, Sendable {
    /// "forward" or "reverse".
    public var direction: String
    public var speedKmh: Double
    public var durationS: Double
    public var message: String?
    /// Line of the program's text the segment came from.
    public var line: Int?
    public var inclinePct: Double?
    /// "warmup", "main" or "cooldown".
    public var role: String

    enum CodingKeys: String, CodingKey {
        case direction, message, line, role
        case speedKmh = "speed_kmh", durationS = "duration_s", inclinePct = "incline_pct"
    }

    public init(direction: String, speedKmh: Double, durationS: Double, message: String?, line: Int?, inclinePct: Double?, role: String) {
        self.direction = direction; self.speedKmh = speedKmh; self.durationS = durationS
        self.message = message; self.line = line; self.inclinePct = inclinePct; self.role = role
    }
}

/// A problem the parser found, located in the program's text.
public struct LocatedProblem: Codable, Hashable, Sendable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String
    public init(file: String, line: Int?, key: String?, message: String) { self.file = file; self.line = line; self.key = key; self.message = message }
}
