import TreadProtocol

/// What treadd writes to its program parser's stdin: one or more program texts. A batch lets
/// the programs folder be read by one helper; if that helper fails, each file is tried alone.
struct ParseRequest: Codable, Sendable {
    var documents: [ProgramDocument]
}

/// A program's text and where it came from, as handed to the parser.
public struct ProgramDocument: Codable, Hashable, Sendable {
    /// Named in error messages (`file:line: ...`).
    public var file: String
    /// The program's name; nil takes it from `file`.
    public var name: String?
    public var text: String
    public init(file: String, name: String? = nil, text: String) { self.file = file; self.name = name; self.text = text }
}

/// The parser's answer, one outcome per document, in order.
struct ParseReply: Codable, Sendable {
    var outcomes: [ParseOutcome]
}

/// A parsed program, or every problem found in its text.
struct ParseOutcome: Codable, Sendable {
    var program: ProgramSpec?
    var problems: [LocatedProblem]?
}
