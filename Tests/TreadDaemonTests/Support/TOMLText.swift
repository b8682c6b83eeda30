import Foundation

/// Line-level edits of a shipped TOML file, so a test can break one key and know the line
/// the loader must name. Lines are 1-based, as in error messages.
struct TOMLText {
    var lines: [String]

    init(_ text: String) { lines = text.components(separatedBy: "\n") }

    var text: String { lines.joined(separator: "\n") }

    /// The 1-based line of `key = ...` inside `[table]` (or at the top when `table` is empty).
    func line(of key: String, in table: String) -> Int? {
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
    func line(ofTable table: String) -> Int? {
        lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "[\(table)]" }.map { $0 + 1 }
    }

    /// Replaces the whole line of `key` in `[table]`; returns its line number.
    @discardableResult
    mutating func set(_ key: String, in table: String, to replacement: String) throws -> Int {
        let n = try line(of: key, in: table).unwrap("\(table).\(key) not found")
        lines[n - 1] = replacement
        return n
    }

    /// Removes the line of `key` in `[table]`.
    mutating func remove(_ key: String, in table: String) throws {
        let n = try line(of: key, in: table).unwrap("\(table).\(key) not found")
        lines.remove(at: n - 1)
    }
}

struct MissingInFixture: Error, CustomStringConvertible {
    var description: String
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw MissingInFixture(description: what) }
        return self
    }
}

enum PackagePaths {
    static var demoConfig: String { root.appendingPathComponent("Config/demo.toml").path }
    static var productionConfig: String { root.appendingPathComponent("Config/treadd.toml").path }
    static var programs: String { root.appendingPathComponent("Config/programs").path }

    /// The package root, found from this file's location (Tests/<Target>/Support/...).
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    static let deltaProfile = root.appendingPathComponent("Config/drives/delta-ms300.toml").path
}

/// A fresh folder under the temporary directory, removed with `remove()`.
struct TempFolder {
    let url: URL
    var path: String { url.path }

    init() throws {
        // Short: Unix socket paths must fit in 108 bytes.
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("tu-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
