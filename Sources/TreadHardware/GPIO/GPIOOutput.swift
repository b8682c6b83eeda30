
/// An output line (the drive-enable relay, the warning lamp or buzzer) through libgpiod v2.
/// Requested de-energised; released (and so de-energised by the kernel) when the process
/// ends. A failed write throws and leaves the state unknown: the line may be either way.
public final class GPIOOutput: EnableOutput, @unchecked Sendable {
    public let line: ResolvedLine
    private let request: GPIOLineRequest
    private let state = Locked<RelayState>(.deenergised)

    public init(_ spec: GPIOLineSpec) throws(GPIOError) {
        line = try spec.resolve()
        request = try GPIOLineRequest([line], kind: .outputs)
    }

    public func set(_ energised: Bool) throws(OutputError) {
        try state.withLock { s throws(OutputError) in
            do throws(GPIOError) {
                try request.set(line, active: energised)
                s = energised ? .energised : .deenergised
            } catch {
                s = .unknown
                throw .writeFailed(line: "\(line)", reason: error.description)
            }
        }
    }

    public var isEnergised: Bool { state.withLock { $0 } == .energised }

    public var relayState: RelayState { state.withLock { $0 } }
}
