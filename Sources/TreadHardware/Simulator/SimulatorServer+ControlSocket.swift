import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The control socket's plumbing: a non-blocking Unix listener and line-based clients,
/// served from the same poll() as Modbus so no control client ever stalls the drive.
extension SimulatorServer {
    final class ControlClient {
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var closing = false
        init(fd: Int32) { self.fd = fd }
    }

    static func listenUnix(_ path: String) throws(SimulatorError) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SimulatorError("control socket path \(path) must be 1...\(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        // A socket left behind by an earlier run is replaced; any other file is not.
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFSOCK else { throw SimulatorError("control socket path \(path) exists and is not a socket") }
            unlink(path)
        }
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let fd = socket(AF_UNIX, streamType, 0)
        guard fd >= 0 else { throw SimulatorError("cannot create control socket: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 8) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SimulatorError("cannot listen on control socket \(path): \(message)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    func acceptControlClient() {
        let fd = accept(controlListen, nil, nil)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        controlClients.append(ControlClient(fd: fd))
    }

    func serviceControlClient(_ c: ControlClient, revents: Int16) {
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            var chunk = [UInt8](repeating: 0, count: 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(c.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    c.input += chunk[0..<n]
                    continue
                }
                if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { c.closing = true }
                break
            }
            while let nl = c.input.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: c.input[..<nl], as: UTF8.self)
                c.input.removeSubrange(...nl)
                c.output += Array((control(line) + "\n").utf8)
            }
            if c.closing, !c.input.isEmpty {
                c.output += Array((control(String(decoding: c.input, as: UTF8.self)) + "\n").utf8)
                c.input.removeAll()
            }
            if c.input.count > 4096 {
                c.output += Array("error: command line too long\n".utf8)
                c.input.removeAll()
            }
        }
        while !c.output.isEmpty {
            let n = c.output.withUnsafeBytes { socketSend(c.fd, $0.baseAddress, $0.count, dontWait: true) }
            if n > 0 {
                c.output.removeFirst(n)
            } else {
                if n < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { c.closing = true; c.output.removeAll() }
                break
            }
        }
        if c.closing, c.output.isEmpty || revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            close(c.fd)
            controlClients.removeAll { $0 === c }
        }
    }
}
