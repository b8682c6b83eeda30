import Foundation
import Testing
@testable import TreadDaemon
import TreadMQTT
import TreadProtocol
@testable import TreadSync
import TreadTesting

/// treadsync's publisher against Debian's real mosquitto: every outbox entry reaches a
/// subscriber, is marked delivered only after its PUBACK, and none is lost while the broker
/// is away; a restarted publisher sends nothing the broker already acknowledged.
@Suite(.serialized) struct PublisherBrokerTests {
    let t0 = 1_764_000_000.0

    @Test func everyEntryArrivesAsAVersionedEnvelopeAndIsAcknowledged() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        let machine = try Machine(dir: dir.path + "/m1")
        let ids = try (0..<25).map { try machine.session(at: t0 + Double($0) * 600) }
        let sub = try Subscriber(port: broker.port)
        let running = try RunningPublisher(machine.config(port: broker.port, maxInflight: 4))
        try sub.collect("25 sessions") { $0.ids.isSuperset(of: ids) }
        running.stop()

        let first = try #require(sub.received.first { $0.id == ids[0] })
        #expect(first.topic == "treadd/berlin/tm-01/sessions")
        let envelope = try JSONDecoder().decode(FleetEnvelope<FleetSession>.self, from: Data(first.payload))
        #expect(envelope.v == FleetSchema.version && envelope.kind == .session)
        #expect(envelope.site == "berlin" && envelope.machine == "tm-01")
        #expect(envelope.body.member == "Anna" && envelope.body.forwardM == 500)
        // In order: the outbox's sequence.
        #expect(sub.received.map(\.seq) == sub.received.map(\.seq).sorted())
        let ledger = try SyncLedger(path: machine.dir + "/ledger.sqlite")
        #expect(ledger.watermark == 25)

        // A new treadsync finds everything acknowledged and publishes only what is new.
        let later = try machine.session(at: t0 + 90_000)
        let again = try RunningPublisher(machine.config(port: broker.port))
        try sub.collect("the one new session") { $0.ids.contains(later) }
        again.stop()
        #expect(sub.received.count == 26, "nothing acknowledged was sent again")
    }

    /// A backlog (the machine back from an outage) goes out a window at a time, each window as
    /// soon as PUBACKs make room, not one window per scan interval.
    @Test func aBacklogIsNotPacedByTheScanInterval() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        let machine = try Machine(dir: dir.path + "/m1")
        let ids = try (0..<30).map { try machine.session(at: t0 + Double($0) * 600) }
        let sub = try Subscriber(port: broker.port)
        let running = try RunningPublisher(machine.config(port: broker.port, maxInflight: 2, scanInterval: .seconds(60)))
        try sub.collect("30 sessions, two in flight at a time, with a minute between scans") { $0.ids.isSuperset(of: ids) }
        running.stop()
    }

    @Test func whileTheBrokerIsAwayNothingIsMarkedDeliveredAndEverythingArrivesAfter() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        let machine = try Machine(dir: dir.path + "/m1")
        let early = try machine.session(at: t0)
        // The ingest's persistent session: what the broker accepts while it is away is kept for it.
        var sub: Subscriber? = try Subscriber(port: broker.port, clientID: "ingest-under-test")
        let running = try RunningPublisher(machine.config(port: broker.port))
        try sub!.collect("the first session") { $0.ids.contains(early) }
        sub = nil
        broker.stop()
        let during = try (1...5).map { try machine.session(at: t0 + Double($0) * 600) }
        // Nothing can be acknowledged by a broker that is not there.
        #expect(try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 1)
        try broker.start()
        let back = try Subscriber(port: broker.port, clientID: "ingest-under-test")
        try back.collect("the sessions written while the broker was away") { $0.ids.isSuperset(of: during) }
        try waitUntil("every PUBACK recorded", timeout: .seconds(20)) {
            try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 6
        }
        running.stop()
    }

    @Test func aResendRequestPublishesTheAskedEntriesAgain() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let broker = try MosquittoBroker(dir: dir.path + "/broker")
        let machine = try Machine(dir: dir.path + "/m1")
        let ids = try (0..<4).map { try machine.session(at: t0 + Double($0) * 600) }
        let sub = try Subscriber(port: broker.port)
        let running = try RunningPublisher(machine.config(port: broker.port))
        try sub.collect("4 sessions") { $0.ids.isSuperset(of: ids) }
        try waitUntil("every PUBACK recorded") { try SyncLedger(path: machine.dir + "/ledger.sqlite").watermark == 4 }
        _ = try sub.connection.publish(topic: "treadfleet/resend/berlin/tm-01", payload: Array(#"{"from_seq":3}"#.utf8))
        try sub.collect("entries 3 and 4 again") { $0.received.count == 6 }
        running.stop()
        #expect(sub.received.suffix(2).map(\.seq) == [3, 4])
    }
}
