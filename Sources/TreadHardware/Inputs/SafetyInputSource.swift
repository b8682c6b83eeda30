import TreadCore

/// Where the safety inputs come from: GPIO lines on a real machine, or `SimulatedInputs`.
public protocol SafetyInputSource: AnyObject, Sendable {
    /// The latest reading; never blocks.
    func snapshot() -> SafetyInputs
    /// Whether `sim.set` may change the inputs (only for simulated inputs).
    var isSimulated: Bool { get }
}

/// The fail-safe drive-enable output: energised means the drive may produce torque.
/// Wired so that de-energised (process gone, cable pulled) removes torque.
public protocol EnableOutput: AnyObject, Sendable {
    func set(_ energised: Bool)
    var isEnergised: Bool { get }
}
