import Foundation
import Testing
@testable import TreadSync
import TreadTesting

/// The treadsync binary against the real broker: killed between publish and PUBACK, it has
/// recorded nothing, and its next run publishes the entry again (at least once; the
/// ingest's upsert by id makes it one row).
@Suite(.serialized) struct SyncProcessTests {
    @Test func killedBetweenPublishAndPUBACKItPublishesTheEntryAgain() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        let machine = try Machine(dir: dir.path + "/m1")
        let config = try machine.writeConfig(port: broker.port)
        let sub = try Subscriber(port: broker.port, clientID: "ingest-under-test")

        let first = try SyncProcess(configPath: config)
        try first.waitForLine("connected") { $0.contains("connected to the broker") }
        // A broker that holds the connection and answers nothing: no PUBACK can come.
        broker.freeze()
        let id = try machine.session(at: 1_764_000_000)
        try first.waitForLine("the session published") { $0.contains("published") && $0.contains(id) }
        first.kill()
        broker.thaw()
        #expect(try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 0, "nothing recorded without a PUBACK")

        let second = try SyncProcess(configPath: config)
        try second.waitForLine("the session acknowledged") { $0.contains("acknowledged") && $0.contains(id) }
        second.terminate()
        #expect(try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 1)
        try sub.collect("the session at the subscriber") { $0.ids.contains(id) }
        // Delivered once or twice (if the frozen broker had read it before the kill), always
        // with the same id and sequence number: what the ingest's upsert relies on.
        let copies = sub.received.filter { $0.id == id }
        #expect((1...2).contains(copies.count))
        #expect(Set(copies.map(\.seq)) == [1])
    }

    @Test func aBrokerThatIsNotThereIsLoggedAndTheEntryWaitsForIt() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        broker.stop()
        let machine = try Machine(dir: dir.path + "/m1")
        let config = try machine.writeConfig(port: broker.port)
        let id = try machine.session(at: 1_764_000_000)
        // Nobody listens: the error is logged, the entry waits.
        let p = try SyncProcess(configPath: config)
        try p.waitForLine("the unreachable broker reported") { $0.contains("cannot reach the broker") }
        #expect(try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 0)
        try broker.start()
        try p.waitForLine("acknowledged once the broker is back") { $0.contains("acknowledged") && $0.contains(id) }
        p.terminate()
        #expect(try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 1)
    }
}
