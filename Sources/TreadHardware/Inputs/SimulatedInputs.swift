import Synchronization
import TreadCore

/// Safety inputs held in memory and changed at run time (`treadctl sim set rail_left=held`).
/// For demos and tests on machines without the real switches.
public final class SimulatedInputs: SafetyInputSource {
    public enum Input: String, CaseIterable, Sendable {
        case railLeft = "rail_left"
        case railRight = "rail_right"
        case estop
        case safetyKey = "safety_key"
    }

    public enum InputError: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownInput(String)
        case invalidValue(input: String, value: String)

        public var description: String {
            switch self {
            case .unknownInput(let n):
                return "unknown input '\(n)'; expected one of: " + Input.allCases.map(\.rawValue).joined(separator: ", ")
            case .invalidValue(let i, let v):
                return "'\(v)' is not a value for \(i); rails take held|released, estop and safety_key take closed|open"
            }
        }
    }

    private let state: Mutex<SafetyInputs>

    public init(_ initial: SafetyInputs = .ready) { state = Mutex(initial) }

    public var isSimulated: Bool { true }

    public func snapshot() -> SafetyInputs { state.withLock { $0 } }

    /// Sets one input from its textual value: rails `held|released`; estop `closed|open`
    /// (closed = healthy circuit); safety_key `closed|open` or `inserted|pulled`.
    public func set(_ name: String, to value: String) throws(InputError) {
        guard let input = Input(rawValue: name) else { throw .unknownInput(name) }
        let on: Bool
        switch (input, value) {
        case (.railLeft, "held"), (.railRight, "held"): on = true
        case (.railLeft, "released"), (.railRight, "released"): on = false
        case (.estop, "closed"), (.safetyKey, "closed"), (.safetyKey, "inserted"): on = true
        case (.estop, "open"), (.safetyKey, "open"), (.safetyKey, "pulled"): on = false
        default: throw .invalidValue(input: name, value: value)
        }
        state.withLock { s in
            switch input {
            case .railLeft: s.railLeftHeld = on
            case .railRight: s.railRightHeld = on
            case .estop: s.estopClosed = on
            case .safetyKey: s.keyInserted = on
            }
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
