import Foundation
import Logging
import Synchronization
import TreadCore
@testable import TreadDaemon
import TreadMQTT
@testable import TreadSync
import TreadTesting

/// A machine's history written by treadd's own store, and treadsync's pieces pointed at it.
struct Machine {
    let dir: String
    let store: HistoryStore
    let site: String
    let name: String

    init(dir: String, site: String = "berlin", name: String = "tm-01") throws {
        self.dir = dir
        self.site = site
        self.name = name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        store = try HistoryStore(path: dir + "/history.sqlite")
    }

    /// Writes a finished session, as treadd's history writer would; returns its id.
    @discardableResult
    func session(at t: Double, member: String = "Anna", metres: Double = 500) throws -> String {
        let id = UUID().uuidString.lowercased()
        var tally = SessionTally()
        tally.forwardTime = .seconds(300)
        tally.forwardDistance = metres
        try store.write([
            .sessionStarted(.init(id: id, program: "demo", title: "Demo", member: member, at: t, planned: .seconds(300), plannedReverse: .zero)),
            .sessionEnded(sessionID: id, at: t + 300, outcome: .finished, tally: tally),
        ])
        return id
    }

    func config(port: Int, maxInflight: Int = 20, scanInterval: Duration = .milliseconds(50)) -> SyncConfig {
        var broker = MQTTSettings(host: "127.0.0.1", port: port, clientID: "treadsync-\(site)-\(name)")
        broker.keepalive = .seconds(5)
        return SyncConfig(site: site, machine: name, broker: broker, historyPath: dir + "/history.sqlite",
                          ledgerPath: dir + "/ledger.sqlite", maxInflight: maxInflight, retryFirst: .milliseconds(100),
                          retryMax: .milliseconds(800), scanInterval: scanInterval)
    }
}

/// An `OutboxPublisher` on a thread of its own, as treadsync's main thread runs it.
final class RunningPublisher: @unchecked Sendable {
    let publisher: OutboxPublisher
    let ledger: SyncLedger
    private let stopFlag = Atomic<Bool>(false)
    private let done = NSCondition()
    private var finished = false

    init(_ config: SyncConfig) throws {
        ledger = try SyncLedger(path: config.ledgerPath)
        var logger = Logger(label: "test.treadsync")
        logger.logLevel = .warning
        publisher = OutboxPublisher(config: config, logger: logger, connection: try MQTTConnection(config.broker),
                                    outbox: try OutboxReader(path: config.historyPath), ledger: ledger)
        let t = Thread { [self] in
            publisher.run { stopFlag.load(ordering: .relaxed) }
            done.lock(); finished = true; done.broadcast(); done.unlock()
        }
        t.name = "test-treadsync"
        t.start()
    }

    func stop() {
        stopFlag.store(true, ordering: .relaxed)
        done.lock()
        while !finished { done.wait() }
        done.unlock()
    }
}
