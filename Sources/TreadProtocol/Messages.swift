/// The wire protocol: newline-delimited JSON over a Unix socket (docs/protocol.md).
///
/// On connect the server sends `{"hello":{...}}`. A client sends requests
/// `{"id":1,"method":"start","params":{"program":"demo"}}`; each is answered by
/// `{"id":1,"result":{...}}` or `{"id":1,"error":{"code":"...","message":"..."}}`.
/// After `watch`, the server also pushes `{"event":"progress","status":{...}}` and
/// `{"event":"rail_warning","message":"..."}` lines until the client disconnects.
public enum ProtocolVersion {
    public static let current = 1
}

public struct ProgramSource: Codable, Hashable, Sendable {
    /// The file name the program came from, used in error messages.
    public var file: String
    public var text: String
    public init(file: String, text: String) { self.file = file; self.text = text }
}

public struct Params: Codable, Hashable, Sendable {
    /// `start`: a program name from the daemon's programs folder...
    public var program: String?
    /// ...or a program file's text, sent by treadctl when given a path.
    public var programSource: ProgramSource?
    /// `sim.set`: input name (rail_left, rail_right, estop, safety_key) and value.
    public var input: String?
    public var value: String?
    /// `start`, `members.*`, `history.*`, `programs.show`: a member's name.
    public var member: String?
    /// `session.extend`, `session.add_time`: seconds to add.
    public var seconds: Double?
    /// `session.nudge`: km/h to add (negative slows down).
    public var kmh: Double?
    /// `members.add`.
    public var bodyMassKg: Double?
    public var level: String?
    /// `history.list`: most recent sessions to return.
    public var limit: Int?
    /// `history.session`: a session's id, or a unique prefix of it (at least 8 characters).
    public var session: String?

    enum CodingKeys: String, CodingKey {
        case program, input, value, member, seconds, kmh, level, limit, session
        case programSource = "program_source"
        case bodyMassKg = "body_mass_kg"
    }

    public init(program: String? = nil, programSource: ProgramSource? = nil, input: String? = nil, value: String? = nil,
                member: String? = nil, seconds: Double? = nil, kmh: Double? = nil, bodyMassKg: Double? = nil, level: String? = nil,
                limit: Int? = nil, session: String? = nil) {
        self.program = program; self.programSource = programSource; self.input = input; self.value = value
        self.member = member; self.seconds = seconds; self.kmh = kmh; self.bodyMassKg = bodyMassKg; self.level = level; self.limit = limit
        self.session = session
    }
}

public struct Request: Codable, Hashable, Sendable {
    public var id: Int?
    public var method: String
    public var params: Params?
    public init(id: Int?, method: Method, params: Params? = nil) {
        self.id = id; self.method = method.rawValue; self.params = params
    }
}

public struct Hello: Codable, Hashable, Sendable {
    public var service: String
    public var protocolVersion: Int
    public var version: String
    enum CodingKeys: String, CodingKey { case service, version, protocolVersion = "protocol" }
    public init(service: String = "treadd", protocolVersion: Int = ProtocolVersion.current, version: String) {
        self.service = service; self.protocolVersion = protocolVersion; self.version = version
    }
}

public struct ErrorBody: Codable, Hashable, Sendable, Error, CustomStringConvertible {
    public var code: ErrorCode
    /// For people: says what happened and what to do. Clients branch on `code`.
    public var message: String
    public init(code: ErrorCode, message: String) { self.code = code; self.message = message }
    public var description: String { message }
}

public struct ProgramSummary: Codable, Hashable, Sendable {
    public var name: String
    public var title: String
    public var durationS: Double
    public var reverseShare: Double
    public var segments: Int
    enum CodingKeys: String, CodingKey { case name, title, segments, durationS = "duration_s", reverseShare = "reverse_share" }
    public init(name: String, title: String, durationS: Double, reverseShare: Double, segments: Int) {
        self.name = name; self.title = title; self.durationS = durationS; self.reverseShare = reverseShare; self.segments = segments
    }
}

public struct ResultBody: Codable, Hashable, Sendable {
    public var status: Status?
    public var programs: [ProgramSummary]?
    public var message: String?
    public var program: ProgramDetail?
    public var members: [MemberInfo]?
    public var sessions: [SessionInfo]?
    public var weeks: [WeekTotals]?
    /// `start`: training-load warnings (the session starts all the same).
    public var warnings: [String]?
    /// `history.session`: one session with its segments and events.
    public var session: SessionDetail?
    public init(status: Status? = nil, programs: [ProgramSummary]? = nil, message: String? = nil, program: ProgramDetail? = nil,
                members: [MemberInfo]? = nil, weeks: [WeekTotals]? = nil) {
        self.status = status; self.programs = programs; self.message = message
        self.program = program; self.members = members; self.weeks = weeks
    }
}

