import Foundation
import Glibc

/// A blocking Unix-socket client reading newline-delimited lines, with a receive timeout so a
/// daemon that stops answering is a finding rather than a stuck fuzzer.
final class UnixLineClient {
    struct Failure: Error, CustomStringConvertible { let description: String }
    static let timeoutSeconds = 5

    private let fd: Int32
    private var pending: [UInt8] = []
    private(set) var timedOut = false
    var sawLineTooLong = false

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let p = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: p)
            raw[p.count] = 0
        }
        var tv = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard r == 0 else {
            let e = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect \(path): \(e)")
        }
    }

    /// Writes everything it can; a peer that closed (after an over-long line) ends the write.
    func send(_ bytes: some Sequence<UInt8>) {
        let data = Array(bytes)
        var offset = 0
        while offset < data.count {
            let n = data[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }  // libFuzzer's timer signal, not the daemon
            if n <= 0 { return }
            offset += n
        }
    }

    func send(_ bytes: UnsafeRawBufferPointer) { send(Array(bytes)) }

    /// The next line without its newline; nil at end of stream or on timeout (`timedOut`).
    func readLine() -> String? {
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { pending += buf[..<n]; continue }
            if n < 0, errno == EINTR { continue }  // libFuzzer's timer signal, not the daemon
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { timedOut = true }
            return nil
        }
    }

    /// The complete lines already received, without waiting; a closed stream is left for
    /// `readLine` to report.
    func availableLines() -> [String] {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { pending += buf[..<n]; continue }
            if n < 0, errno == EINTR { continue }
            break
        }
        var lines: [String] = []
        while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: pending[..<nl], as: UTF8.self))
            pending.removeSubrange(...nl)
        }
        return lines
    }

    func close() { Glibc.close(fd) }
}
