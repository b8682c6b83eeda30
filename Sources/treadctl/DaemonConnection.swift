import Foundation
import TreadProtocol

/// A blocking client of treadd's socket: one request at a time, events read in order.
final class DaemonConnection {
    let path: String
    let hello: Hello
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(path: String) throws(CLIError) {
        self.path = path
        let hint = "is the service started? try: systemctl status treadd"
        guard FileManager.default.fileExists(atPath: path) else {
            throw .notRunning("treadd is not running: no socket at \(path); \(hint)")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw .notRunning("cannot create a socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw .usage("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard ok else {
            let e = errno
            close(fd)
            if e == ECONNREFUSED { throw .notRunning("treadd is not running: \(path) is a stale socket (connection refused); \(hint)") }
            if e == EACCES || e == EPERM {
                throw .notPermitted("no permission to connect to \(path): the socket is for root and the treadmill group; ask a technician: usermod -aG treadmill $USER (then log in again)")
            }
            throw .notRunning("cannot connect to \(path): \(String(cString: strerror(e))); \(hint)")
        }
        var pending: [UInt8] = []
        let first = try Self.readMessage(fd: fd, buffer: &pending, path: path)
        guard let h = first.hello else { close(fd); throw .protocolError("\(path) did not greet like treadd") }
        hello = h
        buffer = pending
    }

    deinit { close(fd) }

    /// Sends a request and returns its result; events that arrive first are passed to `onEvent`.
    func call(_ method: TreadProtocol.Method, _ params: Params? = nil, onEvent: (ServerMessage) -> Void = { _ in }) throws(CLIError) -> ResultBody {
        let id = nextID
        nextID += 1
        let line = LineCoding.encode(Request(id: id, method: method, params: params)) + "\n"
        var bytes = Array(line.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .notRunning("treadd closed the connection") }
            sent += n
        }
        bytes.removeAll()
        while true {
            let m = try next()
            if m.id == id {
                if let e = m.error { throw .refused(e) }
                return m.result ?? ResultBody()
            }
            if m.id == nil, let e = m.error { throw .refused(e) }
            onEvent(m)
        }
    }

    func next() throws(CLIError) -> ServerMessage {
        try Self.readMessage(fd: fd, buffer: &buffer, path: path)
    }

    private static func readMessage(fd: Int32, buffer: inout [UInt8], path: String) throws(CLIError) -> ServerMessage {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                do { return try LineCoding.decode(ServerMessage.self, from: line) } catch {
                    throw .protocolError("unreadable reply from \(path): \(line.prefix(200))")
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .notRunning("treadd closed the connection (\(path))") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
