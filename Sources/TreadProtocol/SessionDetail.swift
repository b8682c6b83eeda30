/// One session in full, as `history.session` returns it: the session's totals, every segment
/// that was written (with what the belt measured in it) and the session's events. What an
/// export (TCX, FIT) is made from; keys are snake_case and stable, as in `SessionInfo`.
public struct SessionDetail: Codable, Hashable, Sendable {
    public var session: SessionInfo
    /// The program's title when the session started.
    public var title: String
    /// Planned time backwards, seconds (the program's, before adjustments).
    public var plannedReverseS: Double
    /// Seconds since 1970 of the last write of the totals (a checkpoint every 2 s, or the end):
    /// for an interrupted session, the last moment anything was recorded.
    public var updatedAt: Double
    /// In the order they were run. A segment is written when it ends, so an interrupted
    /// session lacks the one it was in; the session's totals still hold its checkpointed part.
    public var segments: [SegmentRecord]
    public var events: [SessionEvent]
    enum CodingKeys: String, CodingKey {
        case session, title, segments, events
        case plannedReverseS = "planned_reverse_s", updatedAt = "updated_at"
    }
    public init(session: SessionInfo, title: String, plannedReverseS: Double, updatedAt: Double, segments: [SegmentRecord], events: [SessionEvent]) {
        self.session = session; self.title = title; self.plannedReverseS = plannedReverseS; self.updatedAt = updatedAt
        self.segments = segments; self.events = events
    }

    /// One segment as it was run: the program's plan for it and what the belt measured.
    public struct SegmentRecord: Codable, Hashable, Sendable {
        /// 0-based position in the program.
        public var index: Int
        /// warmup, main, cooldown.
        public var role: String
        /// forward, reverse.
        public var direction: String
        /// Planned (after any nudge), not measured.
        public var speedKmh: Double
        public var inclinePct: Double?
        public var plannedS: Double
        /// Seconds since 1970; a segment starts where the one before it ended (ramps and
        /// dwells belong to the segment they lead into).
        public var startedAt: Double
        public var endedAt: Double
        /// Measured: time the belt moved and the distance it moved, by direction.
        public var forwardS: Double
        public var reverseS: Double
        public var forwardM: Double
        public var reverseM: Double
        public var kcalEstimate: Double?
        /// completed, skipped, stopped, fault, interrupted.
        public var outcome: String
        enum CodingKeys: String, CodingKey {
            case index, role, direction, outcome
            case speedKmh = "speed_kmh", inclinePct = "incline_pct", plannedS = "planned_s", startedAt = "started_at", endedAt = "ended_at"
            case forwardS = "forward_s", reverseS = "reverse_s", forwardM = "forward_m", reverseM = "reverse_m", kcalEstimate = "kcal_estimate"
        }
        public init(index: Int, role: String, direction: String, speedKmh: Double, inclinePct: Double?, plannedS: Double, startedAt: Double,
                    endedAt: Double, forwardS: Double, reverseS: Double, forwardM: Double, reverseM: Double, kcalEstimate: Double?, outcome: String) {
            self.index = index; self.role = role; self.direction = direction; self.speedKmh = speedKmh; self.inclinePct = inclinePct
            self.plannedS = plannedS; self.startedAt = startedAt; self.endedAt = endedAt; self.forwardS = forwardS; self.reverseS = reverseS
            self.forwardM = forwardM; self.reverseM = reverseM; self.kcalEstimate = kcalEstimate; self.outcome = outcome
        }
    }

    /// A warning, pause, resume, rail release, fault or adjustment during the session.
    public struct SessionEvent: Codable, Hashable, Sendable {
        /// Seconds since 1970.
        public var at: Double
        public var kind: String
        public var code: String?
        public var message: String
        public init(at: Double, kind: String, code: String?, message: String) {
            self.at = at; self.kind = kind; self.code = code; self.message = message
        }
    }
}
