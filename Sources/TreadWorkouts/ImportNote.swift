/// Something the import did not carry over as written, located in the .zwo file. Every block
/// that could not be mapped gets one, so nothing is dropped silently.
public struct ImportNote: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// The block (or text event) is not in the program at all.
        case unmapped
        /// The block is in the program, but not exactly as written (a ramp as steps, say).
        case approximated
    }

    public var kind: Kind
    public var line: Int?
    /// The element name as written (`FreeRide`, `textevent`, ...).
    public var block: String
    public var message: String

    public init(_ kind: Kind, line: Int?, block: String, _ message: String) {
        self.kind = kind
        self.line = line
        self.block = block
        self.message = message
    }

    public func description(file: String) -> String {
        "\(file):\(line.map(String.init) ?? "?"): <\(block)>: \(kind == .unmapped ? "not imported: " : "")\(message)"
    }
}
