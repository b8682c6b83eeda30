import Foundation
import Glibc

/// Debian's mosquitto, started by `scripts/fleet/mosquitto.sh` on a free port (or a given
/// address in a test network namespace), with persistence in `dir`: a real broker, stopped,
/// killed, frozen and restarted on the same port by the fleet's tests.
public final class MosquittoBroker: @unchecked Sendable {
    public let dir: String
    public let address: String
    public let port: Int
    /// Run the broker inside this network namespace (`ip netns exec`), when set.
    public let netns: String?
    private var process: SpawnedProcess?
    private let logPath: String

    /// - Parameter security: listener options written to `security.conf` (TLS files, a
    ///   password file); with them anonymous clients are refused (scripts/fleet/mosquitto.sh).
    public init(dir: String, address: String = "127.0.0.1", port: Int? = nil, netns: String? = nil, security: String? = nil) throws {
        if let security {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try security.write(toFile: dir + "/security.conf", atomically: true, encoding: .utf8)
        }
        self.dir = dir
        self.address = address
        self.netns = netns
        self.port = try port ?? Self.freePort()
        logPath = dir + "/broker.log"
        try start()
    }

    deinit { kill() }

    /// A port nothing listens on now (bound and released; the broker binds it at once after).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw BrokerError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts the broker (again, after `stop` or `kill`) and waits until it accepts connections.
    public func start() throws {
        guard process == nil else { return }
        let script = PackagePaths.root.appendingPathComponent("scripts/fleet/mosquitto.sh").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = try netns.map { try SpawnedProcess("/usr/sbin/ip", ["netns", "exec", $0, "/bin/bash", script, dir, "\(port)", address], log: logPath) }
            ?? SpawnedProcess("/bin/bash", [script, dir, "\(port)", address], log: logPath)
        process = p
        do {
            try waitUntil("mosquitto listening on \(address):\(port)", timeout: .seconds(10)) {
                guard p.isRunning else { throw BrokerError("mosquitto exited: \(self.log)") }
                return netns != nil ? Self.listening(port: port, in: netns!) : Self.accepts(address: address, port: port)
            }
        } catch {
            kill()
            throw error
        }
    }

    /// What the broker printed.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM: the broker saves its sessions and queued messages, and exits.
    public func stop() { process?.terminate(); process = nil }

    /// SIGKILL: whatever the broker had not saved is gone.
    public func kill() { process?.kill(); process = nil }

    /// SIGSTOP / SIGCONT: a broker that holds its connections open and answers nothing.
    public func freeze() { process?.send(SIGSTOP) }
    public func thaw() { process?.send(SIGCONT) }

    static func accepts(address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr(address)
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Inside a namespace the listening socket is looked up with `ss`, as a connect from here
    /// may not have a route yet.
    static func listening(port: Int, in netns: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", netns, "ss", "-Hltn", "sport = :\(port)"]
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return false }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.contains("LISTEN")
    }
}

public struct BrokerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
