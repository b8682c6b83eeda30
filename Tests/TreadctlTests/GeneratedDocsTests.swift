import Testing
@testable import treadctl

/// The man page and completion scripts come from the argument parser, so they list exactly
/// the commands and options treadctl has; these tests check they are generated whole.
@Suite struct GeneratedDocsTests {
    @Test func manPageHasEveryCommandAndTheExitCodes() {
        let page = ManPage.render(Treadctl.self)
        #expect(page.hasPrefix(".TH TREADCTL 1"))
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"] {
            #expect(page.contains(".SH \(section)\n"), "section \(section)")
        }
        let commands = ManPage.leaves(of: Treadctl.self, path: ["treadctl"]).map { $0.path.joined(separator: " ") }
        for expected in ["treadctl start", "treadctl status", "treadctl watch", "treadctl programs list", "treadctl programs import", "treadctl sim set",
                         "treadctl completions"] {
            #expect(commands.contains(expected), "\(expected) in \(commands)")
            #expect(page.contains(".SS \(expected.replacingOccurrences(of: "-", with: "\\-"))\n"))
        }
        for status in ExitStatus.allCases { #expect(page.contains("\(status.rawValue)"), "exit status \(status)") }
        #expect(page.contains("\\-\\-json"), "options appear, with roff-escaped dashes")
    }

    @Test(arguments: Completions.Shell.allCases)
    func completionScriptNamesTheSubcommands(_ shell: Completions.Shell) {
        let script = Treadctl.completionScript(for: .init(rawValue: shell.rawValue)!)
        for sub in ["start", "status", "watch", "programs", "completions"] {
            #expect(script.contains(sub), "\(shell) completion mentions \(sub)")
        }
    }
}
