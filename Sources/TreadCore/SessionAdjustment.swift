/// A change the member makes to a running session. Each passes the same limits as a program
/// at start and moves the belt only through the motion planner, so a skip into a reverse
/// segment still stops, verifies standstill, dwells and waits for the rails.
public enum SessionAdjustment: Hashable, Sendable {
    /// Ends the current segment now; the next one starts (through a direction change if needed).
    case skip
    /// Makes the current segment longer.
    case extend(Duration)
    /// Makes the session longer: the last segment (normally the cool-down) gets the time.
    case addTime(Duration)
    /// Changes the current segment's speed by a small step, up (positive) or down.
    case nudge(kmh: Double)

    /// The largest speed change one nudge may make: a member pressing "+" expects a small step.
    public static let maxNudge = 0.5
    /// The most one extend or add-time request may add.
    public static let maxExtension = Duration.seconds(600)
}

extension Treadmill {
    /// Applies `adjustment` to the running or paused session, or refuses it whole.
    mutating func adjust(_ adjustment: SessionAdjustment) throws(RequestError) {
        if let fault { throw .faulted(fault) }
        var s: SessionRunner
        switch mode {
        case .running(let r, _), .paused(let r, _): s = r
        case .idle, .stopping, .fault: throw .notActive
        }
        guard let current = s.current else { throw .notActive }
        let what: String
        // Published after the adjustment itself, so a listener (the history) knows why a
        // segment ended before it hears the next one started.
        var entered: TreadEvent?
        switch adjustment {
        case .skip:
            guard s.index + 1 < s.program.segments.count else {
                throw .adjustmentRefused("segment \(s.index + 1) is the last; use stop to end the session")
            }
            s.index += 1
            s.segmentElapsed = .zero
            what = "skipped to segment \(s.index + 1)"
            entered = .segmentStarted(index: s.index, segment: s.program.segments[s.index])
        case .extend(let d), .addTime(let d):
            guard d > .zero, d <= SessionAdjustment.maxExtension else {
                throw .adjustmentRefused("time added must be above 0 s and at most \(Int(SessionAdjustment.maxExtension.inSeconds)) s, got \(formatKmh(d.inSeconds)) s")
            }
            let target: Int
            if case .extend = adjustment { target = s.index } else { target = s.program.segments.count - 1 }
            s.program.segments[target].duration += d
            what = (target == s.index ? "segment \(target + 1)" : "last segment") + " extended by \(Int(d.inSeconds.rounded())) s"
        case .nudge(let delta):
            guard delta.isFinite, delta != 0, abs(delta) <= SessionAdjustment.maxNudge + 1e-9 else {
                throw .adjustmentRefused("a nudge changes speed by at most \(formatKmh(SessionAdjustment.maxNudge)) km/h, got \(delta)")
            }
            let speed = Speed.kmh(((current.speed.kmh + delta) * 100).rounded() / 100)
            let cap = limits.maxSpeed(current.direction)
            if speed > cap {
                throw .speedOutOfLimits("\(speed) is above the machine's \(current.direction.rawValue) limit of \(cap); speed unchanged at \(current.speed)")
            }
            if speed < limits.startSpeed {
                throw .speedOutOfLimits("\(speed) is below the start speed of \(limits.startSpeed); speed unchanged at \(current.speed)")
            }
            s.program.segments[s.index].speed = speed
            what = "\(current.direction.rawValue) speed \(current.speed) -> \(speed)"
        }
        mode = mode.with(s)
        pending.append(.sessionAdjusted(adjustment, description: what))
        if let entered { pending.append(entered) }
    }
}
