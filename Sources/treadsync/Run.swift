import ArgumentParser
import Foundation
import Glibc
import Logging
import Synchronization
import TreadMQTT
import TreadSync

/// Set by SIGTERM or SIGINT; the publisher's loop looks at it at least every 100 ms.
nonisolated(unsafe) private var terminated: sig_atomic_t = 0

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish until stopped (what the systemd unit runs).")

    @OptionGroup var options: ConfigOption

    @Flag(name: .long, help: "Log every publish and acknowledgement (debug level).")
    var verbose = false

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "treadsync")
        logger.logLevel = verbose ? .debug : .info
        let config: SyncConfig
        do { config = try SyncConfig.load(path: options.config) } catch {
            throw ValidationError("\(error)")
        }
        // A parent may have started us with signals blocked (a Dispatch worker thread blocks
        // them, and a spawned child inherits the mask): SIGTERM must reach this handler.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGTERM) { _ in terminated = 1 }
        signal(SIGINT) { _ in terminated = 1 }
        signal(SIGPIPE, SIG_IGN)
        let ledger = try SyncLedger(path: config.ledgerPath)
        // treadd may not have created its history yet (first boot): wait for it, saying so once.
        var outbox: OutboxReader?
        var said = false
        while outbox == nil, terminated == 0 {
            do throws(SyncError) { outbox = try OutboxReader(path: config.historyPath) } catch {
                if !said { logger.warning("waiting for treadd's history database", metadata: ["error": "\(error)"]); said = true }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        guard let outbox else { return }
        let connection = try MQTTConnection(config.broker)
        let publisher = OutboxPublisher(config: config, logger: logger, connection: connection, outbox: outbox, ledger: ledger)
        logger.info("treadsync started", metadata: [
            "site": "\(config.site)", "machine": "\(config.machine)", "broker": "\(config.broker.host):\(config.broker.port)",
            "tls": "\(config.broker.caFile != nil)", "acknowledged_up_to": "\(ledger.watermark)",
        ])
        publisher.run { terminated != 0 }
        let s = publisher.stats
        logger.info("treadsync stopped", metadata: ["published": "\(s.published)", "acknowledged": "\(s.acknowledged)", "refused": "\(s.refused)"])
    }
}
