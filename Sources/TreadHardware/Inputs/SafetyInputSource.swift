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
    /// When the source's own thread last ticked (monotonic); nil for a source without one.
    /// The control loop counts every line lost when it grows old.
    var heartbeat: Instant? { get }
}

extension SafetyInputSource {
    public var heartbeat: Instant? { nil }
}

/// The fail-safe drive-enable output: energised means the drive may produce torque.
/// Wired so that de-energised (process gone, cable pulled) removes torque.
public protocol EnableOutput: AnyObject, Sendable {
    /// Writes the line. A write that fails throws, and the line's state is then unknown: the
    /// caller must treat a failed de-energise as a fault, never as "off".
    func set(_ energised: Bool) throws(OutputError)
    /// What the line was last written to; false also when unknown.
    var isEnergised: Bool { get }
    /// Energised, de-energised, or unknown after a failed write.
    var relayState: RelayState { get }
}

extension EnableOutput {
    public var relayState: RelayState { isEnergised ? .energised : .deenergised }
}

/// The enable relay as far as treadd can know it.
public enum RelayState: String, Hashable, Sendable {
    case energised, deenergised, unknown
}

/// A write to an output line that did not happen.
public enum OutputError: Error, Hashable, Sendable, CustomStringConvertible {
    case writeFailed(line: String, reason: String)

    public var description: String {
        switch self {
        case .writeFailed(let line, let reason): return "writing \(line) failed: \(reason)"
        }
    }
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
