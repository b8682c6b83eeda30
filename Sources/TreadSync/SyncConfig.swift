import Foundation
import TreadFiles
import TreadMQTT

/// treadsync's settings, from `/etc/treadd/treadsync.toml` (root-owned, like treadd's own).
/// The password lives in a file of its own (mode 0600), never in the config or on a command line.
public struct SyncConfig: Sendable, Equatable {
    public var site: String
    public var machine: String
    public var broker: MQTTSettings
    /// treadd's history database, read only.
    public var historyPath: String
    /// treadsync's own ledger: what the broker has acknowledged.
    public var ledgerPath: String
    /// QoS 1 messages sent and not yet acknowledged, at most.
    public var maxInflight: Int
    /// Reconnect back-off: first wait, doubled up to `retryMax`.
    public var retryFirst: Duration
    public var retryMax: Duration
    /// How often the outbox is looked at for new entries while nothing is in flight.
    public var scanInterval: Duration
    /// Where members' fleet summaries are kept for treadd's +10% check (`[sync] members`, a
    /// folder treadd can read; empty turns it off). docs/fleet.md, "A member's history".
    public var membersDirectory: String? = "/var/lib/treadd-fleet/members"

    public static func load(path: String) throws(FileError) -> SyncConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FileError(file: path, line: nil, key: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(FileError) -> SyncConfig {
        let doc = try TOMLDocument(text: text, file: file)
        let root = doc.root
        try root.rejectUnknownKeys(["machine", "broker", "sync"])
        guard let m = try root.section("machine") else { throw root.error("machine", "the [machine] table is required (site and id)") }
        try m.rejectUnknownKeys(["site", "id"])
        let site = try m.required("site", m.string)
        let machine = try m.required("id", m.string)
        for (key, value) in [("site", site), ("id", machine)] {
            guard Self.isTopicLevel(value) else {
                throw m.error(key, "must be 1-64 letters, digits, '-' or '_' (it is a topic level), got \"\(value)\"")
            }
        }
        guard let b = try root.section("broker") else { throw root.error("broker", "the [broker] table is required (host)") }
        try b.rejectUnknownKeys(["host", "port", "keepalive_s", "session_expiry_s", "username", "password_file", "ca_file", "cert_file", "key_file", "client_id"])
        let host = try b.required("host", b.string)
        let tls = try b.string("ca_file") != nil
        let port = try b.int("port") ?? (tls ? 8883 : 1883)
        guard (1...65535).contains(port) else { throw b.error("port", "must be 1-65535, got \(port)") }
        var broker = MQTTSettings(host: host, port: port, clientID: try b.string("client_id") ?? "treadsync-\(site)-\(machine)")
        if let k = try b.seconds("keepalive_s") {
            guard k >= .seconds(5), k <= .seconds(600) else { throw b.error("keepalive_s", "must be between 5 and 600 s") }
            broker.keepalive = k
        }
        if let e = try b.seconds("session_expiry_s") {
            guard e >= .seconds(60) else { throw b.error("session_expiry_s", "must be at least 60 s (the broker keeps the session while we are away)") }
            broker.sessionExpiry = e
        }
        broker.username = try b.string("username")
        if let pf = try b.string("password_file") {
            guard broker.username != nil else { throw b.error("password_file", "needs `username` too") }
            do {
                broker.password = try String(contentsOfFile: pf, encoding: .utf8).trimmingCharacters(in: .newlines)
            } catch {
                throw b.error("password_file", "cannot read \(pf): \(error.localizedDescription)")
            }
        }
        broker.caFile = try b.string("ca_file")
        broker.certFile = try b.string("cert_file")
        broker.keyFile = try b.string("key_file")
        if (broker.certFile == nil) != (broker.keyFile == nil) { throw b.error(broker.certFile == nil ? "key_file" : "cert_file", "a client certificate needs both cert_file and key_file") }
        if broker.certFile != nil, !tls { throw b.error("cert_file", "a client certificate needs TLS: set ca_file too") }

        let s = try root.section("sync")
        try s?.rejectUnknownKeys(["history", "ledger", "members", "max_inflight", "retry_first_s", "retry_max_s", "scan_interval_s"])
        let maxInflight = try s?.int("max_inflight") ?? 20
        guard (1...1000).contains(maxInflight) else { throw s!.error("max_inflight", "must be 1-1000, got \(maxInflight)") }
        let first = try s?.seconds("retry_first_s") ?? .seconds(1)
        let most = try s?.seconds("retry_max_s") ?? .seconds(60)
        guard first > .zero, most >= first else { throw (s ?? root).error("retry_max_s", "must be at least retry_first_s, both above zero") }
        let scan = try s?.seconds("scan_interval_s") ?? .seconds(1)
        guard scan >= .milliseconds(10), scan <= .seconds(60) else { throw s!.error("scan_interval_s", "must be between 0.01 and 60 s") }
        var config = SyncConfig(site: site, machine: machine, broker: broker,
                                historyPath: try s?.string("history") ?? "/var/lib/treadd/history.sqlite",
                                ledgerPath: try s?.string("ledger") ?? "/var/lib/treadsync/ledger.sqlite",
                                maxInflight: maxInflight, retryFirst: first, retryMax: most, scanInterval: scan)
        if let members = try s?.string("members") { config.membersDirectory = members.isEmpty ? nil : members }
        return config
    }

    /// A topic level that needs no escaping: no `/`, `+`, `#`, spaces or control characters.
    static func isTopicLevel(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
    }

    /// `treadd/<site>/<machine>/<leaf>`.
    public func topic(_ leaf: String) -> String { "treadd/\(site)/\(machine)/\(leaf)" }
}
