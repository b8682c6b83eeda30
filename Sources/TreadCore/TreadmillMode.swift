/// What the treadmill is doing, with the data that only that state has: a session exists only
/// while one runs, pauses or stops; a fault only in `fault`; the windows a reset opens only in
/// `idle`. A state cannot hold another state's leftovers (a pause reason while running, a
/// fault while idle), so no code has to remember to clear them.
public enum TreadmillMode: Hashable, Sendable {
    case idle(AfterReset)
    /// `waitingForRails`: a reverse segment is ready and waits for the member to hold the rails.
    case running(SessionRunner, waitingForRails: Bool)
    case paused(SessionRunner, PauseReason)
    /// A controlled stop; the session ends when the belt is verified still.
    case stopping(SessionRunner)
    case fault(Fault)

    /// What a reset leaves behind for a while.
    public struct AfterReset: Hashable, Sendable {
        /// No start before this: a belt whose drive tripped or lost torque may coast while the
        /// drive reports 0 Hz.
        public var coastingUntil: Instant?
        /// A drive trip is not latched again before this, while the drive clears it.
        public var ignoreDriveTripUntil: Instant?

        public static let none = AfterReset(coastingUntil: nil, ignoreDriveTripUntil: nil)
    }

    public var state: TreadmillState {
        switch self {
        case .idle: return .idle
        case .running: return .running
        case .paused: return .paused
        case .stopping: return .stopping
        case .fault: return .fault
        }
    }

    public var session: SessionRunner? {
        switch self {
        case .running(let s, _), .paused(let s, _), .stopping(let s): return s
        case .idle, .fault: return nil
        }
    }

    /// The same state with its session replaced (an adjustment, time credited).
    func with(_ session: SessionRunner) -> TreadmillMode {
        switch self {
        case .running(_, let waiting): return .running(session, waitingForRails: waiting)
        case .paused(_, let reason): return .paused(session, reason)
        case .stopping: return .stopping(session)
        case .idle, .fault: return self
        }
    }
}
