import Synchronization
import TreadCore

/// Safety inputs held in memory and changed at run time (`treadctl sim set rail_left=held`).
/// For demos and tests on machines without the real switches. A change becomes an edge
/// event, so simulated inputs take the same reaction path as GPIO edges.
public final class SimulatedInputs: SafetyInputSource {
    public enum InputError: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownInput(String)
        case invalidValue(input: String, value: String)

        public var description: String {
            switch self {
            case .unknownInput(let n):
                return "unknown input '\(n)'; expected one of: " + InputLine.allCases.map(\.rawValue).joined(separator: ", ")
            case .invalidValue(let i, let v):
                let line = InputLine(rawValue: i)
                let words = line.map { "\($0.word(true))|\($0.word(false))" } ?? "?"
                return "'\(v)' is not a value for \(i); it takes \(words)"
            }
        }
    }

    private struct State {
        var levels: SafetyInputs
        var sink: (@Sendable (InputEvent) -> Void)?
        /// Set by `haltThread`: the source behaves as an input thread that died, delivering
        /// nothing and ticking no more, so the supervision of a dead thread can be tested.
        var haltedAt: Instant?
    }

    private let state: Locked<State>
    public let lines: Set<InputLine>

    public init(_ initial: SafetyInputs = .ready, lines: Set<InputLine> = [.estop, .safetyKey, .railLeft, .railRight]) {
        state = Locked(State(levels: initial, sink: nil))
        self.lines = lines
    }

    public var isSimulated: Bool { true }

    public func start(_ sink: @escaping @Sendable (InputEvent) -> Void) throws(InputSourceError) {
        let levels: SafetyInputs = try state.withLock { s throws(InputSourceError) in
            guard s.sink == nil else { throw .alreadyStarted }
            s.sink = sink
            return s.levels
        }
        let now = MonotonicClock.now()
        for line in InputLine.allCases where lines.contains(line) { sink(.edge(line, permissive: levels[line], at: now)) }
    }

    public func stop() { state.withLock { $0.sink = nil } }

    /// Now, as a live thread's heartbeat would read; frozen once halted.
    public var heartbeat: Instant? { state.withLock { $0.haltedAt } ?? MonotonicClock.now() }

    /// Acts as an input thread that died: no more events, the heartbeat frozen.
    public func haltThread() { state.withLock { s in s.haltedAt = s.haltedAt ?? MonotonicClock.now() } }

    /// The "thread" runs again: every line is reported restored at its level.
    public func resumeThread() {
        state.withLock { s in
            guard s.haltedAt != nil else { return }
            s.haltedAt = nil
            let now = MonotonicClock.now()
            for line in InputLine.allCases where lines.contains(line) { s.sink?(.restored(line, permissive: s.levels[line], at: now)) }
        }
    }

    /// The levels as last set.
    public var levels: SafetyInputs { state.withLock { $0.levels } }

    /// Sets one input from its textual value: rails `held|released`; estop `closed|open`
    /// (closed = healthy circuit); safety_key `inserted|pulled` (or `closed|open`);
    /// front_zone `clear|occupied`.
    public func set(_ name: String, to value: String) throws(InputError) {
        guard let line = InputLine(rawValue: name), lines.contains(line) else { throw .unknownInput(name) }
        guard let on = line.parse(value) else { throw .invalidValue(input: name, value: value) }
        set(line, on)
    }

    /// Sets one line and delivers the edge before returning (the benchmark and tests rely on
    /// that). Delivered under the lock so concurrent changes arrive in the order they were made.
    public func set(_ line: InputLine, _ permissive: Bool, at time: Instant? = nil) {
        state.withLock { s in
            s.levels[line] = permissive
            if s.haltedAt == nil { s.sink?(.edge(line, permissive: permissive, at: time ?? MonotonicClock.now())) }
        }
    }

    /// Reports a line as unreadable, as a vanished GPIO chip would.
    public func lose(_ line: InputLine, reason: String) {
        state.withLock { s in
            s.sink?(.lost(line, reason: reason, at: MonotonicClock.now()))
        }
    }

    /// Makes a lost line readable again at its last level.
    public func restore(_ line: InputLine) {
        state.withLock { s in
            s.sink?(.restored(line, permissive: s.levels[line], at: MonotonicClock.now()))
        }
    }
}

/// An enable output that only remembers its state; shown in status for simulated machines.
/// `failing` makes every write fail (`treadctl sim set enable_output=failing`), as a broken
/// GPIO line would, so the fault path can be tested on a running daemon.
public final class SimulatedEnableOutput: EnableOutput {
    private let state = Atomic<Int>(0)  // 0 de-energised, 1 energised, 2 unknown
    private let failingWrites = Atomic<Bool>(false)
    public init() {}

    public func set(_ energised: Bool) throws(OutputError) {
        if failingWrites.load(ordering: .acquiring) {
            state.store(2, ordering: .releasing)
            throw .writeFailed(line: "simulated drive_enable", reason: "injected failure")
        }
        state.store(energised ? 1 : 0, ordering: .releasing)
    }

    public var isEnergised: Bool { state.load(ordering: .acquiring) == 1 }

    public var relayState: RelayState {
        switch state.load(ordering: .acquiring) {
        case 1: return .energised
        case 0: return .deenergised
        default: return .unknown
        }
    }

    /// Whether writes fail from now on.
    public var failing: Bool {
        get { failingWrites.load(ordering: .acquiring) }
        set { failingWrites.store(newValue, ordering: .releasing) }
    }
}
