import Foundation
import Glibc

/// Plays systemd's side of sd_notify in tests: a SOCK_DGRAM Unix socket bound at a path (or
/// an abstract name starting with '@'), from which datagrams are awaited with a deadline.
public final class NotifyListener {
    public let address: String
    private let fd: Int32
    /// Every datagram received so far, in order.
    public private(set) var received: [String] = []

    public enum ListenerError: Error { case failed(String, Int32) }

    public init(address: String) throws {
        self.address = address
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError.failed("socket", errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let name = Array(address.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in name.enumerated() { raw[i] = b }
            if address.hasPrefix("@") { raw[0] = 0 }
        }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (address.hasPrefix("@") ? 0 : 1)
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard rc == 0 else { let e = errno; close(fd); throw ListenerError.failed("bind \(address)", e) }
    }

    deinit { close(fd) }

    /// The next datagram, or nil when none arrives within `timeout`.
    public func next(timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let n = poll(&pfd, 1, ms)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let got = recv(fd, &buffer, buffer.count, 0)
            guard got >= 0 else { continue }
            let text = String(decoding: buffer[0..<got], as: UTF8.self)
            received.append(text)
            return text
        }
    }

    /// Awaits a datagram satisfying `predicate`, returning every datagram seen on the way
    /// (the match last), or nil on timeout.
    public func await(timeout: Duration, _ predicate: (String) -> Bool) -> [String]? {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while let left = Optional(deadline - ContinuousClock.now), left > .zero {
            guard let m = next(timeout: left) else { return nil }
            seen.append(m)
            if predicate(m) { return seen }
        }
        return nil
    }

    /// Every datagram arriving within `window` (for "nothing of this kind arrives" checks).
    public func collect(for window: Duration) -> [String] {
        let deadline = ContinuousClock.now + window
        var seen: [String] = []
        while let left = Optional(deadline - ContinuousClock.now), left > .zero {
            if let m = next(timeout: left) { seen.append(m) }
        }
        return seen
    }
}

extension String {
    /// The `KEY=value` lines of an sd_notify message.
    public var notifyFields: [String: String] {
        var out: [String: String] = [:]
        for line in split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }
}
