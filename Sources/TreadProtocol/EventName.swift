/// What a subscriber is told, `{"event":"...","category":"...","message":"...","status":{...}}`.
///
/// Like `ErrorCode`, a struct so an older client still decodes an event a newer treadd adds;
/// such a client can still act on its `category`, which is one of four and will stay four.
public struct EventName: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    /// The status, five times a second while the daemon runs, and on every state change.
    public static let progress: EventName = "progress"

    public static let sessionStarted: EventName = "session_started"
    public static let segmentStarted: EventName = "segment_started"
    /// A direction change is coming: the belt stops, dwells, then runs the other way.
    public static let directionChange: EventName = "direction_change"
    public static let paused: EventName = "paused"
    public static let resumed: EventName = "resumed"
    public static let sessionFinished: EventName = "session_finished"
    public static let sessionStopped: EventName = "session_stopped"
    public static let faultCleared: EventName = "fault_cleared"
    /// A safety input changed (rail, e-stop, safety key); the message says which and how.
    public static let input: EventName = "input"
    /// The member skipped, extended, added time or nudged the speed; the message says what.
    public static let sessionAdjusted: EventName = "session_adjusted"

    /// A reverse segment waits for the member to hold the rails.
    public static let waitingForRails: EventName = "waiting_for_rails"
    /// A rail was let go during reverse: the belt stops after the grace unless it is held again.
    public static let railWarning: EventName = "rail_warning"
    public static let railWarningCleared: EventName = "rail_warning_cleared"

    /// A fault latched: the belt is stopped and stays stopped until `reset`.
    public static let fault: EventName = "fault"

    /// Every event this version sends, in documentation order.
    public static let documented: [EventName] = [
        .progress,
        .sessionStarted, .segmentStarted, .directionChange, .paused, .resumed, .sessionFinished, .sessionStopped, .faultCleared, .input, .sessionAdjusted,
        .waitingForRails, .railWarning, .railWarningCleared,
        .fault,
    ]

    /// The category this version assigns; an event it does not know is a state change.
    public var category: EventCategory {
        switch self {
        case .progress: return .progress
        case .waitingForRails, .railWarning, .railWarningCleared: return .warning
        case .fault: return .fault
        default: return .state
        }
    }
}

/// The four kinds of event a subscriber can rely on: a display needs `progress`, a front
/// desk wants `warning` and `fault`, a log wants `state`.
public enum EventCategory: String, Codable, Hashable, Sendable, CaseIterable {
    /// The periodic status.
    case progress
    /// The session or the machine moved from one state to another.
    case state
    /// Something the member must do now, or the belt will stop (and its all-clear).
    case warning
    /// A latched fault: the belt has stopped.
    case fault
}
