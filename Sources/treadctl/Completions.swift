import ArgumentParser

struct Completions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script (generated from treadctl's own argument parser).",
        discussion: """
            Examples:
              treadctl completions bash > /etc/bash_completion.d/treadctl
              treadctl completions zsh > "${fpath[1]}/_treadctl"
              treadctl completions fish > ~/.config/fish/completions/treadctl.fish
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() {
        let script = Treadctl.completionScript(for: CompletionShell(rawValue: shell.rawValue)!)
        print(script, terminator: script.hasSuffix("\n") ? "" : "\n")
    }
}
