import TreadProtocol

/// Why treadctl could not do what was asked; each maps to one documented exit code
/// (`ExitStatus`), so scripts can branch without parsing the message.
enum CLIError: Error, CustomStringConvertible {
    case notRunning(String)
    case notPermitted(String)
    case protocolError(String)
    case refused(ErrorBody)
    case usage(String)
    case sessionFault(String)

    var description: String {
        switch self {
        case .notRunning(let m), .notPermitted(let m), .protocolError(let m), .usage(let m), .sessionFault(let m): return m
        case .refused(let e): return e.message
        }
    }

    var exitStatus: ExitStatus {
        switch self {
        case .refused(let e) where e.code == .permissionDenied: return .notPermitted
        case .refused: return .refused
        case .notPermitted: return .notPermitted
        case .usage: return .usage
        case .notRunning: return .notRunning
        case .protocolError: return .protocolError
        case .sessionFault: return .sessionFault
        }
    }
}

/// treadctl's exit codes. They are part of its interface (scripts and the kiosk rely on
/// them): documented in `treadctl --help`, the man page and the README; never renumbered.
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    /// treadd answered with an error; the message says why (for example `rails_not_held`).
    case refused = 1
    /// treadd is not running or not reachable (no socket, a stale socket, connection lost).
    case notRunning = 3
    /// treadd sent something treadctl cannot read (a different protocol version?).
    case protocolError = 4
    /// A followed session (`start --follow`) ended in a fault.
    case sessionFault = 5
    /// Not allowed: cannot open the socket, or a control command from a user who is neither
    /// root nor in the socket's group.
    case notPermitted = 6
    /// Bad arguments (as the argument parser's own usage errors, EX_USAGE).
    case usage = 64

    var meaning: String {
        switch self {
        case .success: return "done"
        case .refused: return "refused by treadd (the message says why)"
        case .notRunning: return "treadd not running or not reachable"
        case .protocolError: return "protocol error (unreadable reply)"
        case .sessionFault: return "the followed session ended in a fault"
        case .notPermitted: return "not permitted (socket access, or control without the treadmill group)"
        case .usage: return "usage error"
        }
    }

    /// One line each, for help texts and the man page.
    static var table: String {
        allCases.map { "  \($0.rawValue)\(String(repeating: " ", count: 4 - String($0.rawValue).count))\($0.meaning)" }.joined(separator: "\n")
    }
}
