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
    /// When `haltThread` stopped the "thread" (ns), 0 while it runs: the source then behaves
    /// as an input thread that died, delivering nothing and ticking no more, so the supervision
    /// of a dead thread can be tested. Atomic, as GPIOInputs' heartbeat is: the control loop
    /// reads the heartbeat every tick, and behind the lock it waited for whole reflexes (an
    /// edge is delivered under the lock), and a reflex at SCHED_FIFO that preempted a tick
    /// reading it waited for that tick (docs/benchmarks.md, "Where the time goes").
    private let haltedAt = Atomic<Int64>(0)
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
    public var heartbeat: Instant? {
        let halted = haltedAt.load(ordering: .acquiring)
        return halted == 0 ? MonotonicClock.now() : Instant(nanoseconds: halted)
    }

    /// Acts as an input thread that died: no more events, the heartbeat frozen.
    public func haltThread() {
        state.withLock { _ in
            if haltedAt.load(ordering: .acquiring) == 0 { haltedAt.store(max(1, MonotonicClock.now().nanoseconds), ordering: .releasing) }
        }
    }

    /// The "thread" runs again: every line is reported restored at its level.
    public func resumeThread() {
        state.withLock { s in
            guard haltedAt.load(ordering: .acquiring) != 0 else { return }
            haltedAt.store(0, ordering: .releasing)
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
            if haltedAt.load(ordering: .acquiring) == 0 { s.sink?(.edge(line, permissive: permissive, at: time ?? MonotonicClock.now())) }
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
