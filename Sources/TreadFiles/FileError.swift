import TreadCore
/// A problem in a TOML file (program, config or drive profile), located as precisely as the
/// parser allows: file, line, and the key path, so a technician can go straight to it.
public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let key, !key.isEmpty { s += "\(key): " }
        return s + message
    }
}

/// Several problems found in one file; loaders report all of them, not just the first.
public struct FileErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [FileError]
    public init(_ errors: [FileError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
