
/// An output line (the drive-enable relay, the warning lamp or buzzer) through libgpiod v2.
/// Requested de-energised; released (and so de-energised by the kernel) when the process
/// ends. A failed write leaves `failure` set for the control loop to report.
public final class GPIOOutput: EnableOutput, @unchecked Sendable {
    public let line: ResolvedLine
    private let request: GPIOLineRequest
    private let state = Locked<(energised: Bool, failure: String?)>((false, nil))

    public init(_ spec: GPIOLineSpec) throws(GPIOError) {
        line = try spec.resolve()
        request = try GPIOLineRequest([line], kind: .outputs)
    }

    public func set(_ energised: Bool) {
        state.withLock { s in
            do throws(GPIOError) {
                try request.set(line, active: energised)
                s.energised = energised
                s.failure = nil
            } catch {
                s.energised = false
                s.failure = error.description
            }
        }
    }

    public var isEnergised: Bool { state.withLock { $0.energised } }

    /// Why the last write failed, if it did.
    public var failure: String? { state.withLock { $0.failure } }
}
