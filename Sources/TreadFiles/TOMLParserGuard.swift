import TreadCore
/// Finds the invalid TOML that toml++ 3 (inside TOMLKit 0.6.0) does not report but asserts on,
/// before the text reaches the parser:
/// - a table header whose key starts with a character no key can start with (`[#`, `[[=`,
///   `[ .`, a `[` alone on its line);
/// - a `}` where an array expects a value (`[ }`, `[1, }`);
/// - a date-time value with no time after its `T` (`1979-05-27T=07:32`).
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
    static let dateTimeWithoutTime = "a date-time needs a time (HH:MM) right after its 'T'"

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
        var valueNext = false  // after `=`, or `[` or `,` in an array: a value starts at the next token
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
                if starts(close, i) {
                    i += close.unicodeScalars.count
                    // A multi-line string may end in one or two quotes of its own (`""""`),
                    // which must not open a string here that toml++ never sees.
                    if multiline, let q = close.unicodeScalars.first {
                        for _ in 0..<2 where at(i) == q { i += 1 }
                    }
                    return
                }
                if s[i] == "\n" {
                    guard multiline else { return }
                    line += 1
                }
                i += 1
            }
        }
        while i < s.count {
            let c = s[i]
            if valueNext, !(c == " " || c == "\t" || c == "\r" || c == "\n" || c == "#") {
                valueNext = false
                if isDateTimeWithoutTime(s, i) { return Refusal(line: line, message: dateTimeWithoutTime) }
            }
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
                valueNext = c == "["
                i += 1
            case "=":
                valueNext = true
                i += 1
            case "," where open.last == "[":
                valueNext = true
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

    /// `YYYY-MM-DD` then `T` or `t` then anything but a digit: toml++ takes a value with a
    /// `-`, a `:` and a `t` for a date-time and asserts a digit follows the `T`. No such value
    /// is valid TOML, with or without the `:`.
    private static func isDateTimeWithoutTime(_ s: [Unicode.Scalar], _ k: Int) -> Bool {
        func digit(_ j: Int) -> Bool { j < s.count && ("0"..."9").contains(s[j]) }
        let shape: [Bool] = [digit(k), digit(k + 1), digit(k + 2), digit(k + 3), k + 4 < s.count && s[k + 4] == "-",
                             digit(k + 5), digit(k + 6), k + 7 < s.count && s[k + 7] == "-", digit(k + 8), digit(k + 9)]
        guard shape.allSatisfy({ $0 }), k + 10 < s.count, s[k + 10] == "T" || s[k + 10] == "t" else { return false }
        return !digit(k + 11)
    }

    private static func isBareKey(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-": return true
        default: return false
        }
    }
}
