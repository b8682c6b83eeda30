import TreadFleet

/// Why treadfleet could not do what was asked, each with its exit status.
enum FleetCLIError: Error, CustomStringConvertible {
    case database(FleetDatabaseError)
    /// The password file, or the file to ingest, could not be read.
    case unreadable(path: String, reason: String)
    case badSetting(String)
    /// `ingest-file` put the payload in dead_letters.
    case deadLettered(IngestRejection)

    var description: String {
        switch self {
        case .database(.rejected(let state, let message)) where state == "42P01":
            "\(message): the schema is missing or old; run treadfleet migrate"
        case .database(let error): error.description
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .badSetting(let message): message
        case .deadLettered(let reason): "not stored, put in dead_letters: \(reason)"
        }
    }

    var exitStatus: FleetExitStatus {
        switch self {
        case .database(.unavailable): .unavailable
        case .database: .failure
        case .unreadable: .noInput
        case .badSetting: .usage
        case .deadLettered: .dataError
        }
    }
}

/// treadfleet's exit statuses (sysexits.h numbers, so scripts and systemd read them alike).
enum FleetExitStatus: Int32, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69

    var meaning: String {
        switch self {
        case .success: "done"
        case .failure: "PostgreSQL refused a statement (the message says which)"
        case .usage: "bad option or environment setting"
        case .dataError: "ingest-file: the payload was dead-lettered (the message says why)"
        case .noInput: "a file could not be read (password file, payload)"
        case .unavailable: "PostgreSQL unreachable or the connection broke (host:port and reason printed)"
        }
    }

    static var table: String {
        allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }
}
