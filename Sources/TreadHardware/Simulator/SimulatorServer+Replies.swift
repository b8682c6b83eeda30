import Foundation
import TreadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sending answers: at once, or held back and delivered in order per client while a `late`
/// injection is on; RTU answers can have their CRC corrupted on the way out.
extension SimulatorServer {
    struct PendingReply {
        var fd: Int32
        var bytes: [UInt8]
        var due: Instant
    }

    /// Sends an answer now, or queues it when answers are late (or earlier ones still wait).
    func send(_ reply: [UInt8], to fd: Int32, at now: Instant) {
        guard !reply.isEmpty else { return }
        var bytes = reply
        if injections.corruptCRC, !isTCP, bytes.count >= 2 { bytes[bytes.count - 1] ^= 0xFF }
        if injections.lateMs > 0 || pending.contains(where: { $0.fd == fd }) {
            pending.append(PendingReply(fd: fd, bytes: bytes, due: now + .milliseconds(injections.lateMs)))
        } else {
            transmit(bytes, to: fd)
        }
    }

    func sendDueReplies() {
        guard !pending.isEmpty else { return }
        if injections.silent {
            pending.removeAll()
            return
        }
        let now = Self.monotonicNow()
        var blocked: Set<Int32> = []
        var keep: [PendingReply] = []
        for p in pending {
            if blocked.contains(p.fd) || p.due > now {
                blocked.insert(p.fd)
                keep.append(p)
            } else {
                transmit(p.bytes, to: p.fd)
            }
        }
        pending = keep
    }

    private func transmit(_ bytes: [UInt8], to fd: Int32) {
        // Errors mean the client went away; its socket is closed on the next receive.
        _ = bytes.withUnsafeBytes { raw in
            isTCP ? socketSend(fd, raw.baseAddress, raw.count, dontWait: false) : fileWrite(fd, raw.baseAddress, raw.count)
        }
    }
}
