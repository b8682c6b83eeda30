/// Where the Prometheus endpoint listens (`[metrics] listen = "127.0.0.1:9464"`).
///
/// Loopback only: the endpoint has no authentication, and a treadmill controller has no
/// business answering the gym's network. Scrape it through a local agent or an SSH tunnel.
public struct MetricsEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case malformed(String)
        case notLoopback(String)
        case badPort(String)

        public var description: String {
            switch self {
            case .malformed(let t): return "expected HOST:PORT such as \"127.0.0.1:9464\" or \"[::1]:9464\", got \"\(t)\""
            case .notLoopback(let h): return "\(h) is not a loopback address; metrics are served on 127.0.0.1, ::1 or localhost only"
            case .badPort(let p): return "port must be 1...65535, got \(p)"
            }
        }
    }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ParseError) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw .malformed(text) }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { throw .malformed(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .malformed(text) }
        guard let port = Int(portText), (1...65535).contains(port) else { throw .badPort(String(portText)) }
        guard Self.isLoopback(String(host)) else { throw .notLoopback(String(host)) }
        self.host = String(host)
        self.port = port
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
