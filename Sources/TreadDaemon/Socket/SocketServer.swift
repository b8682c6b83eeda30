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
    /// What became of the socket's mode and group, for the start-up log.
    let access: SocketAccess.Outcome

    init(path: String, group: MultiThreadedEventLoopGroup, router: RequestRouter, hello: Hello, socketGroup: String? = nil) throws {
        let controlAccess = ControlAccess(group: socketGroup)
        self.path = path
        self.group = group
        if FileManager.default.fileExists(atPath: path) {
            if SocketProbe.isLive(path) { throw ServerError.inUse(path) }
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
                    try ch.pipeline.syncOperations.addHandler(ConnectionHandler(router: router, hello: hello, access: controlAccess))
                }
            }
        do {
            channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        } catch {
            throw ServerError.bindFailed(path, "\(error)")
        }
        self.access = SocketAccess.apply(path: path, group: socketGroup)
    }

    func close() {
        try? channel.close().wait()
        try? FileManager.default.removeItem(atPath: path)
    }
}
