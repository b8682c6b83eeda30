/// Turns input events into readings the control loop can trust, and decides which events need
/// a reaction before the next control tick. Pure: fed with events and time, no clock.
///
/// - Readings are *sticky towards unsafe*: `take(at:)` reports each line's worst value since
///   the previous take, so an e-stop pressed and released between two ticks still latches a
///   fault instead of vanishing.
/// - A line that changes more than `ChatterLimit.edges` times within `window` is implausible:
///   a fault naming it, held until the line has been quiet for `quiet`.
/// - A lost line reads unsafe until restored.
/// - Trips are sticky too: every hard stop the reflex acted on is handed to the next take,
///   so the core latches a fault for each, even for a line lost and restored in between.
public struct InputMonitor: Sendable {
    public struct ChatterLimit: Hashable, Sendable {
        public var edges: Int
        public var window: Duration
        public var quiet: Duration

        /// Kernel debounce already swallows contact bounce; 10 debounced changes in a second
        /// is no person holding a rail.
        public init(edges: Int = 10, window: Duration = .seconds(1), quiet: Duration = .seconds(2)) {
            self.edges = max(2, edges)
            self.window = window
            self.quiet = quiet
        }
    }

    /// What the safety thread must do now, before the control loop's next tick.
    public enum Reflex: Hashable, Sendable {
        case none
        /// Drop enable, put a priority stop on the drive; the control loop latches the fault.
        case trip(Fault)
    }

    public let lines: Set<InputLine>
    public let chatter: ChatterLimit
    public private(set) var levels: SafetyInputs
    private var sticky: SafetyInputs
    private var recentEdges: [InputLine: [Instant]] = [:]
    private var chattering: [InputLine: (fault: SensorFault, lastEdge: Instant)] = [:]
    private var lost: [InputLine: String] = [:]
    /// Lines read at least once; before that a line is unsafe but not "was unsafe".
    private var known: Set<InputLine> = []
    /// Hard stops the reflex acted on since the last take, oldest first.
    private var trips: [Fault] = []
    /// The first sensor fault since the last take, kept after the line recovers.
    private var stickySensorFault: SensorFault?

    /// One tick's view: each line's worst reading since the last take, and every trip.
    public struct Take: Hashable, Sendable {
        public var inputs: SafetyInputs
        public var trips: [Fault]
    }

    /// Every configured line starts unsafe until its first reading arrives; lines the
    /// machine does not have (a front-zone sensor) read permissive.
    public init(lines: Set<InputLine>, chatter: ChatterLimit = ChatterLimit()) {
        self.lines = lines
        self.chatter = chatter
        var start = SafetyInputs()
        for l in InputLine.allCases where !lines.contains(l) { start[l] = true }
        levels = start
        sticky = start
    }

    /// Takes one event. The reflex is a trip, for the fault the one rule (`Interlock.hardStop`)
    /// names on the readings after the event, when the event made them worse: a new sensor
    /// fault, or an e-stop or key line going unsafe.
    public mutating func receive(_ event: InputEvent) -> Reflex {
        let line = event.line
        guard lines.contains(line) else { return .none }
        let before = Interlock.hardStop(peek())
        switch event {
        case .edge(_, let permissive, let at):
            let changed = known.contains(line) && levels[line] != permissive
            set(line, permissive)
            if changed, lost[line] == nil, let f = countEdge(line, at: at) { stickySensorFault = stickySensorFault ?? f }
        case .lost(_, let reason, _):
            if lost[line] == nil {
                stickySensorFault = stickySensorFault ?? SensorFault(line: line, reason: .unreadable(reason))
            }
            lost[line] = reason
            set(line, false)
        case .restored(_, let permissive, _):
            lost[line] = nil
            set(line, permissive)
        }
        guard let after = Interlock.hardStop(peek()) else { return .none }
        // Worse, not merely still unsafe: a new sensor fault, or an e-stop or key line going
        // unsafe. A healthy first reading of one line while another is still unread is not.
        let newSensorFault = if case .sensor = after { after != before } else { false }
        guard newSensorFault || (line.isHardStop && event.isUnsafeChange) else { return .none }
        trips.append(after)
        return .trip(after)
    }

    /// The readings for one control tick: each line's worst value since the last take, the
    /// first untrustworthy line since then, and every trip since then.
    public mutating func take(at now: Instant) -> Take {
        for (line, c) in chattering where now - c.lastEdge >= chatter.quiet { chattering[line] = nil }
        var out = sticky
        out.sensorFault = currentSensorFault ?? stickySensorFault
        sticky = levels
        stickySensorFault = nil
        defer { trips = [] }
        return Take(inputs: out, trips: trips)
    }

    /// Readings as they stand, without consuming the sticky values (for status and tools).
    public func peek() -> SafetyInputs {
        var out = levels
        out.sensorFault = currentSensorFault
        return out
    }

    private var currentSensorFault: SensorFault? {
        for line in InputLine.allCases {
            if let why = lost[line] { return SensorFault(line: line, reason: .unreadable(why)) }
            if let c = chattering[line] { return c.fault }
        }
        return nil
    }

    private mutating func set(_ line: InputLine, _ permissive: Bool) {
        levels[line] = permissive
        sticky[line] = known.insert(line).inserted ? permissive : sticky[line] && permissive
    }

    /// Records a change; returns a new chatter fault when this change crosses the limit.
    /// Runs before the enable write on every edge, so the line's times are changed in place
    /// in the dictionary's storage, never copied out and back.
    private mutating func countEdge(_ line: InputLine, at: Instant) -> SensorFault? {
        let count = Self.record(at, in: &recentEdges[line, default: []], window: chatter.window, keep: chatter.edges + 1)
        if var c = chattering[line] {
            c.lastEdge = at
            chattering[line] = c
            return nil
        }
        guard count > chatter.edges else { return nil }
        let f = SensorFault(line: line, reason: .chatter(edges: count, within: chatter.window))
        chattering[line] = (f, at)
        return f
    }
}

extension InputMonitor {
    /// Adds one edge's time to a line's recent ones, drops those a window old or more and all
    /// but the newest `keep`; returns how many are left.
    static func record(_ at: Instant, in times: inout [Instant], window: Duration, keep: Int) -> Int {
        times.append(at)
        times.removeAll { at - $0 >= window }
        if times.count > keep { times.removeFirst(times.count - keep) }
        return times.count
    }
}

extension InputLine {
    /// Lines whose unsafe reading is a hard stop by itself (the rest matter only in reverse).
    var isHardStop: Bool {
        switch self {
        case .estop, .safetyKey: return true
        case .railLeft, .railRight, .frontZone: return false
        }
    }
}

extension InputEvent {
    /// An edge to unsafe or a loss: what a reflex may have to act on again.
    var isUnsafeChange: Bool {
        switch self {
        case .edge(_, let permissive, _): return !permissive
        case .lost: return true
        case .restored(_, let permissive, _): return !permissive
        }
    }
}
