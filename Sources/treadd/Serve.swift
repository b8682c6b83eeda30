import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TreadDaemon

/// The daemon itself (the default subcommand): `treadd --config FILE`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")

    @Option(help: "Configuration file.")
    var config: String = "/etc/treadd/treadd.toml"

    @Option(help: "Control socket path (overrides the config file).")
    var socket: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print the effective values, and exit.")
    var checkConfig = false

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "treadd")
        logger.logLevel = .info
        var cfg = try loadConfig(config)
        if let socket { cfg.socketPath = socket }
        if checkConfig {
            print(cfg.summary)
            return
        }
        // Requesting GPIO lines, binding the socket and waiting on NIO futures block: keep
        // that off the async pool.
        let cfgFinal = cfg, loggerFinal = logger
        let started: Result<Daemon, ErrorMessage> = await onDedicatedThread {
            do {
                let d = try Daemon(config: cfgFinal, logger: loggerFinal)
                try d.start()
                return .success(d)
            } catch { return .failure(ErrorMessage("\(error)")) }
        }
        let daemon: Daemon
        switch started {
        case .success(let d): daemon = d
        case .failure(let error):
            FileHandle.standardError.write(Data("treadd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let group = ServiceGroup(services: [DaemonService(daemon: daemon)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// An error carried across threads as its message.
struct ErrorMessage: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
