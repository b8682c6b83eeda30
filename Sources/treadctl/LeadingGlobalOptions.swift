/// `treadctl --socket PATH status` is how people type it (kubectl, systemctl), but the argument
/// parser reads a subcommand's options only after the subcommand's name. The global options
/// typed first are moved to the end of the subcommand's arguments (before a `--`), where every
/// subcommand that takes them reads them; the rest of the line is left exactly as typed.
enum LeadingGlobalOptions {
    /// The options that may come before the subcommand: `--socket` (every command) and
    /// `--json` (the read commands; elsewhere the parser refuses it as it would after the name).
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let word = arguments[i]
            if word == "--json" || word.hasPrefix("--socket=") {
                moved.append(word)
                i += 1
            } else if word == "--socket", i + 1 < arguments.endIndex {
                moved += [word, arguments[i + 1]]
                i += 2
            } else {
                break
            }
        }
        let rest = Array(arguments[i...])
        // Nothing moved, or nothing to move it behind: the parser's own message is the right one.
        guard !moved.isEmpty, !rest.isEmpty else { return arguments }
        if let end = rest.firstIndex(of: "--") {
            return Array(rest[..<end]) + moved + Array(rest[end...])
        }
        return rest + moved
    }
}
