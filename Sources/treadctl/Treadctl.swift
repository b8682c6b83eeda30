import ArgumentParser
import Glibc

@main
struct Treadctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadctl",
        abstract: "Controls and watches treadd, the treadmill daemon.",
        discussion: """
            Finds treadd's socket from --socket, else $TREADD_SOCKET, else /run/treadd/treadd.sock.
            --socket and --json may come before the command or after it
            (treadctl --socket /tmp/t.sock status --json).
            Read commands (status, watch, programs) work for anyone who can open the socket and
            take --json; control commands (start, stop, pause, resume, reset, sim) need root or
            membership of the socket's group (treadmill).

            Exit codes:
            \(ExitStatus.table)

            Examples:
              treadctl start demo --follow
              treadctl status --json
              treadctl watch
              treadctl sim set rail_left=held
            """,
        subcommands: [Start.self, Stop.self, Pause.self, Resume.self, Reset.self, StatusCommand.self, Watch.self,
                      Programs.self, Sim.self,
                      Skip.self, Extend.self, AddTime.self, Faster.self, Slower.self, Members.self, History.self, Plan.self, Completions.self, Man.self])

    /// `watch` and `--follow` run until interrupted; a parent that started treadctl with
    /// SIGINT/SIGTERM blocked must still be able to end it.
    static func main() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        do {
            var command = try parseAsRoot(LeadingGlobalOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
