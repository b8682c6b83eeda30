import Foundation
import Glibc

/// A Modbus TCP "server" on 127.0.0.1 that answers each request with the next chunk of the
/// current script, on its own thread, so real libmodbus in the drive layer parses the replies.
/// With `upstream` set it instead forwards each request to a real server (the simulator) and
/// records the replies as chunks: that is how the seed corpus is made.
final class ReplyServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let state = NSCondition()
    // Guarded by `state`.
    private var chunks: [ReplyScript.Chunk] = []
    private var cursor = 0
    private var connections = 0
    private var upstream: Int32?
    private(set) var recorded: [ReplyScript.Chunk] = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw UnixLineClient.Failure(description: "bind/listen: \(String(cString: strerror(errno)))") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = Thread { [self] in acceptLoop() }
        t.name = "treadfuzz-reply-server"
        t.start()
    }

    /// Replaces the script; call only while no drive is connected (after `waitIdle`).
    func load(_ script: [ReplyScript.Chunk]) {
        state.lock(); chunks = script; cursor = 0; recorded = []; state.unlock()
    }

    /// Forwards to a real server at `port` and records, instead of replaying a script.
    func proxy(to port: Int?) {
        state.lock(); defer { state.unlock() }
        if let u = upstream { Glibc.close(u); upstream = nil }
        if let port { upstream = Self.dial(port) }
    }

    /// Waits until the server has seen every connection close, so no reply meant for one
    /// input is taken from the next input's script.
    func waitIdle() {
        state.lock(); defer { state.unlock() }
        let deadline = Date().addingTimeInterval(5)
        while connections > 0 {
            if !state.wait(until: deadline) { FuzzCheck.fail("the drive layer left a Modbus connection open for 5 s after disconnect") }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            state.lock(); connections += 1; state.unlock()
            serve(fd)
            Glibc.close(fd)
            state.lock(); connections -= 1; state.broadcast(); state.unlock()
        }
    }

    private func serve(_ fd: Int32) {
        while let request = Self.readFrame(fd) {
            state.lock()
            let action: ReplyScript.Chunk?
            if let u = upstream {
                _ = Self.writeAll(u, request)
                let reply = Self.readFrame(u) ?? []
                let chunk = ReplyScript.Chunk(flags: [.copyTransaction], bytes: reply)
                recorded.append(chunk)
                action = chunk
            } else if cursor < chunks.count {
                action = chunks[cursor]
                cursor += 1
            } else {
                action = nil
            }
            state.unlock()
            // The script is spent: hang up, so every further request fails at once.
            guard let action else { return }
            if let reply = action.reply(to: request) {
                if action.flags.contains(.split), reply.count > 1 {
                    guard Self.writeAll(fd, Array(reply[..<(reply.count / 2)])), Self.writeAll(fd, Array(reply[(reply.count / 2)...])) else { return }
                } else if !Self.writeAll(fd, reply) {
                    return
                }
            }
            if action.flags.contains(.hangUp) { return }
        }
    }

    /// One MBAP frame: the 7-byte header, then the PDU its length field announces.
    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = readExactly(fd, 6) else { return nil }
        let length = Int(header[4]) << 8 | Int(header[5])
        guard length >= 1, length <= 254, let rest = readExactly(fd, length) else { return nil }
        return header + rest
    }

    private static func readExactly(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if r <= 0 { return nil }
            got += r
        }
        return out
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private static func dial(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 { FuzzCheck.fail("cannot reach the simulator on port \(port)") }
        return fd
    }
}
