/// The methods a client may call. A new method is a new case here, a row in
/// docs/protocol.md, and (for clients that change the belt) `.control` access.
public enum Method: String, Codable, Sendable, CaseIterable {
    case status
    case start
    case stop
    case pause
    case resume
    case reset
    case watch
    case programsList = "programs.list"
    case simSet = "sim.set"

    /// Who may call a method. Anyone who can connect may read; changing the belt or the
    /// simulated inputs needs root, treadd's own user or membership of the socket group.
    public enum Access: String, Codable, Sendable {
        case read, control
    }

    public var access: Access {
        switch self {
        case .status, .watch, .programsList: return .read
        case .start, .stop, .pause, .resume, .reset, .simSet: return .control
        }
    }
}
