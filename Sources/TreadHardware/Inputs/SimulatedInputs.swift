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
            s.sink?(.edge(line, permissive: permissive, at: time ?? MonotonicClock.now()))
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
public final class SimulatedEnableOutput: EnableOutput {
    private let state = Atomic<Bool>(false)
    public init() {}
    public func set(_ energised: Bool) { state.store(energised, ordering: .releasing) }
    public var isEnergised: Bool { state.load(ordering: .acquiring) }
}
