import Foundation

/// Line-level edits of a shipped TOML file, so a test can break one key and know the line
/// the loader must name. Lines are 1-based, as in error messages.
public struct TOMLText {
    public var lines: [String]

    public init(_ text: String) { lines = text.components(separatedBy: "\n") }

    public var text: String { lines.joined(separator: "\n") }

    /// The 1-based line of `key = ...` inside `[table]` (or at the top when `table` is empty).
    public func line(of key: String, in table: String) -> Int? {
        var current = ""
        for (i, raw) in lines.enumerated() {
            let l = raw.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("[") {
                current = String(l.drop(while: { $0 == "[" }).prefix(while: { $0 != "]" }))
                continue
            }
            guard current == table, let eq = l.firstIndex(of: "=") else { continue }
            if l[..<eq].trimmingCharacters(in: .whitespaces) == key { return i + 1 }
        }
        return nil
    }

    /// The 1-based line of the `[table]` header.
    public func line(ofTable table: String) -> Int? {
        lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "[\(table)]" }.map { $0 + 1 }
    }

    /// Replaces the whole line of `key` in `[table]`; returns its line number.
    @discardableResult
    public mutating func set(_ key: String, in table: String, to replacement: String) throws -> Int {
        let n = try line(of: key, in: table).unwrap("\(table).\(key) not found")
        lines[n - 1] = replacement
        return n
    }

    /// Removes the line of `key` in `[table]`.
    public mutating func remove(_ key: String, in table: String) throws {
        let n = try line(of: key, in: table).unwrap("\(table).\(key) not found")
        lines.remove(at: n - 1)
    }
}

public struct MissingInFixture: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

extension Optional {
    public func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw MissingInFixture(description: what) }
        return self
    }
}
