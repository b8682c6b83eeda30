import TreadCore
/// Maps key paths such as `steps[2].speed_kmh` to the line they were written on.
///
/// The TOML parser reports lines only for syntax errors; values it returns carry no position.
/// This scanner reads the text once, following table headers, arrays of tables and inline
/// tables inside multi-line arrays, so that semantic errors (a speed over the limit) can still
/// name a line. Where a path is not found, the nearest enclosing table's line is used.
struct TOMLLineIndex: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var arrayCounts: [String: Int] = [:]
        var current = ""
        var openArray: (path: String, depth: Int, count: Int)? = nil
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so CRLF files must be split on it explicitly.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if var arr = openArray {
                if line.hasPrefix("{") {
                    let p = "\(arr.path)[\(arr.count)]"
                    record(p, lineNumber)
                    for key in inlineKeys(line) { record("\(p).\(key)", lineNumber) }
                    arr.count += 1
                }
                arr.depth += bracketBalance(line)
                openArray = arr.depth > 0 ? arr : nil
                continue
            }
            if line.hasPrefix("[[") {
                let name = headerName(line, open: 2)
                let parent = resolve(name.dropLastComponent, arrayCounts)
                let full = parent.isEmpty ? name.lastComponent : "\(parent).\(name.lastComponent)"
                let n = arrayCounts[full, default: 0]
                arrayCounts[full] = n + 1
                current = "\(full)[\(n)]"
                record(current, lineNumber)
            } else if line.hasPrefix("[") {
                current = resolve(headerName(line, open: 1), arrayCounts)
                record(current, lineNumber)
            } else if let eq = line.firstIndex(of: "=") {
                let key = String(line[..<eq]).trimmingSpaces().unquoted
                let path = current.isEmpty ? key : "\(current).\(key)"
                record(path, lineNumber)
                let value = line[line.index(after: eq)...].trimmingSpaces()
                if value.hasPrefix("[") {
                    let balance = bracketBalance(value)
                    if balance > 0 { openArray = (path, balance, 0) }
                }
            }
        }
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// The line for `path`, or for its nearest recorded ancestor.
    func line(for path: String) -> Int? {
        var p = path
        while !p.isEmpty {
            if let l = lines[p] { return l }
            p = p.dropLastComponent
        }
        return nil
    }

    private func resolve(_ name: String, _ counts: [String: Int]) -> String {
        var out = ""
        for part in name.split(separator: ".") {
            let key = String(part).trimmingSpaces().unquoted
            let base = out.isEmpty ? key : "\(out).\(key)"
            if let n = counts[base], n > 0 { out = "\(base)[\(n - 1)]" } else { out = base }
        }
        return out
    }

    private func headerName(_ line: String, open: Int) -> String {
        var s = Substring(line).dropFirst(open)
        if let close = s.firstIndex(of: "]") { s = s[..<close] }
        return String(s).trimmingSpaces()
    }

    private func inlineKeys(_ line: String) -> [String] {
        var keys: [String] = []
        var inString = false
        var token = ""
        for ch in line {
            if ch == "\"" { inString.toggle(); continue }
            if inString { continue }
            if ch == "=" {
                keys.append(token.trimmingSpaces().unquoted)
                token = ""
            } else if ch == "," || ch == "{" {
                token = ""
            } else {
                token.append(ch)
            }
        }
        return keys
    }

    private func bracketBalance(_ s: some StringProtocol) -> Int {
        var n = 0
        var inString = false
        for ch in s {
            if ch == "\"" { inString.toggle() }
            if inString { continue }
            if ch == "#" { break }
            if ch == "[" { n += 1 }
            if ch == "]" { n -= 1 }
        }
        return n
    }
}

extension String {
    var unquoted: String {
        if count >= 2, (hasPrefix("\"") && hasSuffix("\"")) || (hasPrefix("'") && hasSuffix("'")) {
            return String(dropFirst().dropLast())
        }
        return self
    }

    var lastComponent: String {
        guard let dot = lastIndex(of: ".") else { return self }
        return String(self[index(after: dot)...])
    }

    /// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> ``.
    var dropLastComponent: String {
        if hasSuffix("]"), let open = lastIndex(of: "[") { return String(self[..<open]) }
        guard let dot = lastIndex(of: ".") else { return "" }
        return String(self[..<dot])
    }
}
