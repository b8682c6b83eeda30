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
            """)

    @Option(help: "Configuration file.")
    var config: String = "/etc/treadd/treadd.toml"

    @Option(help: "Control socket path (overrides the config file).")
    var socket: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print the effective values, and exit.")
    var checkConfig = false

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

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "treadd")
        logger.logLevel = .info
        var cfg: DaemonConfig
        do {
            cfg = try DaemonConfig.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("treadd: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let socket { cfg.socketPath = socket }
        if checkConfig {
            print(cfg.summary)
            return
        }
        let daemon = Daemon(config: cfg, logger: logger)
        do {
            try daemon.start()
        } catch {
            FileHandle.standardError.write(Data("treadd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let group = ServiceGroup(services: [DaemonService(daemon: daemon)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
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

    func run() async throws {
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
