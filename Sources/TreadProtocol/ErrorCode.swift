/// The stable code of an error reply, `{"error":{"code":"...","message":"..."}}`.
///
/// Clients branch on the code, never on the message (which is for people and may be reworded).
/// A struct rather than an enum so that a client built against this version still decodes a
/// code a newer treadd adds; `documented` lists the codes this version knows, and
/// docs/protocol.md has a row for each (a test holds the two together). Once published, a
/// code keeps its meaning.
public struct ErrorCode: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    // MARK: The request itself

    /// The line is not JSON, not an object with a string `method`, or lacks a needed param.
    /// The connection keeps serving.
    public static let badRequest: ErrorCode = "bad_request"
    /// The line is longer than the server's limit; the server closes the connection after
    /// this reply (it cannot tell where the next request starts).
    public static let lineTooLong: ErrorCode = "line_too_long"
    /// The method is not one this treadd offers; the message lists those it does.
    public static let unknownMethod: ErrorCode = "unknown_method"
    /// A control method from a client that is neither root, treadd's own user nor a member
    /// of the socket group. Read methods still work on the same connection.
    public static let permissionDenied: ErrorCode = "permission_denied"

    // MARK: Programs

    public static let unknownProgram: ErrorCode = "unknown_program"
    /// A program file that does not parse; the message names the file and line.
    public static let badProgram: ErrorCode = "bad_program"
    /// A program that parses but breaks a machine limit (rejected, never clamped).
    public static let programRejected: ErrorCode = "program_rejected"
    /// The program parser (a helper process treadd runs for every program text) crashed, hung,
    /// answered nonsense, or had too many texts waiting. The text was not accepted; nothing
    /// else changed. Sending the same text again gets the same answer.
    public static let parserFailed: ErrorCode = "parser_failed"

    // MARK: The treadmill's state

    public static let busy: ErrorCode = "busy"
    public static let faulted: ErrorCode = "faulted"
    public static let notActive: ErrorCode = "not_active"
    public static let notPaused: ErrorCode = "not_paused"
    public static let alreadyPaused: ErrorCode = "already_paused"
    public static let railsNotHeld: ErrorCode = "rails_not_held"
    public static let frontZoneOccupied: ErrorCode = "front_zone_occupied"
    public static let driveNotReady: ErrorCode = "drive_not_ready"
    public static let unsafeInputs: ErrorCode = "unsafe_inputs"
    public static let causePersists: ErrorCode = "cause_persists"
    public static let nothingToReset: ErrorCode = "nothing_to_reset"

    // MARK: Adjusting a session

    /// A nudge that would take the speed past a machine limit (refused, never clamped).
    public static let speedOutOfLimits: ErrorCode = "speed_out_of_limits"
    /// A skip, extension or added time the session cannot take (the message says why).
    public static let adjustmentRefused: ErrorCode = "adjustment_refused"
    /// treadd is stopping (SIGTERM): control requests are refused while it brings the belt to
    /// a verified stop; read requests still work until the socket closes.
    public static let shuttingDown: ErrorCode = "shutting_down"

    // MARK: Members and history

    /// No member of that name; the message lists the known ones.
    public static let unknownMember: ErrorCode = "unknown_member"
    public static let memberExists: ErrorCode = "member_exists"
    /// A member's name, body mass or level is not valid.
    public static let badMember: ErrorCode = "bad_member"
    /// treadd keeps no history (no `[history] path` in treadd.toml).
    public static let historyOff: ErrorCode = "history_off"
    /// The history database cannot be read now (the message names the path and the cause).
    public static let historyUnavailable: ErrorCode = "history_unavailable"
    /// `history.session` with an id (or prefix) that names no session, or more than one.
    public static let unknownSession: ErrorCode = "unknown_session"

    // MARK: Simulation

    /// `sim.set` on a treadmill whose inputs are real.
    public static let notSimulated: ErrorCode = "not_simulated"
    /// `sim.set` with an input name or value it does not know.
    public static let badInput: ErrorCode = "bad_input"

    /// Every code this version of the protocol defines, in documentation order.
    public static let documented: [ErrorCode] = [
        .badRequest, .lineTooLong, .unknownMethod, .permissionDenied,
        .unknownProgram, .badProgram, .programRejected, .parserFailed,
        .busy, .faulted, .notActive, .notPaused, .alreadyPaused, .railsNotHeld, .frontZoneOccupied,
        .driveNotReady, .unsafeInputs, .causePersists, .nothingToReset,
        .speedOutOfLimits, .adjustmentRefused, .shuttingDown,
        .unknownMember, .memberExists, .badMember, .historyOff, .historyUnavailable, .unknownSession,
        .notSimulated, .badInput,
    ]

    /// Whether the server closes the connection after sending this error.
    public var closesConnection: Bool { self == .lineTooLong }
}
