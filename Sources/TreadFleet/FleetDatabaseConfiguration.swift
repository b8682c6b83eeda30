/// Where treadfleet's PostgreSQL is and who to be there. The password comes from a file or
/// the environment, never the command line (it would show in `ps` and shell history).
public struct FleetDatabaseConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    /// How long a connection attempt may take before PostgreSQL counts as unavailable.
    public var connectTimeoutSeconds: Int64

    public init(host: String = "127.0.0.1", port: Int = 5432, user: String = "treadfleet", database: String = "treadfleet",
                password: String? = nil, connectTimeoutSeconds: Int64 = 5) {
        self.host = host; self.port = port; self.user = user; self.database = database; self.password = password
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `host:port`, as error messages name the server.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
