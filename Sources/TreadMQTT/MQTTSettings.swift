/// How to reach a broker. Real brokers (EMQX, a managed Mosquitto) want TLS and credentials;
/// a test broker on loopback wants neither.
public struct MQTTSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Stable per machine (or per ingest instance): the broker keeps the session under it.
    public var clientID: String
    public var keepalive: Duration = .seconds(30)
    /// How long the broker keeps the session (subscriptions, queued QoS 1 messages) while we
    /// are away; 0 would be a clean session at every reconnect.
    public var sessionExpiry: Duration = .seconds(7 * 24 * 3600)
    public var username: String?
    public var password: String?
    /// TLS when `caFile` is set; a client certificate when `certFile` and `keyFile` are too.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(host: String, port: Int, clientID: String) {
        self.host = host; self.port = port; self.clientID = clientID
    }
}
