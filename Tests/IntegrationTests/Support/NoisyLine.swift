import Foundation
import Glibc
import Synchronization

/// An RS-485 line with noise on it: two PTY pairs joined by a thread that copies every byte
/// from one side to the other and, while the test has noise on, flips one random bit in one
/// byte of every `n` crossing the line (either way). treadd opens one end, treadsim the
/// other; neither knows.
///
/// Every n-th byte rather than a random rate: the spacing of the errors decides whether
/// failures can come three polls in a row, and a test must know which outcome it expects.
///
/// socat's PTY pair is a perfect wire, and treadsim's own `crc on` corrupts whole answers in a
/// way a real line never does; this flips bits in requests and answers alike, so the Modbus
/// layer meets CRC errors, frames cut short by a corrupted length or function code, and
/// requests the drive never answers because their CRC failed.
final class NoisyLine: @unchecked Sendable {
    /// The PTY paths to hand to each side (symlinks to the PTY slaves).
    let treaddEnd: String
    let driveEnd: String
    let seed: UInt64

    struct Counts: Sendable, CustomStringConvertible {
        var bytesToDrive = 0, bytesToTreadd = 0
        var corruptedToDrive = 0, corruptedToTreadd = 0
        var description: String {
            "to the drive \(bytesToDrive) bytes (\(corruptedToDrive) corrupted), to treadd \(bytesToTreadd) bytes (\(corruptedToTreadd) corrupted)"
        }
    }

    private struct Shared {
        var oneByteIn = 0
        var sinceLast = 0
        var counts = Counts()
        var rng: SplitMix64
        var stopping = false
    }

    private let shared: Mutex<Shared>
    private let treaddMaster: Int32, treaddSlave: Int32
    private let driveMaster: Int32, driveSlave: Int32
    private let wake: (read: Int32, write: Int32)
    private var thread: Thread?

    init(in dir: String, seed: UInt64 = UInt64.random(in: 1...UInt64.max)) throws {
        self.seed = seed
        shared = Mutex(Shared(rng: SplitMix64(seed: seed)))
        (treaddMaster, treaddSlave) = try Self.openPair()
        (driveMaster, driveSlave) = try Self.openPair()
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TestFailure.failed("pipe: \(String(cString: strerror(errno)))") }
        wake = (fds[0], fds[1])
        treaddEnd = dir + "/pty-treadd"
        driveEnd = dir + "/pty-drive"
        try FileManager.default.createSymbolicLink(atPath: treaddEnd, withDestinationPath: Self.slaveName(treaddSlave))
        try FileManager.default.createSymbolicLink(atPath: driveEnd, withDestinationPath: Self.slaveName(driveSlave))
        let t = Thread { [self] in pump() }
        t.name = "noisy-line"
        thread = t
        t.start()
    }

    deinit { close() }

    /// Noise on: one byte in every `n` gets a bit flipped (n >= 1). Noise off: `clean()`.
    func corrupt(oneByteIn n: Int) {
        precondition(n >= 1)
        shared.withLock { $0.oneByteIn = n; $0.sinceLast = 0 }
    }

    func clean() { shared.withLock { $0.oneByteIn = 0 } }

    var counts: Counts { shared.withLock { $0.counts } }

    func close() {
        let already = shared.withLock { s in
            defer { s.stopping = true }
            return s.stopping
        }
        guard !already else { return }
        var b: UInt8 = 1
        _ = write(wake.write, &b, 1)
        // The pump closes the descriptors on its way out.
    }

    private static func openPair() throws -> (master: Int32, slave: Int32) {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else {
            throw TestFailure.failed("openpty: \(String(cString: strerror(errno)))")
        }
        // Raw on the slave, as a serial port would be; libmodbus sets its own modes on open.
        var t = termios()
        tcgetattr(slave, &t)
        cfmakeraw(&t)
        tcsetattr(slave, TCSANOW, &t)
        return (master, slave)
    }

    private static func slaveName(_ fd: Int32) throws -> String {
        guard let name = ttyname(fd) else { throw TestFailure.failed("ttyname: \(String(cString: strerror(errno)))") }
        return String(cString: name)
    }

    /// Copies both ways until closed. The slaves stay open here as well, so a side closing its
    /// end (treadd reconnecting) never leaves the master reading EIO in a busy loop.
    private func pump() {
        defer {
            for fd in [treaddMaster, treaddSlave, driveMaster, driveSlave, wake.read, wake.write] { Glibc.close(fd) }
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            var fds = [pollfd(fd: treaddMaster, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: driveMaster, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 || fds[2].revents != 0 || shared.withLock({ $0.stopping }) { return }
            for (i, (from, to)) in [(treaddMaster, driveMaster), (driveMaster, treaddMaster)].enumerated() where fds[i].revents & Int16(POLLIN) != 0 {
                let got = read(from, &buffer, buffer.count)
                guard got > 0 else { continue }
                let towardsDrive = i == 0
                shared.withLock { s in
                    for k in 0..<got where s.oneByteIn > 0 {
                        s.sinceLast += 1
                        guard s.sinceLast >= s.oneByteIn else { continue }
                        s.sinceLast = 0
                        buffer[k] ^= UInt8(1) << UInt8(s.rng.next() % 8)
                        if towardsDrive { s.counts.corruptedToDrive += 1 } else { s.counts.corruptedToTreadd += 1 }
                    }
                    if towardsDrive { s.counts.bytesToDrive += got } else { s.counts.bytesToTreadd += got }
                }
                var off = 0
                while off < got {
                    let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + off, got - off) }
                    if w < 0 { if errno == EINTR || errno == EAGAIN { continue }; break }
                    off += w
                }
            }
        }
    }
}

/// A small seeded generator, so a failing run can be repeated with the seed it printed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
