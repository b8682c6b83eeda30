import Foundation
import NIOCore
import NIOPosix
import TreadProtocol

/// The Unix-socket server (newline-delimited JSON). Refuses to take over a socket another
/// live treadd is serving; removes a stale one left by a crash.
final class SocketServer: Sendable {
    enum ServerError: Error, CustomStringConvertible {
        case inUse(String)
        case bindFailed(String, String)
        var description: String {
            switch self {
            case .inUse(let p): return "another treadd is already serving \(p)"
            case .bindFailed(let p, let why): return "cannot listen on \(p): \(why)"
            }
        }
    }

    /// Longest request line accepted; a program file sent inline must fit.
    static let maxLineLength = 256 * 1024

    let path: String
    let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    init(path: String, group: MultiThreadedEventLoopGroup, router: RequestRouter, hello: Hello) throws {
        self.path = path
        self.group = group
        if FileManager.default.fileExists(atPath: path) {
            if Self.isLive(path) { throw ServerError.inUse(path) }
            try? FileManager.default.removeItem(atPath: path)
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: Self.maxLineLength)))
                    try ch.pipeline.syncOperations.addHandler(ConnectionHandler(router: router, hello: hello))
                }
            }
        do {
            channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            throw ServerError.bindFailed(path, "\(error)")
        }
        chmod(path, 0o660)
    }

    func close() {
        try? channel.close().wait()
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(107))
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) == 0 }
        }
    }
}
