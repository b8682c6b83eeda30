import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TreadCore
import TreadDaemon

@main
struct Treadd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadd",
        abstract: "Runs a treadmill: reverse-belt interval programs, the rail interlock, and a control socket.",
        discussion: """
            Examples:
              treadd --config /etc/treadd/treadd.toml
              treadd --config Config/demo.toml --socket /tmp/treadd.sock
              treadd probe-drive --config /etc/treadd/treadd.toml
            """,
        subcommands: [Serve.self, ProbeDrive.self, CheckIO.self, ParseProgram.self],
        defaultSubcommand: Serve.self)

    /// Unblocks the termination signals on the main thread before anything else runs.
    static func main() async {
        unblockTerminationSignals()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Loads the configuration or exits with a one-line error naming file, line and key.
/// `allowSimulatedInputs`: see `DaemonConfig.load`; the tools that move no belt pass true.
func loadConfig(_ path: String, allowSimulatedInputs: Bool) throws -> DaemonConfig {
    do {
        return try DaemonConfig.load(path: path, allowSimulatedInputs: allowSimulatedInputs)
    } catch {
        reportError("\(error)")
        throw ExitCode(2)
    }
}

/// A start-up error on stderr, straight away (no log queue), so it is the last thing
/// `systemctl status treadd` shows; with the journal priority prefix when stderr is the journal.
func reportError(_ message: String) {
    let prefix = SystemdEnvironment.current().stderrIsJournal ? "<3>" : ""
    FileHandle.standardError.write(Data("\(prefix)treadd: \(message)\n".utf8))
}

extension Treadd {
    /// A parent may start treadd with SIGTERM blocked (test runners, some supervisors);
    /// then systemctl stop would never reach the controlled-stop path. Threads created
    /// later inherit this mask, so it is done first thing.
    static func unblockTerminationSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Holds the daemon for ServiceLifecycle: on SIGTERM/SIGINT the belt is brought to a
/// controlled stop before exit. The blocking shutdown runs on its own thread, not the pool.
struct DaemonService: Service {
    let daemon: Daemon
    let logger: Logger

    func run() async throws {
        releaseStartupPages()
        try? await gracefulShutdown()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let t = Thread {
                daemon.stop()
                c.resume()
            }
            t.start()
        }
    }
}

extension DaemonService {
    /// Once start-up has finished (READY sent, this service group running, the history open
    /// or given up), the pages only start-up touched go back (`StartupPages`). On a thread of
    /// its own: waiting for the history must not hold up the service group.
    func releaseStartupPages() {
        let history = daemon.history, logger = self.logger
        let t = Thread {
            _ = history?.openedStore(timeout: .seconds(10))
            let released = StartupPages.release()
            logger.info("start-up pages released", metadata: ["kib": "\(released.kib)", "mappings": "\(released.mappings)",
                                                              "skipped": "\(released.skipped.joined(separator: "; "))"])
        }
        t.name = "treadd-trim"
        t.start()
    }
}
