import Foundation
import TreadMQTT
import TreadProtocol
import TreadTesting

/// A test's own client on the real broker: subscribes to every machine's topics and collects
/// what arrives, as the ingest would see it.
final class Subscriber {
    struct Received: Equatable {
        var topic: String
        var payload: [UInt8]
        var id: String
        var seq: Int64
        var kind: String
    }
    let connection: MQTTConnection
    private(set) var received: [Received] = []

    init(port: Int, pattern: String = "treadd/#", clientID: String = "test-subscriber-\(UUID().uuidString.prefix(8))") throws {
        var s = MQTTSettings(host: "127.0.0.1", port: port, clientID: clientID)
        s.keepalive = .seconds(5)
        connection = try MQTTConnection(s)
        try connection.connect()
        try collect("the subscriber's CONNACK") { $0.connection.isConnected }
        try connection.subscribe(pattern)
        var granted = false
        try collect("the subscription's SUBACK", events: { if case .subscribed = $0 { granted = true } }) { _ in granted }
    }

    /// Polls the connection until `done` holds, collecting messages; throws if it does not
    /// within `timeout`. Waits on the broker's traffic, not on the clock.
    func collect(_ what: String, timeout: Duration = .seconds(20), events: (MQTTEvent) -> Void = { _ in },
                 until done: (Subscriber) -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !done(self) {
            guard ContinuousClock.now < deadline else { throw WaitTimedOut(what, timeout: timeout) }
            for e in connection.poll(timeout: .milliseconds(100)) {
                events(e)
                if case .message(let topic, let payload, _) = e {
                    struct Head: Decodable { var id: String; var seq: Int64; var kind: String }
                    let head = try? JSONDecoder().decode(Head.self, from: Data(payload))
                    received.append(Received(topic: topic, payload: payload, id: head?.id ?? "?", seq: head?.seq ?? -1, kind: head?.kind ?? "?"))
                }
            }
        }
    }

    var ids: Set<String> { Set(received.map(\.id)) }
}
