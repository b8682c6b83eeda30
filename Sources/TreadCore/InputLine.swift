/// The safety inputs a treadmill can have. Each reads `true` in its healthy, permissive state
/// (e-stop circuit closed, key in, rail held, front zone clear), so a cut cable on a
/// normally-closed circuit reads as the unsafe value.
public enum InputLine: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case estop
    case safetyKey = "safety_key"
    case railLeft = "rail_left"
    case railRight = "rail_right"
    /// Optional presence sensor in the zone in front of the member: in reverse a member who
    /// falls is carried towards the console, where the tether can go slack.
    case frontZone = "front_zone"

    public var description: String { rawValue }

    /// Hashes the case, not its name. The reflex path looks lines up in sets and dictionaries
    /// before it writes the enable output, and the hashing a raw-value enum gets by default
    /// hashes the raw String: a quarter of the instructions from an e-stop edge to the enable
    /// write went there (docs/benchmarks.md, "Where the time goes").
    public func hash(into hasher: inout Hasher) {
        let ordinal: UInt8
        switch self {
        case .estop: ordinal = 0
        case .safetyKey: ordinal = 1
        case .railLeft: ordinal = 2
        case .railRight: ordinal = 3
        case .frontZone: ordinal = 4
        }
        hasher.combine(ordinal)
    }

    /// Words for the two states, as a technician wiring the machine says them.
    public func word(_ permissive: Bool) -> String {
        switch self {
        case .estop: return permissive ? "closed" : "open"
        case .safetyKey: return permissive ? "inserted" : "pulled"
        case .railLeft, .railRight: return permissive ? "held" : "released"
        case .frontZone: return permissive ? "clear" : "occupied"
        }
    }

    /// Parses a state word (either of `word(_:)`'s, plus closed/open for the key).
    public func parse(_ text: String) -> Bool? {
        if text == word(true) { return true }
        if text == word(false) { return false }
        if self == .safetyKey { return text == "closed" ? true : text == "open" ? false : nil }
        return nil
    }
}

/// Something the input hardware reported, with the time it happened (the kernel's monotonic
/// timestamp for GPIO edges).
public enum InputEvent: Hashable, Sendable {
    /// A line took a new (debounced) level; `permissive` is the healthy reading.
    case edge(InputLine, permissive: Bool, at: Instant)
    /// A line can no longer be read: its request failed or its chip went away.
    case lost(InputLine, reason: String, at: Instant)
    /// A lost line is readable again, with its current level.
    case restored(InputLine, permissive: Bool, at: Instant)

    public var line: InputLine {
        switch self {
        case .edge(let l, _, _), .lost(let l, _, _), .restored(let l, _, _): return l
        }
    }

    /// For the event stream and the wiring tool.
    public var message: String {
        switch self {
        case .edge(let l, let p, _): return "\(l) \(l.word(p))"
        case .lost(let l, let why, _): return "\(l) lost: \(why)"
        case .restored(let l, let p, _): return "\(l) restored, \(l.word(p))"
        }
    }

    public var at: Instant {
        switch self {
        case .edge(_, _, let t), .lost(_, _, let t), .restored(_, _, let t): return t
        }
    }
}

/// A safety input that cannot be trusted: its reading is treated as unsafe until it is sound
/// again, and the treadmill latches a fault naming it.
public struct SensorFault: Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// More edges inside the window than a person or a switch makes: a loose contact or
        /// a broken sensor.
        case chatter(edges: Int, within: Duration)
        /// The line cannot be read (request failed, chip gone).
        case unreadable(String)
    }

    public var line: InputLine
    public var reason: Reason

    public init(line: InputLine, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .chatter(let n, let w):
            return "input \(line) is chattering (\(n) changes within \(w.inSeconds) s): check its wiring and sensor"
        case .unreadable(let why):
            return "input \(line) cannot be read: \(why)"
        }
    }
}
