import Foundation
import Glibc
import TreadTesting

/// A client for treadsim's `--control` socket: one command line out, one answer line back.
enum SimControl {
    static func send(_ command: String, to path: String, timeout: Double = 5) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure.failed("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw TestFailure.failed("control socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw TestFailure.failed("cannot connect to \(path): \(String(cString: strerror(errno)))") }
        let line = Array((command + "\n").utf8)
        guard line.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == line.count else {
            throw TestFailure.failed("cannot send \(command) to \(path)")
        }
        var reply: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !reply.contains(UInt8(ascii: "\n")) {
            let left = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&pfd, 1, left) > 0 else { throw TestFailure.timeout("no answer to \"\(command)\" on \(path)") }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw TestFailure.failed("control socket closed before answering \"\(command)\"") }
            reply += chunk[0..<n]
        }
        return String(decoding: reply.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }

    /// The `state` command's JSON, decoded.
    static func state(at path: String) throws -> [String: Any] {
        let line = try send("state", to: path)
        guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure.failed("state is not a JSON object: \(line)")
        }
        return obj
    }

    /// Polls the drive's state until it is at rest (0 Hz, not running, no run command), the
    /// drive having no event to await; returns the seconds that took, or nil at the deadline.
    static func secondsUntilAtRest(at path: String, within limit: Double) throws -> Double? {
        let start = Date()
        let atRest = try eventually(timeout: .seconds(limit), every: .milliseconds(50)) {
            let s = try state(at: path)
            return s["output_hz"] as? Double == 0 && s["running"] as? Bool == false && s["run_commanded"] as? Bool == false
        }
        return atRest ? Date().timeIntervalSince(start) : nil
    }
}
