import TreadCore
import TOMLKit

/// A parsed TOML file that remembers where each key was written, so every loader in the
/// project (programs, config, drive profiles) reports problems as `file:line: key: message`.
public struct TOMLDocument: Sendable {
    public let file: String
    let index: TOMLLineIndex
    public let root: TOMLSection

    public init(text: String, file: String) throws(FileError) {
        self.file = file
        if let refusal = TOMLParserGuard.firstRefusal(in: text) {
            throw FileError(file: file, line: refusal.line, key: nil, message: "not valid TOML: \(refusal.message)")
        }
        let index = TOMLLineIndex(text: text)
        self.index = index
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw FileError(file: file, line: e.source.begin.line, key: nil, message: "not valid TOML: \(e.description)")
        } catch {
            throw FileError(file: file, line: nil, key: nil, message: "not valid TOML: \(error)")
        }
        self.root = TOMLSection(table: table, path: "", file: file, index: index)
    }
}

/// One table of a `TOMLDocument`. Accessors return nil for an absent key and throw a located
/// `FileError` for a key of the wrong type, so "missing" and "wrong" are never confused.
public struct TOMLSection: @unchecked Sendable {
    // TOMLTable is a class around a C++ table; sections are read once, on one thread, at load.
    let table: TOMLTable
    public let path: String
    public let file: String
    let index: TOMLLineIndex

    public var keys: [String] { table.keys }

    public func contains(_ key: String) -> Bool { table[key] != nil }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func error(_ key: String?, _ message: String) -> FileError {
        let p = key.map(keyPath) ?? path
        return FileError(file: file, line: index.line(for: p), key: p.isEmpty ? nil : p, message: message)
    }

    public func string(_ key: String) throws(FileError) -> String? {
        guard let v = table[key] else { return nil }
        guard let s = v.string else { throw error(key, "expected a string, got \(describe(v))") }
        return s
    }

    public func double(_ key: String) throws(FileError) -> Double? {
        guard let v = table[key] else { return nil }
        if let d = v.double { return d }
        if let i = v.int { return Double(i) }
        throw error(key, "expected a number, got \(describe(v))")
    }

    /// A number of seconds as a duration; a value no duration can hold (nan, inf, 1e300) is
    /// a located error, not a trap.
    public func seconds(_ key: String) throws(FileError) -> Duration? {
        guard let s = try double(key) else { return nil }
        guard let d = Duration.checkedSeconds(s) else { throw error(key, "must be a number of seconds up to \(Int(Duration.maxSeconds)), got \(s)") }
        return d
    }

    public func int(_ key: String) throws(FileError) -> Int? {
        guard let v = table[key] else { return nil }
        guard let i = v.int else { throw error(key, "expected an integer, got \(describe(v))") }
        return i
    }

    public func bool(_ key: String) throws(FileError) -> Bool? {
        guard let v = table[key] else { return nil }
        guard let b = v.bool else { throw error(key, "expected true or false, got \(describe(v))") }
        return b
    }

    public func section(_ key: String) throws(FileError) -> TOMLSection? {
        guard let v = table[key] else { return nil }
        guard let t = v.table else { throw error(key, "expected a table, got \(describe(v))") }
        return TOMLSection(table: t, path: keyPath(key), file: file, index: index)
    }

    /// An array of tables (`[[key]]` or an array of inline tables).
    public func sections(_ key: String) throws(FileError) -> [TOMLSection] {
        guard let v = table[key] else { return [] }
        guard let arr = v.array else { throw error(key, "expected an array of tables, got \(describe(v))") }
        var out: [TOMLSection] = []
        for i in 0..<arr.count {
            guard let t = arr[i].table else { throw error("\(key)[\(i)]", "expected a table, got \(describe(arr[i]))") }
            out.append(TOMLSection(table: t, path: keyPath("\(key)[\(i)]"), file: file, index: index))
        }
        return out
    }

    public func required<T>(_ key: String, _ read: (String) throws(FileError) -> T?) throws(FileError) -> T {
        guard let v = try read(key) else { throw error(key, "is required but missing") }
        return v
    }

    /// Rejects keys the loader does not know, so a typo (`sped_kmh`) is an error, not a silent default.
    public func rejectUnknownKeys(_ known: Set<String>) throws(FileError) {
        for key in table.keys.sorted() where !known.contains(key) {
            throw error(key, "unknown key; expected one of: \(known.sorted().joined(separator: ", "))")
        }
    }

    private func describe(_ v: TOMLValueConvertible) -> String {
        switch v.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .table: return "a table"
        case .array: return "an array"
        default: return "a date or time"
        }
    }
}

/// Parses "90", "90s", "2m", "1m30s", "1:30" into a duration; nil when malformed.
public func parseDuration(_ text: String) -> Duration? {
    let s = text.trimmingSpaces().lowercased()
    if s.isEmpty { return nil }
    if let colon = s.firstIndex(of: ":") {
        guard let m = Int(s[..<colon]), let sec = Int(s[s.index(after: colon)...]), m >= 0, (0..<60).contains(sec) else { return nil }
        let (minutes, overflow) = m.multipliedReportingOverflow(by: 60)
        guard !overflow else { return nil }
        return Duration.checkedSeconds(Double(minutes) + Double(sec))
    }
    var total = 0.0
    var number = ""
    var sawUnit = false
    for ch in s {
        if ch.isNumber || ch == "." { number.append(ch); continue }
        guard let v = Double(number) else { return nil }
        switch ch {
        case "h": total += v * 3600
        case "m": total += v * 60
        case "s": total += v
        default: return nil
        }
        number = ""
        sawUnit = true
    }
    if !number.isEmpty {
        guard let v = Double(number), !sawUnit else { return nil }
        total += v
    }
    return Duration.checkedSeconds(total)
}
