/// Something the member or a technician should hear about, published once when it happens.
public enum TreadEvent: Hashable, Sendable {
    case sessionStarted(program: String)
    case segmentStarted(index: Int, segment: Segment)
    case directionChangeAnnounced(to: Direction, in: Duration)
    case waitingForRails
    case railWarning(grace: Duration)
    case railWarningCleared
    case paused(PauseReason)
    case resumed
    case sessionFinished
    case sessionStopped
    case faultLatched(Fault)
    case faultCleared
    /// The member changed the running session (skip, extend, add time, nudge).
    case sessionAdjusted(SessionAdjustment, description: String)

    /// A stable identifier for the socket API.
    public var kind: String {
        switch self {
        case .sessionStarted: return "session_started"
        case .segmentStarted: return "segment_started"
        case .directionChangeAnnounced: return "direction_change"
        case .waitingForRails: return "waiting_for_rails"
        case .railWarning: return "rail_warning"
        case .railWarningCleared: return "rail_warning_cleared"
        case .paused: return "paused"
        case .resumed: return "resumed"
        case .sessionFinished: return "session_finished"
        case .sessionStopped: return "session_stopped"
        case .faultLatched: return "fault"
        case .faultCleared: return "fault_cleared"
        case .sessionAdjusted: return "session_adjusted"
        }
    }

    public var isWarning: Bool {
        switch self {
        case .railWarning, .waitingForRails: return true
        case .sessionStarted, .segmentStarted, .directionChangeAnnounced, .railWarningCleared, .paused, .resumed,
             .sessionFinished, .sessionStopped, .faultLatched, .faultCleared, .sessionAdjusted: return false
        }
    }

    public var message: String {
        switch self {
        case .sessionStarted(let p): return "session started: \(p)"
        case .segmentStarted(let i, let s):
            return "segment \(i + 1): \(s.direction.rawValue) at \(s.speed) for \(Int(s.duration.inSeconds)) s"
                + (s.message.map { " - \($0)" } ?? "")
        case .directionChangeAnnounced(let d, let t):
            return "belt stopped; \(d.rawValue) in \(Int(t.inSeconds.rounded())) s" + (d == .reverse ? ": hold the rails" : "")
        case .waitingForRails: return "hold the rails to start the reverse segment"
        case .railWarning(let g): return "rail released: hold the rails or the belt stops in \(formatKmh(g.inSeconds)) s"
        case .railWarningCleared: return "rails held again"
        case .paused(let r): return "paused: \(r.description)"
        case .resumed: return "resumed"
        case .sessionFinished: return "session finished"
        case .sessionStopped: return "session stopped"
        case .faultLatched(let f): return "fault: \(f.description)"
        case .faultCleared: return "fault reset"
        case .sessionAdjusted(_, let what): return "session adjusted: \(what)"
        }
    }
}

public enum PauseReason: String, Hashable, Sendable, CustomStringConvertible {
    case request
    case railsReleased = "rails_released"
    case frontZoneOccupied = "front_zone_occupied"

    public var description: String {
        switch self {
        case .request: return "paused on request"
        case .railsReleased: return "rails released during reverse; hold the rails and resume"
        case .frontZoneOccupied: return "someone is in the front zone during reverse; make sure the member is safe, then resume"
        }
    }
}
