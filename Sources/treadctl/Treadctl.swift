import ArgumentParser
import Glibc

@main
struct Treadctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadctl",
        abstract: "Controls and watches treadd, the treadmill daemon.",
        discussion: """
            Exit codes: 0 done; 1 refused by treadd (the message says why); 64 usage error;
            3 treadd not reachable; 4 protocol error; 5 the followed session ended in a fault.

            Examples:
              treadctl start demo --follow
              treadctl status --json
              treadctl sim set rail_left=held
            """,
        subcommands: [Start.self, Stop.self, Pause.self, Resume.self, Reset.self, StatusCommand.self, Watch.self,
                      Programs.self, Sim.self,
                      Skip.self, Extend.self, AddTime.self, Faster.self, Slower.self, Members.self, History.self, Plan.self])

    /// `watch` and `--follow` run until interrupted; a parent that started treadctl with
    /// SIGINT/SIGTERM blocked must still be able to end it.
    static func main() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
