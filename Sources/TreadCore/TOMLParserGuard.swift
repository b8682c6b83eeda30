/// Finds the invalid TOML that toml++ 3 (inside TOMLKit 0.6.0) does not report but asserts on,
/// before the text reaches the parser:
/// - a table header whose key starts with a character no key can start with (`[#`, `[[=`,
///   `[ .`, a `[` alone on its line);
/// - a `}` where an array expects a value (`[ }`, `[1, }`).
///
/// An assertion aborts the process, and without assertions toml++ goes on under a false
/// assumption (`__builtin_assume`). A program file is also what any socket client may send
/// (`programs.validate`, `start`), so the daemon must never hand such text over. Every case
/// here was found by fuzzing (Fuzz/regressions/program, Fuzz/regressions/config).
///
/// A header is a `[` at the start of a line (after blanks) outside strings, comments and
/// multi-line values; a `[` inside an array or inline table is a value, not a header.
enum TOMLParserGuard {
    struct Refusal: Equatable {
        /// 1-based.
        let line: Int
        let message: String
    }

    static let keylessHeader = "a table header must start with a key (a letter, digit, _ or -, or a quoted name)"
    static let braceInArray = "'}' inside an array, where a value or ']' belongs"

    /// The first construct toml++ would assert on, or nil when there is none. Nil does not
    /// mean the text is valid TOML: everything else is the parser's to judge.
    static func firstRefusal(in text: String) -> Refusal? {
        let s = Array(text.unicodeScalars)
        // toml++ drops a byte-order mark before parsing, so a header right after one is at
        // the start of the first line.
        var i = s.first == "\u{FEFF}" ? 1 : 0
        var line = 1
        var atLineStart = true
        var open: [Unicode.Scalar] = []  // the [ and { of values still open, innermost last
        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func starts(_ lit: String, _ k: Int) -> Bool {
            var j = k
            for c in lit.unicodeScalars { guard at(j) == c else { return false }; j += 1 }
            return true
        }
        /// Skips to the closing delimiter, counting lines; `escapes` for basic strings.
        func skipString(_ close: String, escapes: Bool, multiline: Bool) {
            while i < s.count {
                if escapes, s[i] == "\\" { i += 2; continue }
                if starts(close, i) { i += close.unicodeScalars.count; return }
                if s[i] == "\n" {
                    guard multiline else { return }
                    line += 1
                }
                i += 1
            }
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case "\n":
                line += 1
                atLineStart = true
                i += 1
                continue
            case " ", "\t", "\r":
                i += 1
                continue
            case "#":
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            case "\"":
                if starts("\"\"\"", i) { i += 3; skipString("\"\"\"", escapes: true, multiline: true) } else { i += 1; skipString("\"", escapes: true, multiline: false) }
            case "'":
                if starts("'''", i) { i += 3; skipString("'''", escapes: false, multiline: true) } else { i += 1; skipString("'", escapes: false, multiline: false) }
            case "[" where open.isEmpty && atLineStart:
                var j = i + 1
                if at(j) == "[" { j += 1 }
                while let b = at(j), b == " " || b == "\t" { j += 1 }
                // A line break there is keyless too (`[` alone on a line); only the end of the
                // text is reported by the parser itself.
                if let k = at(j), !(isBareKey(k) || k == "\"" || k == "'" || k == "]") {
                    return Refusal(line: line, message: keylessHeader)
                }
                // The rest of the header, up to its closing bracket, is the parser's to judge.
                i = j
                while i < s.count, s[i] != "]", s[i] != "\n" {
                    if s[i] == "\"" || s[i] == "'" {
                        let q = s[i]
                        i += 1
                        while i < s.count, s[i] != q, s[i] != "\n" { i += q == "\"" && s[i] == "\\" ? 2 : 1 }
                    }
                    if i < s.count, s[i] != "\n" { i += 1 }
                }
            case "[", "{":
                open.append(c)
                i += 1
            case "}" where open.last == "[":
                // No valid TOML has a `}` directly inside an array: it only closes an inline
                // table. toml++ reports it after a value, and asserts after `[` or `,`.
                return Refusal(line: line, message: braceInArray)
            case "]", "}":
                if !open.isEmpty { open.removeLast() }
                i += 1
            default:
                i += 1
            }
            atLineStart = false
        }
        return nil
    }

    private static func isBareKey(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
