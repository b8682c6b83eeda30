/// Why the treadmill refused a request. Every case has a stable code and a sentence that
/// tells the member or technician what to do.
public enum RequestError: Error, Hashable, Sendable, CustomStringConvertible {
    case busy(TreadmillState)
    case faulted(Fault)
    case notActive
    case notPaused
    case alreadyPaused
    case railsNotHeld
    case frontZoneOccupied
    case programRejected([ProgramViolation])
    case driveNotReady(String)
    case unsafeInputs(Fault)
    case causePersists(Fault)
    case nothingToReset
    /// A session adjustment that would break a machine limit (named in the text); never clamped.
    case speedOutOfLimits(String)
    /// A session adjustment that cannot apply now (the last segment has no next, a step too big).
    case adjustmentRefused(String)
    /// treadd is shutting down (systemctl stop): it brings the belt to a verified stop and
    /// accepts no control request until it has restarted.
    case shuttingDown

    public var code: String {
        switch self {
        case .busy: return "busy"
        case .faulted: return "faulted"
        case .notActive: return "not_active"
        case .notPaused: return "not_paused"
        case .alreadyPaused: return "already_paused"
        case .railsNotHeld: return "rails_not_held"
        case .frontZoneOccupied: return "front_zone_occupied"
        case .programRejected: return "program_rejected"
        case .driveNotReady: return "drive_not_ready"
        case .unsafeInputs: return "unsafe_inputs"
        case .causePersists: return "cause_persists"
        case .nothingToReset: return "nothing_to_reset"
        case .speedOutOfLimits: return "speed_out_of_limits"
        case .adjustmentRefused: return "adjustment_refused"
        case .shuttingDown: return "shutting_down"
        }
    }

    public var description: String {
        switch self {
        case .busy(let s): return "a session is already \(s.rawValue); stop it first"
        case .faulted(let f): return "treadmill is faulted (\(f.description)); reset first"
        case .notActive: return "no session is running"
        case .notPaused: return "the session is not paused"
        case .alreadyPaused: return "the session is already paused"
        case .railsNotHeld: return "hold the rails to resume a reverse segment"
        case .frontZoneOccupied: return "the front zone is occupied; clear it before resuming a reverse segment"
        case .programRejected(let v): return "program rejected: " + v.map(\.description).joined(separator: "; ")
        case .driveNotReady(let why): return "motor drive not ready: \(why)"
        case .unsafeInputs(let f): return "cannot start: \(f.description)"
        case .causePersists(let f): return "cannot reset while the cause persists: \(f.description)"
        case .nothingToReset: return "there is no fault to reset"
        case .speedOutOfLimits(let why): return why
        case .adjustmentRefused(let why): return why
        case .shuttingDown: return "treadd is shutting down: the belt is being brought to a stop and no control request is accepted"
        }
    }
}

public enum TreadmillState: String, Hashable, Sendable {
    case idle, running, paused, stopping, fault
}
