import TreadCore
import TreadProtocol

extension ExportedActivity {
    /// A session's totals beyond what its written segments add up to, smaller than this
    /// (metres, seconds), are rounding, not a stretch of its own.
    static let remainderThreshold = 0.5

    /// The activity treadd recorded for a session.
    ///
    /// A segment is written when it ends, but the session's totals are checkpointed every
    /// 2 s: an interrupted session (treadd killed mid-segment) has more in its totals than in
    /// its segments. That remainder becomes a last lap, "after the last recorded segment",
    /// ending at the last checkpoint, so the file's laps add up to the session's totals.
    public init(_ detail: SessionDetail) {
        let s = detail.session
        let cutShort = s.outcome == "interrupted" || s.outcome == "running"
        let end = max(s.endedAt ?? detail.updatedAt, s.startedAt)
        var laps = detail.segments.map(Self.lap)
        let recorded = laps.reduce(into: (f: 0.0, r: 0.0, t: 0.0, k: 0.0)) { a, l in
            a.f += l.forwardM; a.r += l.reverseM; a.t += l.movingS; a.k += l.kcal ?? 0
        }
        let rest = (f: max(0, s.forwardM - recorded.f), r: max(0, s.reverseM - recorded.r),
                    t: max(0, s.forwardS + s.reverseS - recorded.t))
        let lastEnd = laps.last?.endedAt ?? s.startedAt
        if laps.isEmpty || rest.f + rest.r > Self.remainderThreshold || rest.t > Self.remainderThreshold {
            laps.append(Lap(startedAt: lastEnd, elapsedS: max(0, end - lastEnd), movingS: rest.t, forwardM: rest.f, reverseM: rest.r,
                            kcal: s.kcalEstimate.map { max(0, $0 - recorded.k) }, intensity: .active, trigger: .sessionEnd,
                            description: cutShort ? "after the last recorded segment, up to the last checkpoint before treadd stopped"
                                                  : "after the last recorded segment"))
        }
        self.init(sessionID: s.id, sport: Self.sport(of: laps), startedAt: s.startedAt, endedAt: max(end, laps.last?.endedAt ?? end),
                  laps: laps, forwardM: s.forwardM, reverseM: s.reverseM, movingS: s.forwardS + s.reverseS, reverseS: s.reverseS,
                  kcal: s.kcalEstimate, cutShort: cutShort, notes: "")
        notes = ActivityNotes.text(for: self, detail)
    }

    static func lap(_ g: SessionDetail.SegmentRecord) -> Lap {
        let intensity: Lap.Intensity = g.role == "warmup" ? .warmup : g.role == "cooldown" ? .cooldown : .active
        let trigger: Lap.Trigger
        switch g.outcome {
        case "completed": trigger = .time
        case "skipped", "stopped": trigger = .manual
        default: trigger = .sessionEnd
        }
        let planned = "\(g.direction) at \(formatted(g.speedKmh)) km/h, \(Int(g.plannedS.rounded())) s planned"
        return Lap(startedAt: g.startedAt, elapsedS: max(0, g.endedAt - g.startedAt), movingS: g.forwardS + g.reverseS,
                   forwardM: g.forwardM, reverseM: g.reverseM, kcal: g.kcalEstimate, intensity: intensity, trigger: trigger,
                   description: "segment \(g.index + 1): \(planned); \(g.outcome)")
    }

    /// Running when most of the time on the belt was at running speed (ACSM's 134 m/min,
    /// `EnergyModel.runningFrom`, the same line the energy estimate draws), walking otherwise.
    static func sport(of laps: [Lap]) -> Sport {
        let running = laps.filter { $0.averageSpeed * 3.6 >= EnergyModel.runningFrom.kmh }.reduce(0) { $0 + $1.movingS }
        let all = laps.reduce(0) { $0 + $1.movingS }
        return all > 0 && running * 2 >= all ? .running : .walking
    }

    static func formatted(_ v: Double) -> String {
        let tenths = (v * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths)).0" : "\(tenths)"
    }
}
