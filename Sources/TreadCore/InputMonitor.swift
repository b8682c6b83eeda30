/// Turns input events into readings the control loop can trust, and decides which events need
/// a reaction before the next control tick. Pure: fed with events and time, no clock.
///
/// - Readings are *sticky towards unsafe*: `take(at:)` reports each line's worst value since
///   the previous take, so an e-stop pressed and released between two ticks still latches a
///   fault instead of vanishing.
/// - A line that changes more than `ChatterLimit.edges` times within `window` is implausible:
///   a fault naming it, held until the line has been quiet for `quiet`.
/// - A lost line reads unsafe until restored.
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

    public mutating func receive(_ event: InputEvent) -> Reflex {
        let line = event.line
        guard lines.contains(line) else { return .none }
        switch event {
        case .edge(_, let permissive, let at):
            let changed = known.contains(line) && levels[line] != permissive
            set(line, permissive)
            guard changed, lost[line] == nil else { return hardStopReflex(line, permissive) }
            if let f = countEdge(line, at: at) { return .trip(.sensor(f)) }
            return hardStopReflex(line, permissive)
        case .lost(_, let reason, _):
            let first = lost[line] == nil
            lost[line] = reason
            set(line, false)
            return first ? .trip(.sensor(SensorFault(line: line, reason: .unreadable(reason)))) : .none
        case .restored(_, let permissive, _):
            lost[line] = nil
            set(line, permissive)
            return hardStopReflex(line, permissive)
        }
    }

    /// The readings for one control tick: each line's worst value since the last take, and
    /// the first untrustworthy line, if any.
    public mutating func take(at now: Instant) -> SafetyInputs {
        for (line, c) in chattering where now - c.lastEdge >= chatter.quiet { chattering[line] = nil }
        var out = sticky
        out.sensorFault = currentSensorFault
        sticky = levels
        return out
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

    private func hardStopReflex(_ line: InputLine, _ permissive: Bool) -> Reflex {
        guard !permissive else { return .none }
        switch line {
        case .estop: return .trip(.estopOpen)
        case .safetyKey: return .trip(.safetyKeyPulled)
        case .railLeft, .railRight, .frontZone: return .none
        }
    }

    /// Records a change; returns a new chatter fault when this change crosses the limit.
    private mutating func countEdge(_ line: InputLine, at: Instant) -> SensorFault? {
        var times = recentEdges[line, default: []]
        times.append(at)
        times.removeAll { at - $0 >= chatter.window }
        if times.count > chatter.edges { times.removeFirst(times.count - chatter.edges - 1) }
        recentEdges[line] = times
        if var c = chattering[line] {
            c.lastEdge = at
            chattering[line] = c
            return nil
        }
        guard times.count > chatter.edges else { return nil }
        let f = SensorFault(line: line, reason: .chatter(edges: times.count, within: chatter.window))
        chattering[line] = (f, at)
        return f
    }
}
