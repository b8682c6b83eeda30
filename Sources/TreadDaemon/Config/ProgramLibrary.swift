import Foundation
import TreadCore

/// The programs folder, read once at start-up so that starting a session by name never
/// touches the disk on the control path. A file that does not parse is kept as an error and
/// reported when someone asks for it; it never stops the others from loading.
public struct ProgramLibrary: Sendable {
    public private(set) var programs: [String: Program] = [:]
    public private(set) var broken: [String: FileErrors] = [:]
    public let directory: String

    /// A library with nothing in it yet (before the folder is read).
    init(empty directory: String) { self.directory = directory }

    public init(directory: String) {
        self.directory = directory
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for f in files.sorted() where f.hasSuffix(".toml") {
            let path = (directory as NSString).appendingPathComponent(f)
            let name = String(f.dropLast(5))
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                programs[name] = try ProgramFile.parse(text, file: path, name: name)
            } catch let e as FileErrors {
                broken[name] = e
            } catch {
                broken[name] = FileErrors([FileError(file: path, line: nil, key: nil, message: "cannot read: \(error.localizedDescription)")])
            }
        }
    }

    public enum LookupError: Error, CustomStringConvertible {
        case unknown(String, known: [String])
        case broken(String, FileErrors)
        public var description: String {
            switch self {
            case .unknown(let n, let known):
                return "unknown program '\(n)'; known programs: " + (known.isEmpty ? "(none)" : known.joined(separator: ", "))
            case .broken(_, let e): return e.description
            }
        }
    }

    public func program(named name: String) throws(LookupError) -> Program {
        if let p = programs[name] { return p }
        if let e = broken[name] { throw .broken(name, e) }
        throw .unknown(name, known: programs.keys.sorted())
    }
}
