import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Connects a Unix stream socket to `path`; returns its descriptor.
func connectUnix(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
        close(fd)
        throw BenchError("socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        for (i, b) in bytes.enumerated() { raw[i] = b }
    }
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else {
        let e = errno
        close(fd)
        throw BenchError("connect \(path): \(String(cString: strerror(e)))")
    }
    return fd
}

/// Writes all of `text`.
func sendAll(_ fd: Int32, _ text: String) throws {
    let data = Array(text.utf8)
    var off = 0
    while off < data.count {
        let n = data[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 {
            if errno == EINTR { continue }
            throw BenchError("send: \(String(cString: strerror(errno)))")
        }
        off += n
    }
}

/// A blocking newline-delimited client, for the benchmark's own requests (starting a session).
final class LineClient {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(path: String) throws { fd = try connectUnix(path) }
    deinit { close(fd) }

    func send(_ line: String) throws { try sendAll(fd, line + "\n") }

    /// The next line, or nil at EOF or after `timeout` seconds.
    func readLine(timeout: Double) -> String? {
        let deadline = monotonicNanos() + UInt64(timeout * 1e9)
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                return line
            }
            let now = monotonicNanos()
            guard now < deadline else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(max(1, min(1000, (deadline - now) / 1_000_000)))) > 0 else { continue }
            var buf = [UInt8](repeating: 0, count: 65536)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                pending += buf[..<n]
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                return nil
            }
        }
    }

    /// Sends a request and returns the reply with its id (skipping the greeting and events),
    /// as a JSON object.
    func request(_ json: String, id: Int, timeout: Double = 5) throws -> [String: Any] {
        try send(json)
        let deadline = monotonicNanos() + UInt64(timeout * 1e9)
        while monotonicNanos() < deadline {
            guard let line = readLine(timeout: 1) else { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw BenchError("not JSON from treadd: \(line)")
            }
            if (obj["id"] as? NSNumber)?.intValue == id { return obj }
        }
        throw BenchError("no reply to \(json) within \(timeout) s")
    }
}

/// `count` socket clients subscribed with `watch`, as `treadctl watch` does, all read by one
/// thread that counts the lines and discards them.
final class Subscribers: @unchecked Sendable {
    let fds: [Int32]
    private let lineCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int>(0)
    /// Clients that have received at least the greeting and one more line (the `watch` reply,
    /// or an event, which the server sends only after subscribing them).
    private let subscribedCount = Atomic<Int>(0)
    /// Clients whose connection the server closed (a subscriber that falls behind is dropped).
    private let closedCount = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    // Written by the reader thread only; read after `stop()` has joined it.
    /// When the server closed each dropped client (CLOCK_MONOTONIC ns), in order.
    private(set) var closedAt: [UInt64] = []
    /// The reader thread's CPU time (user + system), in seconds.
    private(set) var readerCPUSeconds: Double = 0

    init(path: String, count: Int) throws {
        var fds: [Int32] = []
        do {
            for i in 0..<count {
                let fd = try connectUnix(path)
                fds.append(fd)
                try sendAll(fd, #"{"id":\#(i + 1),"method":"watch"}"# + "\n")
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        self.fds = fds
    }

    var lines: Int { lineCount.load(ordering: .relaxed) }
    var bytes: Int { byteCount.load(ordering: .relaxed) }
    var subscribed: Int { subscribedCount.load(ordering: .relaxed) }
    var closedByServer: Int { closedCount.load(ordering: .relaxed) }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "treadbench-subscribers"
        t.start()
    }

    /// Waits until every client is subscribed; false at the timeout.
    func waitSubscribed(timeout: Double) -> Bool {
        let deadline = monotonicNanos() + UInt64(timeout * 1e9)
        while subscribed < fds.count {
            if monotonicNanos() > deadline { return false }
            sleepNanos(5_000_000)
        }
        return true
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        for fd in fds { close(fd) }
    }

    private func run() {
        var pfds = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var perClient = [Int](repeating: 0, count: fds.count)
        let size = 1 << 16
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buf.deallocate() }
        while !stopping.load(ordering: .relaxed) {
            guard poll(&pfds, nfds_t(pfds.count), 100) > 0 else { continue }
            for i in pfds.indices where pfds[i].revents != 0 {
                pfds[i].revents = 0
                let n = recv(pfds[i].fd, buf, size, Int32(MSG_DONTWAIT))
                if n > 0 {
                    var newlines = 0
                    var p = UnsafeRawPointer(buf)
                    let end = p + n
                    while p < end, let q = memchr(p, 0x0A, end - p) {
                        newlines += 1
                        p = UnsafeRawPointer(q) + 1
                    }
                    if perClient[i] < 2, perClient[i] + newlines >= 2 { subscribedCount.add(1, ordering: .relaxed) }
                    perClient[i] += newlines
                    lineCount.add(newlines, ordering: .relaxed)
                    byteCount.add(n, ordering: .relaxed)
                } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    closedAt.append(monotonicNanos())
                    closedCount.add(1, ordering: .relaxed)
                    pfds[i].fd = -1  // poll skips it from now on
                }
            }
        }
        readerCPUSeconds = threadCPUSeconds()
        finished.signal()
    }
}
