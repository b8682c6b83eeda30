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
    case programsShow = "programs.show"
    case programsValidate = "programs.validate"
    case sessionSkip = "session.skip"
    case sessionExtend = "session.extend"
    case sessionAddTime = "session.add_time"
    case sessionNudge = "session.nudge"
    case membersAdd = "members.add"
    case membersList = "members.list"
    case membersShow = "members.show"
    case historyList = "history.list"
    case historyWeekly = "history.weekly"
    case historySession = "history.session"

    /// Who may call a method. Anyone who can connect may read; changing the belt or the
    /// simulated inputs needs root, treadd's own user or membership of the socket group.
    public enum Access: String, Codable, Sendable {
        case read, control
    }

    public var access: Access {
        switch self {
        case .status, .watch, .programsList, .programsShow, .programsValidate,
             .membersList, .membersShow, .historyList, .historyWeekly, .historySession:
            return .read
        // Adjusting a session changes the belt; adding a member changes the daemon's records.
        case .start, .stop, .pause, .resume, .reset, .simSet,
             .sessionSkip, .sessionExtend, .sessionAddTime, .sessionNudge, .membersAdd:
            return .control
        }
    }
}
