import Foundation
import Glibc
import Testing
import TreadProtocol

/// Bad input gets a one-line error naming the thing and a non-zero exit; the daemon keeps
/// running and the belt stays stopped.
@Suite(.serialized)
struct BadInputTests {
    @Test func unknownAndMalformedProgramsAreRefusedAndTheDaemonCarriesOn() throws {
        let rig = try TestRig()
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }

        let unknown = try rig.ctl("start", "nope")
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("unknown program 'nope'"))
        #expect(unknown.stderr.contains("short"), "the error lists the known programs")

        let bad = rig.dir + "/bad.toml"
        try "title = \"bad\"\n[[steps]]\ndirection = \"sideways\"\nspeed_kmh = 2.0\nduration = \"10s\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let malformed = try rig.ctl("start", bad)
        #expect(malformed.code == 1)
        #expect(malformed.stderr.contains("bad.toml:3"), "names file and line: \(malformed.stderr)")
        #expect(malformed.stderr.contains("direction"))

        let tooFast = rig.dir + "/fast.toml"
        try "[[steps]]\ndirection = \"forward\"\nspeed_kmh = 2.0\nduration = \"10s\"\n[[steps]]\ndirection = \"reverse\"\nspeed_kmh = 5.0\nduration = \"10s\"\n"
            .write(toFile: tooFast, atomically: true, encoding: .utf8)
        let rejected = try rig.ctl("start", tooFast)
        #expect(rejected.code == 1)
        #expect(rejected.stderr.contains("reverse limit"), "rejected, not clamped: \(rejected.stderr)")

        let status = try rig.ctl("status", "--json")
        #expect(status.code == 0)
        let s = try LineCoding.decode(Status.self, from: status.stdout)
        #expect(s.state == "idle" && s.beltSpeedKmh == 0)
    }

    @Test func missingAndStaleSocketsAreNamed() throws {
        let dir = NSTemporaryDirectory() + "treadd-nosock-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try run(Binaries.path("treadctl"), ["status", "--socket", dir + "/none.sock"])
        #expect(missing.code == 3)
        #expect(missing.stderr.contains("treadd is not running: no socket at \(dir)/none.sock; is the service started? try: systemctl status treadd"), "\(missing.stderr)")

        // A socket file nobody listens on, as a crashed daemon leaves behind.
        let stale = dir + "/stale.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in stale.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(bound == 0)
        let r = try run(Binaries.path("treadctl"), ["status", "--socket", stale])
        #expect(r.code == 3)
        #expect(r.stderr.contains("stale socket"))
    }

    @Test func deadDriveIsALatchedFaultAndStartIsRefused() throws {
        let rig = try TestRig(startDrive: false)
        let events = try rig.watch()
        let s = try events.awaitStatus("drive offline fault") { $0.state == "fault" }
        #expect(s.fault?.code == "drive_offline")
        #expect(s.fault?.message.contains("127.0.0.1:1") == true, "names the drive's address: \(s.fault?.message ?? "")")
        let start = try rig.ctl("start", "short")
        #expect(start.code == 1)
        #expect(start.stderr.contains("not reachable"), "\(start.stderr)")
        #expect(try rig.ctl("reset").code == 1, "reset refused while the drive is still gone")
        #expect(try rig.ctl("status").code == 0, "the daemon keeps serving")
    }

    @Test func malformedSocketRequestsGetErrorsAndTheConnectionKeepsServing() throws {
        let rig = try TestRig()
        let conn = try RawConnection(path: rig.socket)
        let hello = try LineCoding.decode(ServerMessage.self, from: try conn.readLine())
        #expect(hello.hello?.protocolVersion == 1)
        try conn.send("this is not json\n")
        let err = try LineCoding.decode(ServerMessage.self, from: try conn.readLine())
        #expect(err.error?.code == "bad_request")
        try conn.send("{\"id\":7,\"method\":\"fly\"}\n")
        let unknown = try LineCoding.decode(ServerMessage.self, from: try conn.readLine())
        #expect(unknown.id == 7 && unknown.error?.code == "unknown_method")
        try conn.send("{\"id\":8,\"method\":\"status\"}\n")
        let status = try LineCoding.decode(ServerMessage.self, from: try conn.readLine())
        #expect(status.id == 8 && status.result?.status != nil)
    }
}

/// A bare Unix-socket client, to send what treadctl never would.
final class RawConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard ok == 0 else { throw TestFailure.failed("cannot connect to \(path)") }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ s: String) throws {
        let bytes = Array(s.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw TestFailure.failed("write failed") }
    }

    func readLine() throws -> String {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw TestFailure.failed("connection closed or timed out") }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
