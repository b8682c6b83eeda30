/// Spaces, tabs and a stray carriage return trimmed, without Foundation: member names typed at
/// a console and TOML lines from a file saved on Windows both arrive with them.
extension StringProtocol {
    package func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
