import Foundation

/// treadsync's config file as the fleet's tests write it: one machine whose history and
/// ledger are in `dir`, a broker at `host:port`, retries and scans short enough for a test,
/// and whatever [broker] or [sync] lines a test adds (TLS, a password, a members folder).
public struct TreadsyncConfigFile {
    public var site = "berlin"
    public var machine: String
    public var dir: String
    public var host = "127.0.0.1"
    public var port: Int
    public var brokerLines: [String] = []
    public var syncLines: [String] = []

    public init(machine: String, dir: String, host: String = "127.0.0.1", port: Int,
                brokerLines: [String] = [], syncLines: [String] = []) {
        self.machine = machine; self.dir = dir; self.host = host; self.port = port
        self.brokerLines = brokerLines; self.syncLines = syncLines
    }

    /// Writes `dir/treadsync.toml` and returns its path.
    public func write() throws -> String {
        let path = dir + "/treadsync.toml"
        let text = (["[machine]", "site = \"\(site)\"", "id = \"\(machine)\"",
                     "[broker]", "host = \"\(host)\"", "port = \(port)", "keepalive_s = 5"] + brokerLines
                    + ["[sync]", "history = \"\(dir)/history.sqlite\"", "ledger = \"\(dir)/ledger.sqlite\"",
                       "retry_first_s = 0.1", "retry_max_s = 1", "scan_interval_s = 0.05"] + syncLines)
            .joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
