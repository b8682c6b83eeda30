import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 responder for Prometheus: `GET /metrics` answers the text format,
/// anything else 404 or 405. It runs on the daemon's event loop, never on the control thread,
/// and listens on loopback only (see `MetricsEndpoint`).
final class MetricsServer: Sendable {
    enum ServerError: Error, CustomStringConvertible {
        case bindFailed(MetricsEndpoint, String)
        var description: String {
            switch self {
            case .bindFailed(let e, let why): return "cannot serve metrics on \(e) ([metrics] listen): \(why)"
            }
        }
    }

    private let channel: Channel

    /// The port actually bound (a listen port of 0 picks a free one; tests use that).
    var port: Int { channel.localAddress?.port ?? 0 }

    init(endpoint: MetricsEndpoint, group: EventLoopGroup, render: @escaping @Sendable () -> [UInt8]) throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try ch.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                }
            }
        do {
            channel = try bootstrap.bind(host: endpoint.host, port: endpoint.port).wait()
        } catch {
            throw ServerError.bindFailed(endpoint, "\(error)")
        }
    }

    func close() { try? channel.close().wait() }
}

/// One request, one response, then the connection may carry the next (keep-alive).
final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]

    init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let (status, body, type): (HTTPResponseStatus, [UInt8], String)
        switch (head.method, head.uri.split(separator: "?").first ?? "") {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            (status, body, type) = (.ok, render(), "text/plain; version=0.0.4; charset=utf-8")
        case (_, "/metrics"):
            (status, body, type) = (.methodNotAllowed, Array("GET only\n".utf8), "text/plain")
        default:
            (status, body, type) = (.notFound, Array("treadd serves /metrics only\n".utf8), "text/plain")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}
