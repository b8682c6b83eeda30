import Glibc

/// The sending end of systemd's notification socket (`$NOTIFY_SOCKET`, a SOCK_DGRAM Unix
/// socket): the protocol of sd_notify(3), written in Swift so no libsystemd is linked.
///
/// A send never waits: the datagram goes out with MSG_DONTWAIT, and a full socket buffer is
/// reported as `.wouldBlock` and the message dropped. The next watchdog ping or status line
/// follows soon enough, and a notifier that blocked would be worse than one that skipped.
public final class NotifySocket: Sendable {
    public enum NotifyError: Error, Hashable, Sendable, CustomStringConvertible {
        case badAddress(String)
        case socketFailed(Int32)

        public var description: String {
            switch self {
            case .badAddress(let a): return "NOTIFY_SOCKET=\(a) is not an absolute path or an abstract name starting with '@' (at most 107 bytes)"
            case .socketFailed(let e): return "cannot open a datagram socket for sd_notify: \(String(cString: strerror(e)))"
            }
        }
    }

    public enum SendResult: Hashable, Sendable {
        case sent
        case wouldBlock
        case failed(Int32)
    }

    public let address: String
    private let fd: Int32
    /// The sockaddr_un bytes and the length to pass; an abstract name starts with a NUL byte
    /// and is not NUL-terminated.
    private let sockaddrBytes: [UInt8]

    public init(address: String) throws(NotifyError) {
        let abstract = address.hasPrefix("@")
        let name = Array(address.utf8)
        guard abstract || address.hasPrefix("/"), name.count > 1, name.count < 108 else { throw .badAddress(address) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in name.enumerated() { raw[i] = b }
            if abstract { raw[0] = 0 }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let length = pathOffset + name.count + (abstract ? 0 : 1)
        sockaddrBytes = withUnsafeBytes(of: &addr) { Array($0.prefix(length)) }
        self.address = address
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard s >= 0 else { throw .socketFailed(errno) }
        fd = s
    }

    deinit { close(fd) }

    /// Sends one notification ("READY=1", "WATCHDOG=1", "STATUS=..." or several, one a line).
    @discardableResult
    public func send(_ message: String) -> SendResult {
        let bytes = Array(message.utf8)
        let rc = sockaddrBytes.withUnsafeBytes { addr in
            bytes.withUnsafeBytes { body in
                addr.baseAddress!.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), $0, socklen_t(addr.count))
                }
            }
        }
        if rc >= 0 { return .sent }
        let e = errno
        return e == EAGAIN || e == EWOULDBLOCK ? .wouldBlock : .failed(e)
    }
}
