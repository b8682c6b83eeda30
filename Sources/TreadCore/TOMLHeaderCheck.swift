/// Finds table headers whose key starts with a character no key can start with (`[#`, `[[=`,
/// `[ .`, a `[` alone on its line), before the text reaches the TOML parser.
///
/// toml++ 3 (inside TOMLKit 0.6.0) does not report these: it asserts, which aborts the
/// process (and without assertions it goes on under a false assumption). A program file is
/// also what any socket client may send (`programs.validate`, `start`), so the daemon must
/// never hand such text over. Found by fuzzing (Fuzz/regressions/program).
///
/// A header is a `[` at the start of a line (after blanks) outside strings, comments and
/// multi-line values; a `[` inside an array or inline table is a value, not a header.
enum TOMLHeaderCheck {
    /// The 1-based line of the first header without a key, or nil when there is none.
    static func firstKeylessHeader(in text: String) -> Int? {
        let s = Array(text.unicodeScalars)
        var i = 0
        var line = 1
        var atLineStart = true
        var depth = 0  // open [ and { of values
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
            case "[" where depth == 0 && atLineStart:
                var j = i + 1
                if at(j) == "[" { j += 1 }
                while let b = at(j), b == " " || b == "\t" { j += 1 }
                // A line break there is keyless too (`[` alone on a line); only the end of the
                // text is reported by the parser itself.
                if let k = at(j), !(isBareKey(k) || k == "\"" || k == "'" || k == "]") { return line }
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
                depth += 1
                i += 1
            case "]", "}":
                if depth > 0 { depth -= 1 }
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
