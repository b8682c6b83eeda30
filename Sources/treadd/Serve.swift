import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TreadDaemon
import UnixSignals

/// The daemon itself (the default subcommand): `treadd --config FILE`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")

    @Option(help: "Configuration file.")
    var config: String = "/etc/treadd/treadd.toml"

    @Option(help: "Control socket path (overrides the config file).")
    var socket: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print the effective values, and exit.")
    var checkConfig = false

    @Flag(name: .customLong("allow-simulated-inputs"),
          help: "Let [inputs] source = \"simulated\" run with an RTU drive or a TCP drive beyond loopback (a bench test; no e-stop, key or rail is read).")
    var allowSimulatedInputs = false

    func run() async throws {
        let systemd = SystemdEnvironment.current()
        let writer = bootstrapLogging(systemd)
        defer { writer?.flush() }
        var logger = Logger(label: "treadd")
        logger.logLevel = .info
        var cfg = try loadConfig(config, allowSimulatedInputs: allowSimulatedInputs)
        if let socket { cfg.socketPath = socket }
        if checkConfig {
            print(cfg.summary)
            return
        }
        // SIGHUP is trapped before READY=1 can go out: its default action would end treadd.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // Requesting GPIO lines, binding the socket and waiting on NIO futures block: keep
        // that off the async pool.
        let cfgFinal = cfg, loggerFinal = logger
        let started: Result<Daemon, ErrorMessage> = await onDedicatedThread {
            do {
                let d = try Daemon(config: cfgFinal, logger: loggerFinal, systemd: systemd)
                try d.start()
                return .success(d)
            } catch { return .failure(ErrorMessage("\(error)")) }
        }
        let daemon: Daemon
        switch started {
        case .success(let d): daemon = d
        case .failure(let error):
            writer?.flush()
            reportError("\(error)")
            throw ExitCode(1)
        }
        // Shutdown runs in reverse order: reloads end first, then the belt stops under control.
        let group = ServiceGroup(services: [DaemonService(daemon: daemon, logger: logger), ReloadService(daemon: daemon, hangups: hangups)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    /// Under systemd with stderr on the journal: journald priority prefixes, written from a
    /// thread of its own. Otherwise plain lines on stderr.
    private func bootstrapLogging(_ systemd: SystemdEnvironment) -> LogWriter? {
        guard systemd.stderrIsJournal else {
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            return nil
        }
        let writer = LogWriter { n in "<4>\(n) log lines dropped: the journal writer fell behind\n" }
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, writer: writer) }
        return writer
    }
}

/// SIGHUP (`systemctl reload treadd`): reads the programs folder again. Limits are never
/// reloaded, so a session never sees them change (the daemon logs this on each reload).
struct ReloadService: Service {
    let daemon: Daemon
    let hangups: UnixSignalsSequence

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            let d = daemon
            _ = await onDedicatedThread { d.reloadPrograms() }
        }
    }
}

/// An error carried across threads as its message.
struct ErrorMessage: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
