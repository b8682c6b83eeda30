import Foundation
import TreadCore
import TreadFiles

/// The programs folder, read once at start-up so that starting a session by name never
/// touches the disk on the control path. A file that does not parse is kept as an error and
/// reported when someone asks for it; it never stops the others from loading.
public struct ProgramLibrary: Sendable {
    public private(set) var programs: [String: Program] = [:]
    public private(set) var broken: [String: FileErrors] = [:]
    public let directory: String

    /// A library with nothing in it yet (before the folder is read).
    init(empty directory: String) { self.directory = directory }

    /// Reads every `*.toml` in `directory` and has `parser` (a helper process) parse them: one
    /// helper for the folder, and if that one fails, one per file, so a file that crashes the
    /// parser is the only one lost. Blocking: call off the event loops and the async pool.
    public init(directory: String, parser: ProgramParser) {
        self.directory = directory
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var documents: [ProgramDocument] = []
        for f in files.sorted() where f.hasSuffix(".toml") {
            let path = (directory as NSString).appendingPathComponent(f)
            let name = String(f.dropLast(5))
            do {
                documents.append(ProgramDocument(file: path, name: name, text: try String(contentsOfFile: path, encoding: .utf8)))
            } catch {
                broken[name] = FileErrors([FileError(file: path, line: nil, key: nil, message: "cannot read: \(error.localizedDescription)")])
            }
        }
        guard !documents.isEmpty else { return }
        let results: [Result<Program, ProgramParseError>]
        switch parser.parse(documents) {
        case .success(let all): results = all
        case .failure: results = documents.map { parser.parse($0) }
        }
        for (doc, result) in zip(documents, results) {
            let name = doc.name ?? doc.file
            switch result {
            case .success(let p): programs[name] = p
            case .failure(.invalid(let e)): broken[name] = e
            case .failure(.parser(let f)): broken[name] = FileErrors([FileError(file: doc.file, line: nil, key: nil, message: f.description)])
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
