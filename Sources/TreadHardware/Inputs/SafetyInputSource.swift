import TreadCore

/// Where the safety inputs come from: GPIO lines on a real machine, or `SimulatedInputs`.
///
/// A source pushes events; it never decides anything. The first events after `start` are the
/// current level of every line, so nothing reads permissive before it has been read.
public protocol SafetyInputSource: AnyObject, Sendable {
    /// The lines this source reads.
    var lines: Set<InputLine> { get }
    /// Whether `sim.set` may change the inputs (only for simulated inputs).
    var isSimulated: Bool { get }
    /// Starts delivering events to `sink`, which must not block: it runs on the source's
    /// thread (GPIO) or the caller's (simulated).
    func start(_ sink: @escaping @Sendable (InputEvent) -> Void) throws(InputSourceError)
    /// Stops delivering events and releases the lines.
    func stop()
}

/// The fail-safe drive-enable output: energised means the drive may produce torque.
/// Wired so that de-energised (process gone, cable pulled) removes torque.
public protocol EnableOutput: AnyObject, Sendable {
    func set(_ energised: Bool)
    var isEnergised: Bool { get }
}

public enum InputSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    case gpio(GPIOError)
    case alreadyStarted

    public var description: String {
        switch self {
        case .gpio(let e): return e.description
        case .alreadyStarted: return "the input source is already started"
        }
    }
}
