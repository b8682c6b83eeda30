import TreadProtocol

/// Recorded sessions as treadd's `history.session` returns them, for the encoders' tests.
enum SampleSessions {
    static let start = 1_796_000_000.0  // 2026-11-30T00:53:20Z

    static func segment(_ index: Int, _ direction: String, kmh: Double, from: Double, seconds: Double, moving: Double? = nil,
                        kcal: Double? = 2.5, outcome: String = "completed", role: String = "main") -> SessionDetail.SegmentRecord {
        let m = kmh / 3.6 * (moving ?? seconds)
        return SessionDetail.SegmentRecord(index: index, role: role, direction: direction, speedKmh: kmh, inclinePct: nil, plannedS: seconds,
                                           startedAt: from, endedAt: from + seconds,
                                           forwardS: direction == "forward" ? (moving ?? seconds) : 0, reverseS: direction == "reverse" ? (moving ?? seconds) : 0,
                                           forwardM: direction == "forward" ? m : 0, reverseM: direction == "reverse" ? m : 0,
                                           kcalEstimate: kcal, outcome: outcome)
    }

    static func detail(_ segments: [SessionDetail.SegmentRecord], outcome: String = "finished", extra: (f: Double, r: Double, s: Double) = (0, 0, 0),
                       endedAt: Double? = nil, kcal: Bool = true, events: [SessionDetail.SessionEvent] = []) -> SessionDetail {
        let f = segments.reduce(0) { $0 + $1.forwardM } + extra.f
        let r = segments.reduce(0) { $0 + $1.reverseM } + extra.r
        let fs = segments.reduce(0) { $0 + $1.forwardS } + extra.s
        let rs = segments.reduce(0) { $0 + $1.reverseS }
        let end = endedAt ?? (segments.last?.endedAt ?? start)
        let k = kcal ? segments.reduce(0) { $0 + ($1.kcalEstimate ?? 0) } + (extra.s > 0 ? 1 : 0) : nil
        let info = SessionInfo(id: "3f2a9c1d-0000-4000-8000-00000000abcd", program: "intervals", member: kcal ? "anna" : nil, startedAt: start,
                               endedAt: end, outcome: outcome, plannedS: 600, forwardS: fs, reverseS: rs, forwardM: f, reverseM: r,
                               kcalEstimate: k, segments: segments.count, notes: [])
        return SessionDetail(session: info, title: "Intervals <fwd & back>", plannedReverseS: 120, updatedAt: end, segments: segments, events: events)
    }

    /// Warm-up walk, a reverse walk, a run, a cool-down: finished as planned.
    static let finished = detail([
        segment(0, "forward", kmh: 5.0, from: start, seconds: 60, moving: 58, role: "warmup"),
        segment(1, "reverse", kmh: 3.0, from: start + 60, seconds: 60, moving: 57),
        segment(2, "forward", kmh: 10.0, from: start + 120, seconds: 240, moving: 238),
        segment(3, "forward", kmh: 4.0, from: start + 360, seconds: 60, moving: 59, role: "cooldown"),
    ])

    /// treadd killed 30 s into the third segment: two segments written, the rest only in the
    /// session's checkpointed totals.
    static let interrupted = detail([
        segment(0, "forward", kmh: 5.0, from: start, seconds: 60, moving: 58),
        segment(1, "reverse", kmh: 3.0, from: start + 60, seconds: 60, moving: 57),
    ], outcome: "interrupted", extra: (f: 10.0 / 3.6 * 28, r: 0, s: 28), endedAt: start + 150)
}
