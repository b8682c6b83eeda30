import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX Unix-socket client that speaks newline-delimited lines, as any tool would.
final class LineClient {
    private let fd: Int32
    private var pending: [UInt8] = []
    private(set) var sawEOF = false

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw Failure(description: "path too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw Failure(description: "connect \(path): \(String(cString: strerror(e)))")
        }
    }

    deinit { close(fd) }

    /// Sends all of `text`; returns false if the peer closed the connection part-way.
    @discardableResult
    func send(_ text: String) -> Bool {
        let data = Array(text.utf8)
        var off = 0
        while off < data.count {
            let n = data[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }

    /// The next line (without the newline), or nil on EOF or when `timeout` passes.
    func readLine(timeout: Duration = .seconds(5)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            if sawEOF { return nil }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(min(left.inMillis, 1000))
            guard poll(&p, 1, max(ms, 1)) > 0 else { continue }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                pending += buf[..<n]
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                sawEOF = true
            }
        }
    }

    /// Whether the server has closed its end, without reading what is buffered (POLLRDHUP).
    var peerHungUp: Bool {
        let rdhup: Int16 = 0x2000  // POLLRDHUP (Linux), which Glibc's module leaves out
        var p = pollfd(fd: fd, events: rdhup, revents: 0)
        return poll(&p, 1, 0) > 0 && p.revents & (rdhup | Int16(POLLHUP)) != 0
    }

    /// Whether the server closes the connection within `timeout` (after any pending lines).
    func closes(within timeout: Duration = .seconds(5)) -> Bool {
        while readLine(timeout: timeout) != nil {}
        return sawEOF
    }
}

extension Duration {
    var inMillis: Int {
        let c = components
        return Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000)
    }
}
