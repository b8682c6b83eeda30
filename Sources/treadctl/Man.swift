import ArgumentParser

struct Man: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print treadctl's man page (roff), generated from its argument parser.",
        discussion: "Example: treadctl man > treadctl.1 && man -l treadctl.1")

    func run() {
        print(ManPage.render(Treadctl.self), terminator: "")
    }
}

/// A man page in roff from the command tree: NAME and DESCRIPTION from the root command's
/// abstract and discussion, then each subcommand's help (usage, arguments, options) as the
/// argument parser prints it, then EXIT STATUS. Generated, so it cannot drift from the help.
enum ManPage {
    static func render(_ root: ParsableCommand.Type) -> String {
        let config = root.configuration
        let name = config.commandName ?? "treadctl"
        var out = ".TH \(name.uppercased()) 1 \"\" \"treadd\" \"User Commands\"\n"
        out += ".SH NAME\n\(name) \\- \(escape(config.abstract))\n"
        out += ".SH SYNOPSIS\n.B \(name)\n.I subcommand\n[\\fIoptions\\fR]\n"
        out += ".SH DESCRIPTION\n" + block(config.discussion)
        out += ".SH COMMANDS\n"
        for sub in leaves(of: root, path: [name]) {
            out += ".SS \(escape(sub.path.joined(separator: " ")))\n"
            out += block(root.helpMessage(for: sub.command, columns: 78))
        }
        out += ".SH EXIT STATUS\n" + block(ExitStatus.table)
        out += ".SH ENVIRONMENT\n.TP\n.B TREADD_SOCKET\nThe socket to use when \\fB\\-\\-socket\\fR is not given (default /run/treadd/treadd.sock).\n"
        out += ".SH SEE ALSO\n.BR treadd (8),\n.BR systemctl (1)\n"
        return out
    }

    /// Every runnable command under `root` (groups are listed through their subcommands).
    static func leaves(of command: ParsableCommand.Type, path: [String]) -> [(path: [String], command: ParsableCommand.Type)] {
        command.configuration.subcommands.flatMap { sub -> [(path: [String], command: ParsableCommand.Type)] in
            let p = path + [sub._commandName]
            let own = sub.configuration.subcommands.isEmpty ? [(path: p, command: sub)] : []
            return own + leaves(of: sub, path: p)
        }
    }

    /// Text kept as printed (no filling), with roff's special characters escaped.
    private static func block(_ text: String) -> String {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let l = escape(String(line))
            return l.hasPrefix(".") || l.hasPrefix("'") ? "\\&" + l : l
        }
        return ".nf\n" + body.joined(separator: "\n") + "\n.fi\n"
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
    }
}
