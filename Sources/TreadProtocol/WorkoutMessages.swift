/// Messages for issue 7's methods: program detail and validation, members, history,
/// session adjustments. Keys are snake_case and stable, as in `Status`.

/// One segment of a program, as `programs.show` lists it.
public struct SegmentInfo: Codable, Hashable, Sendable {
    public var index: Int
    public var role: String
    public var direction: String
    public var speedKmh: Double
    public var durationS: Double
    public var inclinePct: Double?
    public var message: String?
    public var line: Int?
    /// Estimated energy of the segment as planned, for the member asked about; an estimate.
    public var energyKcalEstimate: Double?
    enum CodingKeys: String, CodingKey {
        case index, role, direction, message, line
        case speedKmh = "speed_kmh", durationS = "duration_s", inclinePct = "incline_pct", energyKcalEstimate = "energy_kcal_estimate"
    }
    public init(index: Int, role: String, direction: String, speedKmh: Double, durationS: Double, inclinePct: Double?, message: String?, line: Int?) {
        self.index = index; self.role = role; self.direction = direction; self.speedKmh = speedKmh
        self.durationS = durationS; self.inclinePct = inclinePct; self.message = message; self.line = line
    }
}

/// A program in full: its segments, planned distance, and its problems on this machine.
public struct ProgramDetail: Codable, Hashable, Sendable {
    public var summary: ProgramSummary
    public var segments: [SegmentInfo]
    public var forwardM: Double
    public var reverseM: Double
    /// Estimated energy for the member asked about (needs body mass); an estimate.
    public var energyKcalEstimate: Double?
    /// Every way the program breaks this machine's limits, `file:line: ...`; empty when it can run.
    public var problems: [String]
    enum CodingKeys: String, CodingKey {
        case summary, segments, problems
        case forwardM = "forward_m", reverseM = "reverse_m", energyKcalEstimate = "energy_kcal_estimate"
    }
    public init(summary: ProgramSummary, segments: [SegmentInfo], forwardM: Double, reverseM: Double, energyKcalEstimate: Double?, problems: [String]) {
        self.summary = summary; self.segments = segments; self.forwardM = forwardM; self.reverseM = reverseM
        self.energyKcalEstimate = energyKcalEstimate; self.problems = problems
    }
}

public struct MemberInfo: Codable, Hashable, Sendable {
    public var name: String
    public var bodyMassKg: Double?
    public var level: String
    enum CodingKeys: String, CodingKey { case name, level, bodyMassKg = "body_mass_kg" }
    public init(name: String, bodyMassKg: Double?, level: String) { self.name = name; self.bodyMassKg = bodyMassKg; self.level = level }
}

/// One session from the history.
public struct SessionInfo: Codable, Hashable, Sendable {
    public var id: String
    public var program: String
    public var member: String?
    /// Seconds since 1970.
    public var startedAt: Double
    public var endedAt: Double?
    /// running, finished, stopped, fault, interrupted.
    public var outcome: String
    public var plannedS: Double
    public var forwardS: Double
    public var reverseS: Double
    public var forwardM: Double
    public var reverseM: Double
    public var kcalEstimate: Double?
    public var segments: Int
    /// Warnings, pauses, rail releases, faults and adjustments, in order: "kind: message".
    public var notes: [String]
    enum CodingKeys: String, CodingKey {
        case id, program, member, outcome, segments, notes
        case startedAt = "started_at", endedAt = "ended_at", plannedS = "planned_s", forwardS = "forward_s", reverseS = "reverse_s"
        case forwardM = "forward_m", reverseM = "reverse_m", kcalEstimate = "kcal_estimate"
    }
    public init(id: String, program: String, member: String?, startedAt: Double, endedAt: Double?, outcome: String, plannedS: Double,
                forwardS: Double, reverseS: Double, forwardM: Double, reverseM: Double, kcalEstimate: Double?, segments: Int, notes: [String]) {
        self.id = id; self.program = program; self.member = member; self.startedAt = startedAt; self.endedAt = endedAt
        self.outcome = outcome; self.plannedS = plannedS; self.forwardS = forwardS; self.reverseS = reverseS
        self.forwardM = forwardM; self.reverseM = reverseM; self.kcalEstimate = kcalEstimate; self.segments = segments; self.notes = notes
    }
}

/// Totals of one calendar week (Monday to Sunday, the machine's local time).
public struct WeekTotals: Codable, Hashable, Sendable {
    /// The Monday the week starts, YYYY-MM-DD.
    public var week: String
    public var sessions: Int
    public var movingS: Double
    public var forwardM: Double
    public var reverseM: Double
    /// Share of moving time backwards, 0...1.
    public var reverseShare: Double
    public var kcalEstimate: Double?
    enum CodingKeys: String, CodingKey {
        case week, sessions
        case movingS = "moving_s", forwardM = "forward_m", reverseM = "reverse_m", reverseShare = "reverse_share", kcalEstimate = "kcal_estimate"
    }
    public init(week: String, sessions: Int, movingS: Double, forwardM: Double, reverseM: Double, reverseShare: Double, kcalEstimate: Double?) {
        self.week = week; self.sessions = sessions; self.movingS = movingS; self.forwardM = forwardM; self.reverseM = reverseM
        self.reverseShare = reverseShare; self.kcalEstimate = kcalEstimate
    }
}
