import Glibc
import NIOCore

/// Who is at the other end of a Unix-socket connection, as the kernel recorded it when the
/// client connected (SO_PEERCRED). The client cannot forge it, which is why control access is
/// decided from it and not from anything the client sends.
struct PeerCredentials: Hashable, Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// Linux's `struct ucred` (pid_t, uid_t, gid_t), declared here because Glibc exposes
    /// the C one only under _GNU_SOURCE. The kernel fills it whole or fails the call.
    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Reads SO_PEERCRED through NIO's socket-option access; on the channel's event loop
    /// this completes at once.
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(Unavailable())
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }

    struct Unavailable: Error {}
}
